//! The upload area: an image chosen with the file picker or dropped on the page.

use leptos::prelude::*;
use web_sys::{Blob, DragEvent, File, Url};

use super::Failure;
use crate::i18n::{move_tr, use_i18n};

/// The image types the server accepts.
const ACCEPT: &str = "image/png,image/jpeg,image/gif";

thread_local! {
    /// The image chosen in the upload area, in the browser's one thread. Only one upload area
    /// exists at a time; a new one starts empty.
    static CHOSEN_FILE: std::cell::RefCell<Option<File>> = const { std::cell::RefCell::new(None) };
}

/// The file picker and drop zone, with a preview; `recognise` gets the chosen file.
#[component]
pub(super) fn UploadPad<R, F>(busy: Signal<bool>, recognise: R, fail: F) -> impl IntoView
where
    R: Fn(Blob, String) + Copy + Send + Sync + 'static,
    F: Fn(Failure) + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    // The chosen file stays in the browser (a `File` is not `Send`), its preview as an object URL.
    // Not in a local signal: one created while rendering on the server would be dropped on
    // whichever worker thread the render ends on, which panics.
    CHOSEN_FILE.with(|slot| slot.borrow_mut().take());
    let preview = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);

    let choose = move |chosen: Option<File>| {
        let Some(chosen) = chosen else {
            return;
        };
        if !ACCEPT.split(',').any(|kind| kind == chosen.type_()) {
            fail(Failure::WrongType);
            return;
        }
        if let Some(old) = preview.get_untracked() {
            let _ = Url::revoke_object_url(&old);
        }
        preview.set(Url::create_object_url_with_blob(&chosen).ok());
        name.set(chosen.name());
        CHOSEN_FILE.with(|slot| *slot.borrow_mut() = Some(chosen));
    };

    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let dropped = ev
            .data_transfer()
            .and_then(|transfer| transfer.files())
            .and_then(|files| files.get(0));
        if dropped.is_none() {
            fail(Failure::DropNotFile);
        }
        choose(dropped);
    };
    let on_drag_over = move |ev: DragEvent| {
        // Without this the browser would open the file instead of letting the page have it.
        ev.prevent_default();
        dragging.set(true);
    };

    let on_recognise = move |_| match CHOSEN_FILE.with(|slot| slot.borrow().clone()) {
        Some(chosen) => {
            let name = chosen.name();
            recognise(chosen.into(), name)
        }
        None => fail(Failure::ChooseFirst),
    };

    view! {
        <section class="pad upload-pad" aria-labelledby="upload-title">
            <h2 id="upload-title">{move_tr!(i18n, "draw-upload-title")}</h2>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                on:dragenter=on_drag_over
                on:dragover=on_drag_over
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for="upload-file">{move_tr!(i18n, "draw-upload-choose")}</label>
                <input
                    id="upload-file"
                    type="file"
                    accept=ACCEPT
                    on:change=move |ev| {
                        let input = event_target::<web_sys::HtmlInputElement>(&ev);
                        choose(input.files().and_then(|files| files.get(0)));
                    }
                />
                <p class="hint">{move_tr!(i18n, "draw-upload-drop-hint")}</p>
                {move || {
                    preview
                        .get()
                        .map(|url| {
                            view! {
                                <figure class="upload-preview">
                                    <img src=url alt=move_tr!(i18n, "draw-upload-preview-alt")/>
                                    <figcaption>{move || name.get()}</figcaption>
                                </figure>
                            }
                        })
                }}
            </div>
            <div class="pad-actions">
                <button
                    type="button"
                    class="primary"
                    disabled=move || busy.get() || preview.with(Option::is_none)
                    on:click=on_recognise
                >
                    {move_tr!(i18n, "draw-upload-recognise")}
                </button>
            </div>
        </section>
    }
}
