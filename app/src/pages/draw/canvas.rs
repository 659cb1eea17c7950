//! The drawing pad: a canvas to draw a digit on with a mouse, a finger or a pen.

use leptos::{html, prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};

use super::{Failure, live::Live};
use crate::i18n::{fmt, lang_of, move_tr, use_i18n};

/// The drawing's coordinate space: strokes are kept in these units whatever the canvas's size on
/// screen or its device-pixel resolution, so they can be redrawn at any scale.
const SIZE: f64 = 280.0;

/// One stroke of the pen: its width and the points it went through, in drawing units.
#[derive(Clone, Debug, PartialEq)]
struct Stroke {
    width: f64,
    points: Vec<(f64, f64)>,
}

/// Asking the server for the answer of record, for someone logged in.
#[derive(Clone, Copy)]
pub(super) struct Ask {
    /// Whether an answer is on its way (the button waits).
    pub busy: Signal<bool>,
    /// Gets the drawing as a PNG.
    pub recognise: Callback<(Blob, String)>,
    /// Says why the drawing could not be sent.
    pub fail: Callback<Failure>,
}

/// The canvas, the brush size and the buttons. Every repaint is handed to the `live` guess;
/// with `ask` (someone logged in) a button sends the drawing to the server.
#[component]
pub(super) fn DrawPad(
    canvas_ref: NodeRef<html::Canvas>,
    live: Live,
    #[prop(optional)] ask: Option<Ask>,
) -> impl IntoView {
    let i18n = use_i18n();
    let strokes = RwSignal::new(Vec::<Stroke>::new());
    let brush = RwSignal::new(20.0_f64);
    let drawing = StoredValue::new(None::<i32>);
    // False until the WASM has taken over the page (effects run only then). Before that a stroke
    // would draw nothing and be lost, so the pad says it is not ready and takes no strokes.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));

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
        live.refresh(drawing.get_value().is_some());
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
            // The stroke has ended: the live guess reads it whole.
            live.refresh(false);
        }
    };

    let empty = move || strokes.with(Vec::is_empty);
    let on_recognise = move |ask: Ask| {
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        if strokes.with_untracked(Vec::is_empty) {
            ask.fail.run(Failure::NothingDrawn);
            return;
        }
        spawn_local(async move {
            match canvas_png(&canvas).await {
                Some(blob) => ask.recognise.run((blob, "drawing.png".to_owned())),
                None => ask.fail.run(Failure::DrawingUnreadable),
            }
        });
    };

    view! {
        <section class="pad draw-pad" aria-labelledby="draw-title">
            <h2 id="draw-title">{move_tr!(i18n, "draw-title")}</h2>
            <p class="hint" id="draw-hint">{move_tr!(i18n, "draw-hint")}</p>
            <p class="pad-waiting" role="status" hidden=move || ready.get()>
                {move_tr!(i18n, "draw-pad-waiting")}
            </p>
            <canvas
                node_ref=canvas_ref
                class="draw-canvas"
                aria-busy=move || (!ready.get()).to_string()
                width="280"
                height="280"
                role="img"
                aria-label=move_tr!(i18n, "draw-canvas-label")
                aria-describedby="draw-hint"
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:lostpointercapture=on_up
            ></canvas>
            <div class="brush">
                <label for="brush-size">{move_tr!(i18n, "draw-brush-size")}</label>
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
                <output for="brush-size">
                    {move_tr!(i18n, "draw-brush-px", {
                        "size" => fmt::int(lang_of(i18n), brush.get().round() as i64),
                    })}
                </output>
            </div>
            <div class="pad-actions">
                <button
                    type="button"
                    disabled=empty
                    on:click=move |_| strokes.update(|strokes| {
                        strokes.pop();
                    })
                >
                    {move_tr!(i18n, "draw-undo")}
                </button>
                <button type="button" disabled=empty on:click=move |_| strokes.set(Vec::new())>
                    {move_tr!(i18n, "draw-clear")}
                </button>
                {ask
                    .map(|ask| {
                        view! {
                            <button
                                type="button"
                                class="primary"
                                disabled=move || ask.busy.get() || !ready.get()
                                on:click=move |_| on_recognise(ask)
                            >
                                {move_tr!(i18n, "draw-recognise-drawing")}
                            </button>
                        }
                    })}
            </div>
        </section>
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
