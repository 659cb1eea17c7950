//! "Was this right?": under an answer (on the home page and in `/history`), one click to confirm
//! it or one to give the right digit. The label is stored with the history row
//! (`POST /api/label`) and can be changed or taken back; labelled digits make up the person's
//! own dataset (`/api/dataset/…`).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, HistoryItem},
    auth::with_refresh,
    i18n::{move_tr, server_text, tr, use_i18n},
};

/// The question and its eleven answers for prediction `id`, which the model read as `digit`;
/// `label` is what the person said before, if anything. `saved` hears each row saved.
#[component]
pub fn LabelControl(
    id: String,
    digit: u8,
    label: Option<u8>,
    #[prop(optional)] saved: Option<Callback<HistoryItem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = RwSignal::new(label);
    let busy = RwSignal::new(false);
    // The server's message, as it came (translated when shown).
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);

    let choose = move |choice: Option<u8>| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let id = id.get_value();
            let result = with_refresh(|| api::label_prediction(Some(id.clone()), choice)).await;
            busy.set(false);
            match result {
                Ok(item) => {
                    label.set(item.label);
                    if let Some(saved) = saved {
                        saved.run(item);
                    }
                }
                Err(failure) => error.set(Some(failure.msg)),
            }
        });
    };

    let state = move || match label.get() {
        None => tr!(i18n, "draw-label-question"),
        Some(l) if l == digit => tr!(i18n, "draw-label-confirmed", { "digit" => i64::from(digit) }),
        Some(l) => tr!(i18n, "draw-label-corrected", {
            "label" => i64::from(l),
            "digit" => i64::from(digit),
        }),
    };

    view! {
        <div
            class="label-control"
            role="group"
            aria-label=move_tr!(i18n, "draw-label-group", { "digit" => i64::from(digit) })
        >
            <p class="label-state" aria-live="polite">{state}</p>
            <div class="label-choices">
                <button
                    type="button"
                    class="label-yes"
                    aria-pressed=move || (label.get() == Some(digit)).to_string()
                    disabled=move || busy.get()
                    on:click=move |_| choose(Some(digit))
                >
                    {move_tr!(i18n, "draw-label-yes", { "digit" => i64::from(digit) })}
                </button>
                <span class="label-no">{move_tr!(i18n, "draw-label-no")}</span>
                {(0..=9u8)
                    .filter(|d| *d != digit)
                    .map(|d| {
                        view! {
                            <button
                                type="button"
                                class="label-digit"
                                aria-label=move_tr!(i18n, "draw-label-no-digit", { "digit" => i64::from(d) })
                                aria-pressed=move || (label.get() == Some(d)).to_string()
                                disabled=move || busy.get()
                                on:click=move |_| choose(Some(d))
                            >
                                {d.to_string()}
                            </button>
                        }
                    })
                    .collect_view()}
                <button
                    type="button"
                    class="label-undo link-button"
                    hidden=move || label.get().is_none()
                    disabled=move || busy.get()
                    on:click=move |_| choose(None)
                >
                    {move_tr!(i18n, "draw-label-take-back")}
                </button>
            </div>
            <p class="form-error" role="alert" hidden=move || error.get().is_none()>
                {move || error.get().map(|msg| server_text(i18n, &msg)).unwrap_or_default()}
            </p>
        </div>
    }
}
