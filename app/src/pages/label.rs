//! "Was this right?": under an answer (on the home page and in `/history`), one click to confirm
//! it or one to give the right digit. The label is stored with the history row
//! (`POST /api/label`) and can be changed or taken back; labelled digits make up the person's
//! own dataset (`/api/dataset/…`).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, HistoryItem},
    auth::with_refresh,
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
    let label = RwSignal::new(label);
    let busy = RwSignal::new(false);
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
        None => "Was this right?".to_owned(),
        Some(l) if l == digit => format!("You confirmed it is a {digit}."),
        Some(l) => format!("You said it is a {l}, not a {digit}."),
    };

    view! {
        <div class="label-control" role="group" aria-label=format!("Was {digit} right?")>
            <p class="label-state" aria-live="polite">{state}</p>
            <div class="label-choices">
                <button
                    type="button"
                    class="label-yes"
                    aria-pressed=move || (label.get() == Some(digit)).to_string()
                    disabled=move || busy.get()
                    on:click=move |_| choose(Some(digit))
                >
                    {format!("Yes, it is {digit}")}
                </button>
                <span class="label-no">"No, it is:"</span>
                {(0..=9u8)
                    .filter(|d| *d != digit)
                    .map(|d| {
                        view! {
                            <button
                                type="button"
                                class="label-digit"
                                aria-label=format!("No, it is {d}")
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
                    "Take back"
                </button>
            </div>
            <p class="form-error" role="alert" hidden=move || error.get().is_none()>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}
