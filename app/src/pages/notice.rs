//! The status line a page shows after an action (what happened, or what went wrong), and the
//! button that starts one.

use leptos::prelude::*;

use crate::i18n::{tr, use_i18n};

/// The outcome of the last action on a page: `Ok` says what was done, `Err` what went wrong,
/// both already in the page's language.
pub type Notice = RwSignal<Option<Result<String, String>>>;

/// A live region announcing `notice` (hidden while there is none), styled as done or error.
#[component]
pub fn NoticeLine(notice: Notice) -> impl IntoView {
    view! {
        <p
            class=move || match notice.get() {
                Some(Err(_)) => "form-error",
                _ => "form-done",
            }
            role="status"
            aria-live="polite"
            hidden=move || notice.get().is_none()
        >
            {move || match notice.get() {
                Some(Ok(text) | Err(text)) => text,
                None => String::new(),
            }}
        </p>
    }
}

/// A form's main submit button: disabled, and saying so, while its action is `pending`.
/// `label` is the translated text (a `move_tr!` of the caller's key).
#[component]
pub fn SubmitButton(#[prop(into)] label: Signal<String>, pending: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="primary" disabled=move || pending.get()>
            {move || if pending.get() { tr!(i18n, "auth-please-wait") } else { label.get() }}
        </button>
    }
}
