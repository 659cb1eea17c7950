//! The logged-in home page's tools: a canvas to draw a digit on (mouse, touch or pen), an upload
//! area (file picker or drag and drop), and the panel that shows what the model answered.
//!
//! Everything here that touches the DOM runs in the browser only, from event handlers and
//! effects; the server renders the same markup without it.

use leptos::{html, prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Blob, CanvasRenderingContext2d, DragEvent, File, FormData, HtmlCanvasElement, PointerEvent,
    ScrollIntoViewOptions, ScrollLogicalPosition, Url,
};

use crate::{
    api::{self, PredictError, PredictResponse, Quota, QuotaWindow},
    auth::with_refresh,
};

/// The drawing's coordinate space: strokes are kept in these units whatever the canvas's size on
/// screen or its device-pixel resolution, so they can be redrawn at any scale.
const SIZE: f64 = 280.0;
/// The image types the server accepts.
const ACCEPT: &str = "image/png,image/jpeg,image/gif";

/// One stroke of the pen: its width and the points it went through, in drawing units.
#[derive(Clone, Debug, PartialEq)]
struct Stroke {
    width: f64,
    points: Vec<(f64, f64)>,
}

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

#[component]
fn DrawPad<R, F>(busy: Signal<bool>, recognise: R, fail: F) -> impl IntoView
where
    R: Fn(Blob, String) + Copy + Send + Sync + 'static,
    F: Fn(String) + Copy + Send + Sync + 'static,
{
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let strokes = RwSignal::new(Vec::<Stroke>::new());
    let brush = RwSignal::new(20.0_f64);
    let drawing = StoredValue::new(None::<i32>);

    // Sizes the canvas for the screen's pixel density, and redraws whenever the strokes change.
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let ratio = window().device_pixel_ratio().clamp(1.0, 3.0);
        // Whole device pixels: the canvas stays sharp on high-density screens.
        let side = (SIZE * ratio).round() as u32;
        if canvas.width() != side {
            canvas.set_width(side);
            canvas.set_height(side);
        }
        strokes.with(|strokes| paint(&canvas, strokes));
    });

    let on_down = move |ev: PointerEvent| {
        // Only the main button of a mouse draws; touch and pen always do.
        if ev.pointer_type() == "mouse" && ev.button() != 0 {
            return;
        }
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        ev.prevent_default();
        // Keeps the stroke going when the pointer leaves the canvas while drawing.
        let _ = canvas.set_pointer_capture(ev.pointer_id());
        drawing.set_value(Some(ev.pointer_id()));
        let at = position(&canvas, &ev);
        let width = brush.get_untracked();
        strokes.update(|strokes| {
            strokes.push(Stroke {
                width,
                points: vec![at],
            })
        });
    };
    let on_move = move |ev: PointerEvent| {
        if drawing.get_value() != Some(ev.pointer_id()) {
            return;
        }
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let at = position(&canvas, &ev);
        strokes.update(|strokes| {
            if let Some(stroke) = strokes.last_mut() {
                stroke.points.push(at);
            }
        });
    };
    let on_up = move |ev: PointerEvent| {
        if drawing.get_value() == Some(ev.pointer_id()) {
            drawing.set_value(None);
            if let Some(canvas) = canvas_ref.get_untracked() {
                let _ = canvas.release_pointer_capture(ev.pointer_id());
            }
        }
    };

    let empty = move || strokes.with(Vec::is_empty);
    let on_recognise = move |_| {
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        if strokes.with_untracked(Vec::is_empty) {
            fail("Draw a digit first.".to_owned());
            return;
        }
        spawn_local(async move {
            match canvas_png(&canvas).await {
                Some(blob) => recognise(blob, "drawing.png".to_owned()),
                None => fail("Could not read the drawing. Please try again.".to_owned()),
            }
        });
    };

    view! {
        <section class="pad draw-pad" aria-labelledby="draw-title">
            <h2 id="draw-title">"Draw a digit"</h2>
            <p class="hint" id="draw-hint">
                "Draw one digit, 0 to 9, with your mouse, finger or pen. Fill most of the square."
            </p>
            <canvas
                node_ref=canvas_ref
                class="draw-canvas"
                width="280"
                height="280"
                role="img"
                aria-label="Drawing area"
                aria-describedby="draw-hint"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:lostpointercapture=on_up
            ></canvas>
            <div class="brush">
                <label for="brush-size">"Brush size"</label>
                <input
                    id="brush-size"
                    type="range"
                    min="6"
                    max="40"
                    step="1"
                    prop:value=move || brush.get().to_string()
                    on:input=move |ev| {
                        if let Ok(size) = event_target_value(&ev).parse::<f64>() {
                            brush.set(size);
                        }
                    }
                />
                <output for="brush-size">{move || format!("{} px", brush.get())}</output>
            </div>
            <div class="pad-actions">
                <button
                    type="button"
                    disabled=empty
                    on:click=move |_| strokes.update(|strokes| {
                        strokes.pop();
                    })
                >
                    "Undo"
                </button>
                <button type="button" disabled=empty on:click=move |_| strokes.set(Vec::new())>
                    "Clear"
                </button>
                <button
                    type="button"
                    class="primary"
                    disabled=move || busy.get()
                    on:click=on_recognise
                >
                    "Recognise drawing"
                </button>
            </div>
        </section>
    }
}

thread_local! {
    /// The image chosen in the upload area, in the browser's one thread. Only one upload area
    /// exists at a time; a new one starts empty.
    static CHOSEN_FILE: std::cell::RefCell<Option<File>> = const { std::cell::RefCell::new(None) };
}

#[component]
fn UploadPad<R, F>(busy: Signal<bool>, recognise: R, fail: F) -> impl IntoView
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

#[component]
fn ResultPanel(
    outcome: RwSignal<Outcome>,
    quota: RwSignal<Option<Quota>>,
    section_ref: NodeRef<html::Section>,
) -> impl IntoView {
    // A short summary for screen readers, announced when it changes.
    let summary = move || match outcome.get() {
        Outcome::Idle => String::new(),
        Outcome::Working => "Recognising…".to_owned(),
        Outcome::Done(answer) => format!(
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
                Outcome::Done(answer) => view! { <Answer answer=*answer/> }.into_any(),
            }}
            {move || quota.get().map(|quota| view! { <QuotaLine quota/> })}
        </section>
    }
}

#[component]
fn Answer(answer: PredictResponse) -> impl IntoView {
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
            <h3 id="probabilities-title">"All ten probabilities"</h3>
            <ol class="probabilities" aria-labelledby="probabilities-title">
                {answer
                    .probabilities
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
                    .collect_view()}
            </ol>
            <p class="model-version hint">
                {format!("Model {}, preprocessing v{}", answer.model_version, answer.preprocess_version)}
            </p>
        </div>
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

/// The pointer's position in drawing units.
fn position(canvas: &HtmlCanvasElement, ev: &PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let x = (f64::from(ev.client_x()) - rect.left()) / rect.width().max(1.0) * SIZE;
    let y = (f64::from(ev.client_y()) - rect.top()) / rect.height().max(1.0) * SIZE;
    (x, y)
}

/// Paints the strokes in black on white, scaled to the canvas's pixel size.
fn paint(canvas: &HtmlCanvasElement, strokes: &[Stroke]) {
    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|context| context.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let scale = f64::from(canvas.width()) / SIZE;
    let _ = context.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, SIZE, SIZE);
    context.set_stroke_style_str("#000000");
    context.set_fill_style_str("#000000");
    context.set_line_cap("round");
    context.set_line_join("round");
    for stroke in strokes {
        let Some(&(x0, y0)) = stroke.points.first() else {
            continue;
        };
        context.begin_path();
        if stroke.points.len() == 1 {
            // A tap: a round dot.
            let _ = context.arc(x0, y0, stroke.width / 2.0, 0.0, std::f64::consts::TAU);
            context.fill();
        } else {
            context.set_line_width(stroke.width);
            context.move_to(x0, y0);
            for &(x, y) in &stroke.points[1..] {
                context.line_to(x, y);
            }
            context.stroke();
        }
    }
}

/// The canvas as a PNG.
async fn canvas_png(canvas: &HtmlCanvasElement) -> Option<Blob> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if canvas.to_blob_with_type(&resolve, "image/png").is_err() {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .dyn_into::<Blob>()
        .ok()
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
