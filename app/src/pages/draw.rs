//! The home page's tools: a canvas to draw a digit on (mouse, touch or pen) with the live guess
//! the browser makes of it; for someone logged in also an upload area (file picker or drag and
//! drop) and the panel that shows the server's answer of record.
//!
//! Everything here that touches the DOM runs in the browser only, from event handlers and
//! effects; the server renders the same markup without it.

mod canvas;
mod live;
mod result;
mod upload;

use leptos::{html, prelude::*, task::spawn_local};
use web_sys::{Blob, FormData, ScrollIntoViewOptions, ScrollLogicalPosition};

use self::{
    canvas::{Ask, DrawPad},
    live::{Agreement, Live, LivePanel},
    result::ResultPanel,
    upload::UploadPad,
};
use crate::{
    api::{self, PredictResponse, Quota},
    auth::with_refresh,
    i18n::{I18n, server_text, tr},
};

/// Where the last recognition stands.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Idle,
    Working,
    /// The answer, and for a drawing how it compares with the browser's live guess.
    Done(Box<PredictResponse>, Option<Agreement>),
    Failed(Failure),
}

/// Why a recognition failed, put in words when shown ([`Failure::text`]), in the language of
/// the page at that moment.
#[derive(Clone, Debug, PartialEq)]
enum Failure {
    /// The server's message (or the API client's), as it came.
    Server(String),
    /// "Recognise drawing" on an empty canvas.
    NothingDrawn,
    /// The canvas could not be turned into a PNG.
    DrawingUnreadable,
    /// The browser cannot build the form to send.
    CannotSendFiles,
    /// The chosen or dropped file is not an image the server takes.
    WrongType,
    /// Something was dropped that is not a file.
    DropNotFile,
    /// "Recognise image" with no image chosen.
    ChooseFirst,
}

impl Failure {
    /// The reason in the current language (reactive).
    fn text(&self, i18n: I18n) -> String {
        match self {
            Failure::Server(msg) => server_text(i18n, msg),
            Failure::NothingDrawn => tr!(i18n, "draw-nothing-drawn"),
            Failure::DrawingUnreadable => tr!(i18n, "draw-drawing-unreadable"),
            Failure::CannotSendFiles => tr!(i18n, "draw-cannot-send-files"),
            Failure::WrongType => tr!(i18n, "draw-upload-wrong-type"),
            Failure::DropNotFile => tr!(i18n, "draw-upload-drop-not-file"),
            Failure::ChooseFirst => tr!(i18n, "draw-upload-choose-first"),
        }
    }
}

/// The drawing pad, the upload area and the result, side by side on wide screens.
#[component]
pub fn Recognizer() -> impl IntoView {
    let outcome = RwSignal::new(Outcome::Idle);
    let quota = RwSignal::new(None::<Quota>);
    let result_ref = NodeRef::<html::Section>::new();
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let live = Live::new(canvas_ref);

    // Sends one image and shows the answer; shared by the canvas and the upload. A drawing is
    // sent with the live guess for it, to compare the two answers.
    let recognise = move |blob: Blob, name: String, guess: Option<live::Guess>| {
        let Some(form) = form_for(&blob, &name) else {
            outcome.set(Outcome::Failed(Failure::CannotSendFiles));
            return;
        };
        outcome.set(Outcome::Working);
        spawn_local(async move {
            // The error is the server's message, for a person (translated when shown).
            let answer = with_refresh(|| api::predict(form.clone().into()))
                .await
                .map_err(|error| Failure::Server(error.text().to_owned()));
            outcome.set(match answer {
                Ok(response) => {
                    if response.quota.is_some() {
                        quota.set(response.quota.clone());
                    }
                    let agreement = guess.map(|guess| {
                        guess.agreement(
                            &response.probabilities,
                            &response.model_version,
                            response.preprocess_version,
                        )
                    });
                    Outcome::Done(Box::new(response), agreement)
                }
                Err(error) => Outcome::Failed(error),
            });
            // On a phone the result sits below the canvas: bring it into view.
            if let Some(section) = result_ref.get_untracked() {
                let options = ScrollIntoViewOptions::new();
                options.set_block(ScrollLogicalPosition::Nearest);
                section.scroll_into_view_with_scroll_into_view_options(&options);
            }
        });
    };
    let fail = move |failure: Failure| outcome.set(Outcome::Failed(failure));
    let busy = Signal::derive(move || outcome.with(|o| matches!(o, Outcome::Working)));
    let ask = Ask {
        busy,
        recognise: Callback::new(move |(blob, name): (Blob, String)| {
            recognise(blob, name, live.current())
        }),
        fail: Callback::new(fail),
    };
    let upload = move |blob: Blob, name: String| recognise(blob, name, None);

    view! {
        // Each part erased to `AnyView`: their types nested in one are too deep for the compiler.
        <div class="recognizer">
            {view! { <DrawPad canvas_ref live ask/> }.into_any()}
            {view! { <LivePanel live/> }.into_any()}
            {view! { <ResultPanel outcome quota section_ref=result_ref/> }.into_any()}
            {view! { <UploadPad busy recognise=upload fail/> }.into_any()}
        </div>
    }
}

/// A visitor's way in: the canvas and the live guess, worked out in the browser only (no
/// request, nothing stored).
#[component]
pub fn Sketchpad() -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let live = Live::new(canvas_ref);
    view! {
        <div class="recognizer sketchpad">
            <DrawPad canvas_ref live/>
            <LivePanel live/>
        </div>
    }
}

/// The image as the form `/api/predict` takes (the field `file`); `None` in a browser that
/// cannot send files.
fn form_for(blob: &Blob, name: &str) -> Option<FormData> {
    let form = FormData::new().ok()?;
    form.append_with_blob_and_filename("file", blob, name)
        .ok()?;
    Some(form)
}
