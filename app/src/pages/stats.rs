//! `/admin/stats`: how the model is doing, for admins — headline figures, the charts the server
//! draws as SVG (`/api/admin/stats/{chart}`, so the page carries no chart code), and the
//! confusion matrix of labelled answers as a table too. The same figures as JSON:
//! `GET /api/admin/stats`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::admin::AdminsOnly;
use crate::{
    api::{self, ModelStats},
    auth::{RequireUser, with_refresh},
};

#[component]
pub fn StatsPage() -> impl IntoView {
    view! {
        <Title text="Figures"/>
        <RequireUser children=|user| {
            if user.is_admin() { view! { <Figures/> }.into_any() } else { view! { <AdminsOnly/> }.into_any() }
        }/>
    }
}

#[component]
fn Figures() -> impl IntoView {
    let stats = Resource::new(|| (), |_| async { with_refresh(api::admin_stats).await });
    view! {
        <section class="stats">
            <h1>"How the model is doing"</h1>
            <p class="stats-nav"><A href="/admin">"Accounts"</A></p>
            <Suspense fallback=|| view! { <p class="loading">"Loading the figures…"</p> }>
                {move || {
                    stats
                        .get()
                        .map(|result| match result {
                            Ok(stats) => view! { <Report stats/> }.into_any(),
                            Err(error) => view! { <p class="form-error">{error.msg}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// A share as a percentage, or a dash when there was nothing to share.
fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.1} %", s * 100.0))
}

#[component]
fn Report(stats: ModelStats) -> impl IntoView {
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
    let hours_alt = format!(
        "Predictions per hour over the last 48 hours: {} answered, {} refused by the rate limit.",
        stats.hours.iter().map(|h| h.predictions).sum::<u64>(),
        stats.hours.iter().map(|h| h.refused).sum::<u64>()
    );
    let days_alt = format!(
        "Predictions per day over the last 30 days: {month} answered, {refused} refused by the rate limit."
    );
    let confidence_alt = format!(
        "The model's confidence over the last 30 days, in ten bins: {sure} of {month} at 0.9 or more."
    );
    let confusion_alt = format!(
        "Confusion matrix of {labelled} labelled answers, {corrected} of them corrected; the table below has every cell."
    );
    view! {
        <dl class="figures">
            <div><dt>"Predictions, last 24 hours"</dt><dd>{last_day}</dd></div>
            <div><dt>"Predictions, last 30 days"</dt><dd>{month}</dd></div>
            <div><dt>"Answered from the cache"</dt><dd>{percent(stats.cache_hit_ratio)}</dd></div>
            <div><dt>"Refused by the rate limit"</dt><dd>{percent(stats.refused_share)}</dd></div>
            <div>
                <dt>"Labelled answers"</dt>
                <dd data-labelled=labelled.to_string()>{format!("{labelled} ({corrected} corrected)")}</dd>
            </div>
        </dl>
        <figure>
            <img src=chart("hours.svg") alt=hours_alt width="720" height="280"/>
            <figcaption>"Per hour, the last 48 hours (UTC)"</figcaption>
        </figure>
        <figure>
            <img src=chart("days.svg") alt=days_alt width="720" height="280"/>
            <figcaption>"Per day, the last 30 days (UTC)"</figcaption>
        </figure>
        <figure>
            <img src=chart("confidence.svg") alt=confidence_alt width="480" height="240"/>
            <figcaption>"How sure the model was, the last 30 days"</figcaption>
        </figure>
        <figure>
            <img src=chart("confusion.svg") alt=confusion_alt width="436" height="428"/>
            <figcaption>"True digit (rows) against the model's answer (columns), for every labelled answer"</figcaption>
        </figure>
        <ConfusionTable confusion=stats.confusion/>
    }
}

#[component]
fn ConfusionTable(confusion: Vec<Vec<u64>>) -> impl IntoView {
    view! {
        <details class="confusion">
            <summary>"The confusion matrix as a table"</summary>
            <div class="table-scroll">
                <table>
                    <caption>"Rows: the true digit. Columns: the model's answer."</caption>
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">"True digit"</span></th>
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
                                                    <td class=class data-true=truth.to_string() data-predicted=predicted.to_string()>{count}</td>
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

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(percent(None), "–");
        assert_eq!(percent(Some(0.25)), "25.0 %");
        assert_eq!(percent(Some(1.0 / 3.0)), "33.3 %");
    }
}
