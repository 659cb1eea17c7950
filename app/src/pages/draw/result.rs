//! The result panel: the digit the model read, its ten probabilities and the quota left.

use leptos::{html, prelude::*};

use super::{Outcome, live::Agreement};
use crate::{
    api::{PredictResponse, Quota, QuotaWindow},
    pages::label::LabelControl,
};

/// Where the last recognition stands, and the quota left after it.
#[component]
pub(super) fn ResultPanel(
    outcome: RwSignal<Outcome>,
    quota: RwSignal<Option<Quota>>,
    section_ref: NodeRef<html::Section>,
) -> impl IntoView {
    // A short summary for screen readers, announced when it changes.
    let summary = move || match outcome.get() {
        Outcome::Idle => String::new(),
        Outcome::Working => "Recognising…".to_owned(),
        Outcome::Done(answer, _) => format!(
            "Recognised as {}, with probability {}.",
            answer.prediccion,
            percent(answer.probabilidad)
        ),
        Outcome::Failed(_) => String::new(),
    };

    view! {
        <section class="pad result" aria-labelledby="result-title" node_ref=section_ref>
            <h2 id="result-title">"Result"</h2>
            <p class="visually-hidden" role="status" aria-live="polite">{summary}</p>
            {move || match outcome.get() {
                Outcome::Idle => {
                    view! {
                        <p class="hint">"Draw a digit or choose an image, then press Recognise."</p>
                    }
                        .into_any()
                }
                Outcome::Working => view! { <p class="loading">"Recognising…"</p> }.into_any(),
                Outcome::Failed(message) => {
                    view! { <p class="form-error" role="alert">{message}</p> }.into_any()
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
    let digit = answer.prediccion;
    view! {
        <div class="answer">
            <p class="verdict">
                <span class="verdict-label">"It looks like"</span>
                <span class="verdict-digit">{digit.to_string()}</span>
                <span class="verdict-probability">{format!("{} probability", percent(answer.probabilidad))}</span>
            </p>
            <p class="cache-note">
                {if answer.cached {
                    "Answered from the cache: this exact image was recognised before."
                } else {
                    "Freshly recognised."
                }}
            </p>
            <figure class="model-view">
                <img
                    src=answer.image
                    width="112"
                    height="112"
                    alt="The 28 × 28 image the model saw"
                />
                <figcaption>"What the model saw (28 × 28 pixels)"</figcaption>
            </figure>
            <LabelControl id=answer.id.clone() digit label=None/>
            <h3 id="probabilities-title">"All ten probabilities"</h3>
            <ol class="probabilities" aria-labelledby="probabilities-title">
                {probability_items(&answer.probabilities, digit)}
            </ol>
            {agreement.map(|agreement| view! { <AgreementNote agreement/> })}
            <p class="model-version hint">
                {format!("Model {}, preprocessing v{}", answer.model_version, answer.preprocess_version)}
            </p>
        </div>
    }
}

/// Whether the server's answer and the browser's live guess for the same drawing agree.
#[component]
fn AgreementNote(agreement: Agreement) -> impl IntoView {
    match agreement {
        Agreement::Same(largest) => view! {
            <p class="agreement hint" data-agreement="same" data-largest=largest.to_string()>
                "Your browser's live guess gave the same probabilities."
            </p>
        }
        .into_any(),
        Agreement::Differs(largest) => view! {
            <p class="agreement form-error" role="note" data-agreement="differs" data-largest=largest.to_string()>
                {format!(
                    "Your browser's live guess differs from this answer, by up to {:.4} in a probability, \
                     though both ran the same model: please tell the operator. The answer above is \
                     the one kept.",
                    largest
                )}
            </p>
        }
        .into_any(),
        Agreement::OtherVersion => view! {
            <p class="agreement hint" data-agreement="other-version">
                "Your browser's live guess used another version of the model than this answer; \
                 reload the page to bring it up to date."
            </p>
        }
        .into_any(),
    }
}

#[component]
fn QuotaLine(quota: Quota) -> impl IntoView {
    let window = |w: &QuotaWindow| format!("{} of {}", w.remaining, w.limit);
    view! {
        <p class="quota">
            "Predictions left: "
            <strong>{window(&quota.hour)}</strong>
            " this hour (resets in "
            {human_wait(quota.hour.reset)}
            "), "
            <strong>{window(&quota.day)}</strong>
            " today."
        </p>
    }
}

/// `0.98123` → `98.1%`.
/// The ten probabilities as the items of a list, each a meter, the `digit` given marked as the
/// top one: the server's answer and the live guess show them alike.
pub(super) fn probability_items(probabilities: &[f32], digit: u8) -> impl IntoView + use<> {
    probabilities
        .iter()
        .enumerate()
        .map(|(d, p)| {
            let value = f64::from(*p);
            let top = usize::from(digit) == d;
            view! {
                <li class:top=top>
                    <span class="prob-digit" aria-hidden="true">{d.to_string()}</span>
                    <meter
                        min="0"
                        max="1"
                        value=value.to_string()
                        aria-label=format!("Digit {d}")
                    ></meter>
                    <span class="prob-value">{percent(*p)}</span>
                </li>
            }
        })
        .collect_view()
}

fn percent(p: f32) -> String {
    format!("{:.1}%", p * 100.0)
}

/// Seconds as a short human duration: `45 s`, `12 min`, `3 h`.
fn human_wait(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs.div_ceil(60)),
        _ => format!("{} h", secs.div_ceil(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_like_a_person_would_say_them() {
        assert_eq!(human_wait(5), "5 s");
        assert_eq!(human_wait(61), "2 min");
        assert_eq!(human_wait(3599), "60 min");
        assert_eq!(human_wait(3600), "1 h");
        assert_eq!(human_wait(3601), "2 h");
    }

    #[test]
    fn probabilities_are_percentages() {
        assert_eq!(percent(0.98123), "98.1%");
        assert_eq!(percent(0.0), "0.0%");
    }
}
