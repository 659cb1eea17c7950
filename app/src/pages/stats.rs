//! `/admin/stats`: how the model is doing, for admins — headline figures, the charts the server
//! draws as SVG (`/api/admin/stats/{chart}`, so the page carries no chart code), and the
//! confusion matrix of labelled answers as a table too. The same figures as JSON:
//! `GET /api/admin/stats`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::admin::AdminsOnly;
use super::title_text;
use crate::{
    api::{self, ModelStats},
    auth::{RequireUser, with_refresh},
    i18n::{Lang, fmt, lang_of, move_tr, server_text, tr, use_i18n},
};

#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=title_text(move || tr!(i18n, "admin-stats-title"))/>
        <RequireUser children=|user| {
            if user.is_admin() { view! { <Figures/> }.into_any() } else { view! { <AdminsOnly/> }.into_any() }
        }/>
    }
}

#[component]
fn Figures() -> impl IntoView {
    let i18n = use_i18n();
    let stats = Resource::new(|| (), |_| async { with_refresh(api::admin_stats).await });
    view! {
        <section class="stats">
            <h1>{move_tr!(i18n, "admin-stats-heading")}</h1>
            <p class="stats-nav"><A href="/admin">{move_tr!(i18n, "admin-stats-accounts-link")}</A></p>
            <Suspense fallback=move || view! { <p class="loading">{move_tr!(i18n, "admin-stats-loading")}</p> }>
                {move || {
                    stats
                        .get()
                        .map(|result| match result {
                            Ok(stats) => view! { <Report stats/> }.into_any(),
                            Err(error) => {
                                view! { <p class="form-error">{server_text(i18n, &error.msg)}</p> }.into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

/// A share as a percentage in `lang`, or a dash when there was nothing to share.
fn percent(lang: Lang, share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| fmt::percent(lang, s, 1))
}

#[component]
fn Report(stats: ModelStats) -> impl IntoView {
    let i18n = use_i18n();
    let last_day: u64 = stats
        .hours
        .iter()
        .rev()
        .take(24)
        .map(|h| h.predictions)
        .sum();
    let month: u64 = stats.days.iter().map(|d| d.predictions).sum();
    let refused: u64 = stats.days.iter().map(|d| d.refused).sum();
    let (labelled, corrected) = stats.labelled();
    let sure: u64 = stats.confidence.last().copied().unwrap_or(0);
    // The charts are drawn from the same figures; `at` makes a newer page load newer charts.
    let chart = move |name: &str| format!("/api/admin/stats/{name}?at={}", stats.as_of_ms);
    let hours_answered: u64 = stats.hours.iter().map(|h| h.predictions).sum();
    let hours_refused: u64 = stats.hours.iter().map(|h| h.refused).sum();
    let cache_hit_ratio = stats.cache_hit_ratio;
    let refused_share = stats.refused_share;
    // Every figure is written in the page's language; the charts' alternative texts too.
    let int = move |n: u64| fmt::int(lang_of(i18n), i64::try_from(n).unwrap_or(i64::MAX));
    let hours_alt = move_tr!(i18n, "admin-chart-hours-alt", {
        "answered" => int(hours_answered),
        "refused" => int(hours_refused),
    });
    let days_alt = move_tr!(i18n, "admin-chart-days-alt", {
        "answered" => int(month),
        "refused" => int(refused),
    });
    let confidence_alt = move_tr!(i18n, "admin-chart-confidence-alt", {
        "sure" => int(sure),
        "total" => int(month),
        "threshold" => fmt::decimal(lang_of(i18n), 0.9, 1),
    });
    let confusion_alt = move_tr!(i18n, "admin-chart-confusion-alt", {
        "labelled" => int(labelled),
        "corrected" => int(corrected),
    });
    view! {
        <dl class="figures">
            <div>
                <dt>{move_tr!(i18n, "admin-stats-last-day")}</dt>
                <dd>{move || int(last_day)}</dd>
            </div>
            <div>
                <dt>{move_tr!(i18n, "admin-stats-last-month")}</dt>
                <dd>{move || int(month)}</dd>
            </div>
            <div>
                <dt>{move_tr!(i18n, "admin-stats-cache")}</dt>
                <dd>{move || percent(lang_of(i18n), cache_hit_ratio)}</dd>
            </div>
            <div>
                <dt>{move_tr!(i18n, "admin-stats-refused")}</dt>
                <dd>{move || percent(lang_of(i18n), refused_share)}</dd>
            </div>
            <div>
                <dt>{move_tr!(i18n, "admin-stats-labelled")}</dt>
                <dd data-labelled=labelled.to_string()>
                    {move_tr!(i18n, "admin-stats-labelled-value", {
                        "labelled" => int(labelled),
                        "corrected" => int(corrected),
                    })}
                </dd>
            </div>
        </dl>
        <figure>
            <img src=chart("hours.svg") alt=hours_alt width="720" height="280"/>
            <figcaption>{move_tr!(i18n, "admin-chart-hours-caption")}</figcaption>
        </figure>
        <figure>
            <img src=chart("days.svg") alt=days_alt width="720" height="280"/>
            <figcaption>{move_tr!(i18n, "admin-chart-days-caption")}</figcaption>
        </figure>
        <figure>
            <img src=chart("confidence.svg") alt=confidence_alt width="480" height="240"/>
            <figcaption>{move_tr!(i18n, "admin-chart-confidence-caption")}</figcaption>
        </figure>
        <figure>
            <img src=chart("confusion.svg") alt=confusion_alt width="436" height="428"/>
            <figcaption>{move_tr!(i18n, "admin-chart-confusion-caption")}</figcaption>
        </figure>
        <ConfusionTable confusion=stats.confusion/>
    }
}

#[component]
fn ConfusionTable(confusion: Vec<Vec<u64>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="confusion">
            <summary>{move_tr!(i18n, "admin-confusion-summary")}</summary>
            <div class="table-scroll">
                <table>
                    <caption>{move_tr!(i18n, "admin-confusion-caption")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">
                                <span class="visually-hidden">{move_tr!(i18n, "admin-confusion-true-digit")}</span>
                            </th>
                            {(0..10).map(|d| view! { <th scope="col">{d}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {confusion
                            .into_iter()
                            .enumerate()
                            .map(|(truth, row)| {
                                view! {
                                    <tr>
                                        <th scope="row">{truth}</th>
                                        {row
                                            .into_iter()
                                            .enumerate()
                                            .map(|(predicted, count)| {
                                                let class = if truth == predicted { "right" } else if count > 0 { "wrong" } else { "" };
                                                view! {
                                                    <td class=class data-true=truth.to_string() data-predicted=predicted.to_string()>
                                                        {move || fmt::int(lang_of(i18n), i64::try_from(count).unwrap_or(i64::MAX))}
                                                    </td>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::percent;
    use crate::i18n::Lang;

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(percent(Lang::En, None), "–");
        assert_eq!(percent(Lang::En, Some(0.25)), "25.0%");
        assert_eq!(percent(Lang::En, Some(1.0 / 3.0)), "33.3%");
        assert_eq!(percent(Lang::Es, None), "–");
        assert_eq!(percent(Lang::Es, Some(0.25)), "25,0\u{a0}%");
        assert_eq!(percent(Lang::Es, Some(1.0 / 3.0)), "33,3\u{a0}%");
    }
}
