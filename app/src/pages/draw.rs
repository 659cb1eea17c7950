//! The logged-in home page's tools: a canvas to draw a digit on (mouse, touch or pen), an upload
//! area (file picker or drag and drop), and the panel that shows what the model answered.
//!
//! Everything here that touches the DOM runs in the browser only, from event handlers and
//! effects; the server renders the same markup without it.

mod canvas;
mod result;
mod upload;

use leptos::{html, prelude::*, task::spawn_local};
use web_sys::{Blob, FormData, ScrollIntoViewOptions, ScrollLogicalPosition};

use self::{canvas::DrawPad, result::ResultPanel, upload::UploadPad};
use crate::{
    api::{self, PredictError, PredictResponse, Quota},
    auth::with_refresh,
};

/// Where the last recognition stands.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Idle,
    Working,
    Done(Box<PredictResponse>),
    Failed(String),
}

/// The drawing pad, the upload area and the result, side by side on wide screens.
#[component]
pub fn Recognizer() -> impl IntoView {
    let outcome = RwSignal::new(Outcome::Idle);
    let quota = RwSignal::new(None::<Quota>);
    let result_ref = NodeRef::<html::Section>::new();

    // Sends one image and shows the answer; shared by the canvas and the upload.
    let recognise = move |blob: Blob, name: String| {
        outcome.set(Outcome::Working);
        spawn_local(async move {
            // The error is the server's message, for a person.
            let answer = with_refresh(|| send(&blob, &name))
                .await
                .map_err(|error| error.text().to_owned());
            outcome.set(match answer {
                Ok(response) => {
                    if response.quota.is_some() {
                        quota.set(response.quota.clone());
                    }
                    Outcome::Done(Box::new(response))
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
    let fail = move |message: String| outcome.set(Outcome::Failed(message));
    let busy = Signal::derive(move || outcome.with(|o| matches!(o, Outcome::Working)));

    view! {
        <div class="recognizer">
            <DrawPad busy recognise fail/>
            <ResultPanel outcome quota section_ref=result_ref/>
            <UploadPad busy recognise fail/>
        </div>
    }
}

/// Posts the image to `/api/predict`.
async fn send(blob: &Blob, name: &str) -> Result<PredictResponse, PredictError> {
    let form = FormData::new().map_err(|_| PredictError::Msg {
        msg: "This browser cannot send files.".to_owned(),
    })?;
    form.append_with_blob_and_filename("file", blob, name)
        .map_err(|_| PredictError::Msg {
            msg: "This browser cannot send files.".to_owned(),
        })?;
    api::predict(form.into()).await
}
