//! The upload area: an image chosen with the file picker or dropped on the page.

use leptos::prelude::*;
use web_sys::{Blob, DragEvent, File, Url};

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
    F: Fn(String) + Copy + Send + Sync + 'static,
{
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
            fail(
                "That file is not a PNG, JPEG or GIF image. Please choose one of those.".to_owned(),
            );
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
            fail("Drop an image file (PNG, JPEG or GIF).".to_owned());
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
        None => fail("Choose an image first.".to_owned()),
    };

    view! {
        <section class="pad upload-pad" aria-labelledby="upload-title">
            <h2 id="upload-title">"Or upload an image"</h2>
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                on:dragenter=on_drag_over
                on:dragover=on_drag_over
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for="upload-file">"Choose an image (PNG, JPEG or GIF)"</label>
                <input
                    id="upload-file"
                    type="file"
                    accept=ACCEPT
                    on:change=move |ev| {
                        let input = event_target::<web_sys::HtmlInputElement>(&ev);
                        choose(input.files().and_then(|files| files.get(0)));
                    }
                />
                <p class="hint">"…or drop one here."</p>
                {move || {
                    preview
                        .get()
                        .map(|url| {
                            view! {
                                <figure class="upload-preview">
                                    <img src=url alt="Preview of the chosen image"/>
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
                    "Recognise image"
                </button>
            </div>
        </section>
    }
}
