//! The result panel: the digit the model read, its ten probabilities and the quota left.

use leptos::{html, prelude::*};

use super::{Outcome, live::Agreement};
use crate::{
    api::{PredictResponse, Quota, QuotaWindow},
    i18n::{I18n, Lang, fmt, lang_of, move_tr, tr, use_i18n},
    pages::label::LabelControl,
};

/// Where the last recognition stands, and the quota left after it.
#[component]
pub(super) fn ResultPanel(
    outcome: RwSignal<Outcome>,
    quota: RwSignal<Option<Quota>>,
    section_ref: NodeRef<html::Section>,
) -> impl IntoView {
    let i18n = use_i18n();
    // A short summary for screen readers, announced when it changes: the answer, and how many
    // predictions are left (which the quota line below shows without announcing).
    let summary = move || match outcome.get() {
        Outcome::Idle => String::new(),
        Outcome::Working => tr!(i18n, "draw-result-working"),
        Outcome::Done(answer, _) => {
            let said = tr!(i18n, "draw-result-summary", {
                "digit" => i64::from(answer.prediccion),
                "probability" => percent(lang_of(i18n), answer.probabilidad),
            });
            match quota.get() {
                Some(quota) => {
                    let left = quota.hour.remaining.min(quota.day.remaining) as i64;
                    let left = tr!(i18n, "draw-quota-left", { "count" => left });
                    format!("{said} {left}")
                }
                None => said,
            }
        }
        Outcome::Failed(_) => String::new(),
    };

    view! {
        <section class="pad result" aria-labelledby="result-title" node_ref=section_ref>
            <h2 id="result-title">{move_tr!(i18n, "draw-result-title")}</h2>
            <p class="visually-hidden" role="status" aria-live="polite">{summary}</p>
            {move || match outcome.get() {
                Outcome::Idle => {
                    view! {
                        <p class="hint">{move_tr!(i18n, "draw-result-idle")}</p>
                    }
                        .into_any()
                }
                Outcome::Working => {
                    view! { <p class="loading">{move_tr!(i18n, "draw-result-working")}</p> }
                        .into_any()
                }
                Outcome::Failed(failure) => {
                    view! {
                        <p class="form-error" role="alert">{move || failure.text(i18n)}</p>
                    }
                        .into_any()
                }
                Outcome::Done(answer, agreement) => {
                    view! { <Answer answer=*answer agreement/> }.into_any()
                }
            }}
            {move || quota.get().map(|quota| view! { <QuotaLine quota/> })}
        </section>
    }
}

#[component]
fn Answer(answer: PredictResponse, agreement: Option<Agreement>) -> impl IntoView {
    let i18n = use_i18n();
    let digit = answer.prediccion;
    let probability = answer.probabilidad;
    let cached = answer.cached;
    let model = answer.model_version.clone();
    let preprocess = answer.preprocess_version.to_string();
    view! {
        <div class="answer">
            <p class="verdict">
                <span class="verdict-label">{move_tr!(i18n, "draw-result-looks-like")}</span>
                <span class="verdict-digit">{digit.to_string()}</span>
                <span class="verdict-probability">
                    {move_tr!(i18n, "draw-result-probability", {
                        "probability" => percent(lang_of(i18n), probability),
                    })}
                </span>
            </p>
            <p class="cache-note">
                {move || {
                    if cached {
                        tr!(i18n, "draw-result-cached")
                    } else {
                        tr!(i18n, "draw-result-fresh")
                    }
                }}
            </p>
            <figure class="model-view">
                <img
                    src=answer.image
                    width="112"
                    height="112"
                    alt=move_tr!(i18n, "draw-result-seen-alt")
                />
                <figcaption>{move_tr!(i18n, "draw-result-seen-caption")}</figcaption>
            </figure>
            <LabelControl id=answer.id.clone() digit label=None/>
            <h3 id="probabilities-title">{move_tr!(i18n, "draw-result-probabilities")}</h3>
            <ol class="probabilities" aria-labelledby="probabilities-title">
                {probability_items(i18n, &answer.probabilities, digit)}
            </ol>
            {agreement.map(|agreement| view! { <AgreementNote agreement/> })}
            <p class="model-version hint">
                {move_tr!(i18n, "draw-result-model", {
                    "model" => model.clone(),
                    "preprocess" => preprocess.clone(),
                })}
            </p>
        </div>
    }
}

/// Whether the server's answer and the browser's live guess for the same drawing agree.
#[component]
fn AgreementNote(agreement: Agreement) -> impl IntoView {
    let i18n = use_i18n();
    match agreement {
        Agreement::Same(largest) => view! {
            <p class="agreement hint" data-agreement="same" data-largest=largest.to_string()>
                {move_tr!(i18n, "draw-agreement-same")}
            </p>
        }
        .into_any(),
        Agreement::Differs(largest) => view! {
            <p class="agreement form-error" role="note" data-agreement="differs" data-largest=largest.to_string()>
                {move_tr!(i18n, "draw-agreement-differs", {
                    "largest" => fmt::decimal(lang_of(i18n), f64::from(largest), 4),
                })}
            </p>
        }
        .into_any(),
        Agreement::OtherVersion => view! {
            <p class="agreement hint" data-agreement="other-version">
                {move_tr!(i18n, "draw-agreement-other-version")}
            </p>
        }
        .into_any(),
    }
}

/// "Predictions left: **4 of 5** this hour (resets in 12 min), **199 of 200** today.", in four
/// parts around the two figures.
#[component]
fn QuotaLine(quota: Quota) -> impl IntoView {
    let i18n = use_i18n();
    let window = move |w: &QuotaWindow| {
        let (remaining, limit) = (w.remaining as i64, w.limit as i64);
        move_tr!(i18n, "draw-quota-window", {
            "remaining" => fmt::int(lang_of(i18n), remaining),
            "limit" => fmt::int(lang_of(i18n), limit),
        })
    };
    let hour_reset = quota.hour.reset;
    view! {
        <p class="quota">
            {move_tr!(i18n, "draw-quota-before")}
            <strong>{window(&quota.hour)}</strong>
            {move_tr!(i18n, "draw-quota-hour", {
                "wait" => human_wait(lang_of(i18n), hour_reset),
            })}
            <strong>{window(&quota.day)}</strong>
            {move_tr!(i18n, "draw-quota-day")}
        </p>
    }
}

/// The ten probabilities as the items of a list, each a meter, the `digit` given marked as the
/// top one: the server's answer and the live guess show them alike.
pub(super) fn probability_items(
    i18n: I18n,
    probabilities: &[f32],
    digit: u8,
) -> impl IntoView + use<> {
    probabilities
        .iter()
        .enumerate()
        .map(|(d, p)| {
            let p = *p;
            let value = f64::from(p);
            let top = usize::from(digit) == d;
            view! {
                <li class:top=top>
                    <span class="prob-digit" aria-hidden="true">{d.to_string()}</span>
                    <meter
                        min="0"
                        max="1"
                        value=value.to_string()
                        aria-label=move_tr!(i18n, "draw-probability-digit", { "digit" => d as i64 })
                    ></meter>
                    <span class="prob-value">{move || percent(lang_of(i18n), p)}</span>
                </li>
            }
        })
        .collect_view()
}

/// `0.98123` → `98.1%` (`98,1 %` in Spanish).
pub(super) fn percent(lang: Lang, p: f32) -> String {
    fmt::percent(lang, f64::from(p), 1)
}

/// Seconds as a short human duration: `45 s`, `12 min`, `3 h` (the same abbreviations in both
/// languages; the number as the language writes it).
fn human_wait(lang: Lang, secs: u64) -> String {
    let (count, unit) = match secs {
        0..60 => (secs, "s"),
        60..3600 => (secs.div_ceil(60), "min"),
        _ => (secs.div_ceil(3600), "h"),
    };
    format!("{} {unit}", fmt::int(lang, count as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_like_a_person_would_say_them() {
        for lang in Lang::ALL {
            assert_eq!(human_wait(lang, 5), "5 s");
            assert_eq!(human_wait(lang, 61), "2 min");
            assert_eq!(human_wait(lang, 3599), "60 min");
            assert_eq!(human_wait(lang, 3600), "1 h");
            assert_eq!(human_wait(lang, 3601), "2 h");
        }
        assert_eq!(human_wait(Lang::En, 12_345 * 3600), "12,345 h");
        assert_eq!(human_wait(Lang::Es, 12_345 * 3600), "12.345 h");
    }

    #[test]
    fn probabilities_are_percentages() {
        assert_eq!(percent(Lang::En, 0.98123), "98.1%");
        assert_eq!(percent(Lang::En, 0.0), "0.0%");
        assert_eq!(percent(Lang::Es, 0.98123), "98,1\u{a0}%");
        assert_eq!(percent(Lang::Es, 0.0), "0,0\u{a0}%");
    }
}
