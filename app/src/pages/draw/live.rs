//! The live guess: while someone draws, the same model as the server's, compiled to WebAssembly,
//! reads the canvas in the browser: no request, no quota, nothing stored. The server's answer
//! ("Recognise") stays the answer of record; when both have read the same drawing, the page
//! checks that they agree.
//!
//! The model is a WebAssembly module of its own (the `trazo-live` crate, built into
//! `/live/` by `scripts/build-live.sh`), not part of the page's bundle: the page imports it, and
//! fetches the weights, only once it is live (an effect, which never runs on the server), so no
//! page lists it for preloading and a first visit pays nothing for it.

use leptos::{html, prelude::*};

use crate::i18n::{I18n, fmt, lang_of, move_tr, tr, use_i18n};

/// Digits the model tells apart.
const CLASSES: usize = 10;

/// Largest difference between the browser's and the server's probability for any digit that
/// still counts as the same answer (the two differ only in floating-point rounding).
pub(super) const AGREEMENT: f32 = 1e-4;

/// A greyscale picture, white ink on black, row-major (one of the preprocessing steps).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub(super) struct Picture {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// What the in-browser model made of the drawing as it stands (read from the live module's JSON,
/// `trazo_live::Guess`).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub(super) struct Guess {
    pub digit: u8,
    pub probabilities: [f32; CLASSES],
    /// The ink's bounding box, cut out.
    pub crop: Picture,
    /// The crop with its longer side scaled to 20 pixels.
    pub fitted: Picture,
    /// The 28 × 28 input, centred by its centre of mass.
    pub input: Picture,
    pub model_version: String,
    pub preprocess_version: u32,
    /// From reading the canvas to the guess, in milliseconds (measured by the page).
    #[serde(default)]
    pub millis: f64,
}

/// Where the live guess stands (only the browser leaves `Loading`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) enum State {
    /// The model is on its way (or the page is not live yet).
    Loading,
    /// Loaded; nothing on the canvas that looks like a digit.
    Empty,
    Ready(Box<Guess>),
    /// The model could not be loaded or run here; drawing and "Recognise" still work.
    Failed(Trouble),
}

/// Why the live guess is not available, translated when shown ([`Trouble::text`]); the
/// browser's own technical detail, where there is one, is kept as it came.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(super) enum Trouble {
    /// The module could not be imported or started.
    NotLoaded(Option<String>),
    /// The module is not the one this page expects.
    WrongModule,
    /// The weights could not be fetched (the HTTP status, when the server answered).
    NotFetched(Option<u16>),
    /// The server now runs another version of the model.
    OtherVersion,
    /// The module refused the weights.
    Refused(Option<String>),
    /// The module's answer could not be read.
    Unreadable(String),
    /// The module could not read the drawing.
    ReadFailed(Option<String>),
    /// The browser cannot give the canvas's pixels back.
    NoPixels,
}

impl Trouble {
    /// The reason in the current language (reactive).
    fn text(&self, i18n: I18n) -> String {
        let with_detail = |what: String, detail: &Option<String>| match detail {
            Some(detail) => tr!(i18n, "draw-live-error-detail", {
                "what" => what,
                "detail" => detail.as_str(),
            }),
            None => what,
        };
        match self {
            Trouble::NotLoaded(detail) => {
                with_detail(tr!(i18n, "draw-live-error-not-loaded"), detail)
            }
            Trouble::WrongModule => tr!(i18n, "draw-live-error-wrong-module"),
            Trouble::NotFetched(None) => tr!(i18n, "draw-live-error-not-fetched"),
            Trouble::NotFetched(Some(status)) => tr!(i18n, "draw-live-error-fetch-status", {
                "status" => status.to_string(),
            }),
            Trouble::OtherVersion => tr!(i18n, "draw-live-error-other-version"),
            Trouble::Refused(detail) => with_detail(tr!(i18n, "draw-live-error-refused"), detail),
            Trouble::Unreadable(detail) => tr!(i18n, "draw-live-error-unreadable", {
                "detail" => detail.as_str(),
            }),
            Trouble::ReadFailed(detail) => {
                with_detail(tr!(i18n, "draw-live-error-read-failed"), detail)
            }
            Trouble::NoPixels => tr!(i18n, "draw-live-error-no-pixels"),
        }
    }
}

/// How the server's answer compares with the browser's guess for the same drawing.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Agreement {
    /// Every probability within [`AGREEMENT`]; the largest difference.
    Same(f32),
    /// The same versions, different numbers: the largest difference.
    Differs(f32),
    /// The page's model or preprocessing is another version than the server's (a deployment
    /// since the page was loaded, or a cached answer from an older model).
    OtherVersion,
}

impl Guess {
    /// Compares the server's answer for the same drawing with this guess.
    pub(super) fn agreement(
        &self,
        probabilities: &[f32],
        model_version: &str,
        preprocess_version: u32,
    ) -> Agreement {
        if model_version != self.model_version || preprocess_version != self.preprocess_version {
            return Agreement::OtherVersion;
        }
        if probabilities.len() != CLASSES {
            return Agreement::Differs(1.0);
        }
        let largest = self
            .probabilities
            .iter()
            .zip(probabilities)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        if largest <= AGREEMENT {
            Agreement::Same(largest)
        } else {
            Agreement::Differs(largest)
        }
    }
}

/// The live guess for one canvas: its state, and what reads the canvas into it.
#[derive(Clone, Copy)]
pub(super) struct Live {
    canvas: NodeRef<html::Canvas>,
    pub state: RwSignal<State>,
    /// When the last guess was made and how long it took (ms), to pace guesses while drawing.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pace: StoredValue<(f64, f64)>,
}

impl Live {
    /// Starts fetching the model once the page is live.
    pub(super) fn new(canvas: NodeRef<html::Canvas>) -> Self {
        let live = Self {
            canvas,
            state: RwSignal::new(State::Loading),
            pace: StoredValue::new((f64::NEG_INFINITY, 0.0)),
        };
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| {
            leptos::task::spawn_local(async move {
                match model::load().await {
                    Ok(()) => live.refresh(false),
                    Err(why) => _ = live.state.try_set(State::Failed(why)),
                }
            });
        });
        live
    }

    /// The guess for the drawing as it is now, if there is one.
    pub(super) fn current(&self) -> Option<Guess> {
        self.state.with_untracked(|state| match state {
            State::Ready(guess) => Some((**guess).clone()),
            _ => None,
        })
    }

    /// Reads the canvas again after it was painted. While a stroke is still being drawn
    /// (`drawing`) only if the last guess was quick and not too recent, so that drawing stays
    /// smooth on a slow phone; at a stroke's end, undo or clear, always.
    pub(super) fn refresh(&self, drawing: bool) {
        #[cfg(feature = "hydrate")]
        {
            if !model::loaded() {
                return;
            }
            // `try_`: the model may arrive after the page it was fetched for has gone.
            let Some(canvas) = self.canvas.try_get_untracked().flatten() else {
                return;
            };
            let now = window().performance().map_or(0.0, |p| p.now());
            let Some((last, took)) = self.pace.try_get_value() else {
                return;
            };
            if drawing && now - last < (8.0 * took).max(100.0) {
                return;
            }
            let next = match read(&canvas) {
                Some((rgba, width, height)) => match model::guess(&rgba, width, height) {
                    Ok(Some(mut guess)) => {
                        let done = window().performance().map_or(0.0, |p| p.now());
                        guess.millis = done - now;
                        State::Ready(Box::new(guess))
                    }
                    Ok(None) => State::Empty,
                    Err(why) => State::Failed(why),
                },
                None => State::Failed(Trouble::NoPixels),
            };
            let done = window().performance().map_or(0.0, |p| p.now());
            self.pace.try_set_value((done, done - now));
            self.state.try_set(next);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (drawing, self.canvas);
    }
}

/// The canvas's pixels (RGBA) and size.
#[cfg(feature = "hydrate")]
fn read(canvas: &web_sys::HtmlCanvasElement) -> Option<(Vec<u8>, u32, u32)> {
    use wasm_bindgen::JsCast;

    let context = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<web_sys::CanvasRenderingContext2d>()
        .ok()?;
    let (width, height) = (canvas.width(), canvas.height());
    let data = context
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .ok()?;
    Some((data.data().0, width, height))
}

/// The live module (`/live/trazo_live.js` and its WASM), imported once; its weights are fetched
/// from the server (`GET /api/model/{version}.bpk`, the version the module was built with).
#[cfg(feature = "hydrate")]
mod model {
    use std::cell::Cell;

    use wasm_bindgen::prelude::*;

    use super::{Guess, Trouble};

    /// Where `scripts/build-live.sh` puts the module, under the site root.
    const BASE: &str = "/live/";

    thread_local! {
        static LOADED: Cell<bool> = const { Cell::new(false) };
    }

    #[wasm_bindgen(inline_js = r#"
let live = null;
export async function importLive(base) {
  const module = await import(base + "trazo_live.js");
  await module.default({ module_or_path: base + "trazo_live_bg.wasm" });
  live = module;
  return module.model_version();
}
export function loadLive(weights) { live.load(weights); }
export function guessLive(rgba, width, height) { return live.guess(rgba, width, height); }
"#)]
    extern "C" {
        /// Imports the module and starts its WebAssembly: the model version it was built with.
        #[wasm_bindgen(catch, js_name = importLive)]
        async fn import_live(base: &str) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = loadLive)]
        fn load_live(weights: &[u8]) -> Result<(), JsValue>;
        /// The guess as JSON, or `undefined` when the pixels hold no digit.
        #[wasm_bindgen(catch, js_name = guessLive)]
        fn guess_live(rgba: &[u8], width: u32, height: u32) -> Result<Option<String>, JsValue>;
    }

    /// Imports the module and loads the weights (once).
    pub(super) async fn load() -> Result<(), Trouble> {
        if LOADED.with(Cell::get) {
            return Ok(());
        }
        let version = import_live(BASE)
            .await
            .map_err(|e| Trouble::NotLoaded(detail(&e)))?
            .as_string()
            .ok_or(Trouble::WrongModule)?;
        let weights = fetch_weights(&version).await?;
        load_live(&weights).map_err(|e| Trouble::Refused(detail(&e)))?;
        LOADED.with(|cell| cell.set(true));
        Ok(())
    }

    pub(super) fn loaded() -> bool {
        LOADED.with(Cell::get)
    }

    /// A JavaScript error's message (a string thrown by the module, or an `Error`'s), if it
    /// has one, for people to read.
    fn detail(error: &JsValue) -> Option<String> {
        error.as_string().or_else(|| {
            js_sys::Reflect::get(error, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
    }

    async fn fetch_weights(version: &str) -> Result<Vec<u8>, Trouble> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;

        let unreachable = |_: JsValue| Trouble::NotFetched(None);
        let url = format!("/api/model/{version}.bpk");
        let response: web_sys::Response =
            JsFuture::from(leptos::prelude::window().fetch_with_str(&url))
                .await
                .map_err(unreachable)?
                .dyn_into()
                .map_err(unreachable)?;
        if !response.ok() {
            return Err(if response.status() == 404 {
                Trouble::OtherVersion
            } else {
                Trouble::NotFetched(Some(response.status()))
            });
        }
        let buffer = JsFuture::from(response.array_buffer().map_err(unreachable)?)
            .await
            .map_err(unreachable)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }

    /// Reads RGBA pixels of the given size: `Ok(None)` when there is no digit to read.
    pub(super) fn guess(rgba: &[u8], width: u32, height: u32) -> Result<Option<Guess>, Trouble> {
        match guess_live(rgba, width, height) {
            Ok(Some(json)) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| Trouble::Unreadable(e.to_string())),
            Ok(None) => Ok(None),
            Err(error) => Err(Trouble::ReadFailed(detail(&error))),
        }
    }
}

/// The live guess beside the canvas: the digit, the ten probabilities, and on request the steps
/// from the drawing to the model's input (a disclosure that stays open from one guess to the next).
#[component]
pub(super) fn LivePanel(live: Live) -> impl IntoView {
    let i18n = use_i18n();
    let state = live.state;
    let guess = Memo::new(move |_| match state.get() {
        State::Ready(guess) => Some(guess),
        _ => None,
    });
    let status = move || match state.get() {
        State::Loading => Some(tr!(i18n, "draw-live-loading")),
        State::Empty => Some(tr!(i18n, "draw-live-empty")),
        State::Failed(why) => Some(tr!(i18n, "draw-live-unavailable", {
            "why" => why.text(i18n),
        })),
        State::Ready(_) => None,
    };
    let crop_caption = move_tr!(i18n, "draw-step-crop");
    let fitted_caption = move_tr!(i18n, "draw-step-fitted");
    let input_caption = move_tr!(i18n, "draw-step-centred");
    view! {
        <section class="pad live" aria-labelledby="live-title">
            <h2 id="live-title">{move_tr!(i18n, "draw-live-title")}</h2>
            <p class="hint live-note">{move_tr!(i18n, "draw-live-note")}</p>
            {move || status().map(|text| view! { <p class="hint live-status">{text}</p> })}
            {move || guess.get().map(|guess| view! { <LiveGuess guess=*guess/> })}
            <details class="steps" hidden=move || guess.with(Option::is_none)>
                <summary>{move_tr!(i18n, "draw-live-steps")}</summary>
                {move || {
                    guess
                        .get()
                        .map(|guess| {
                            let guess = *guess;
                            view! {
                                <ol class="step-pictures">
                                    <Step picture=guess.crop caption=crop_caption/>
                                    <Step picture=guess.fitted caption=fitted_caption/>
                                    <Step picture=guess.input caption=input_caption/>
                                </ol>
                            }
                        })
                }}
            </details>
        </section>
    }
}

#[component]
fn LiveGuess(guess: Guess) -> impl IntoView {
    let i18n = use_i18n();
    let digit = guess.digit;
    let probabilities = guess.probabilities;
    let top = probabilities[usize::from(digit)];
    let millis = guess.millis;
    view! {
        <p
            class="live-verdict"
            data-probabilities=probabilities.map(|p| p.to_string()).join(",")
            data-millis=format!("{:.2}", millis)
        >
            <span class="live-digit">{digit.to_string()}</span>
            <span class="live-probability">
                {move || super::result::percent(lang_of(i18n), top)}
            </span>
            <span class="visually-hidden">
                {move_tr!(i18n, "draw-live-guess-digit", { "digit" => i64::from(digit) })}
            </span>
        </p>
        <ol class="probabilities live-probabilities" aria-label=move_tr!(i18n, "draw-live-probabilities")>
            {super::result::probability_items(i18n, &probabilities, digit)}
        </ol>
        <p class="hint live-timing">
            {move_tr!(i18n, "draw-live-timing", {
                "ms" => fmt::int(lang_of(i18n), millis.round() as i64),
            })}
        </p>
    }
}

/// One preprocessing step as a small picture (pixels scaled up, not smoothed, into a square of
/// the same size for every step: `.step-picture` in the style sheet; no inline style, which the
/// page's Content-Security-Policy refuses).
#[component]
fn Step(picture: Picture, #[prop(into)] caption: Signal<String>) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    #[cfg(feature = "hydrate")]
    {
        let picture = picture.clone();
        Effect::new(move |_| {
            if let Some(canvas) = canvas.get() {
                paint(&canvas, &picture);
            }
        });
    }
    view! {
        <li>
            <figure>
                <canvas
                    node_ref=canvas
                    class="step-picture"
                    width=picture.width
                    height=picture.height
                    role="img"
                    aria-label=caption
                ></canvas>
                <figcaption>{caption}</figcaption>
            </figure>
        </li>
    }
}

/// Draws a picture into a canvas of its size.
#[cfg(feature = "hydrate")]
fn paint(canvas: &web_sys::HtmlCanvasElement, picture: &Picture) {
    use wasm_bindgen::{Clamped, JsCast};

    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|context| context.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let rgba: Vec<u8> = picture
        .pixels
        .iter()
        .flat_map(|&v| [v, v, v, 255])
        .collect();
    if let Ok(data) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&rgba),
        picture.width as u32,
        picture.height as u32,
    ) {
        let _ = context.put_image_data(&data, 0.0, 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(probabilities: [f32; CLASSES]) -> Guess {
        let picture = Picture {
            width: 1,
            height: 1,
            pixels: vec![0],
        };
        Guess {
            digit: 1,
            probabilities,
            crop: picture.clone(),
            fitted: picture.clone(),
            input: picture,
            model_version: "abc".to_owned(),
            preprocess_version: 1,
            millis: 1.0,
        }
    }

    #[test]
    fn rounding_differences_are_the_same_answer() {
        let mut server = [0.0; CLASSES];
        server[1] = 1.0;
        let mut browser = server;
        browser[1] -= 0.00004;
        browser[7] += 0.00004;
        assert_eq!(
            guess(browser).agreement(&server, "abc", 1),
            Agreement::Same(browser[7])
        );
    }

    #[test]
    fn larger_differences_or_other_versions_are_reported() {
        let mut server = [0.0; CLASSES];
        server[1] = 1.0;
        let mut browser = server;
        browser[1] = 0.9;
        browser[7] = 0.1;
        assert!(matches!(
            guess(browser).agreement(&server, "abc", 1),
            Agreement::Differs(d) if (d - 0.1).abs() < 1e-6
        ));
        assert_eq!(
            guess(server).agreement(&server, "abd", 1),
            Agreement::OtherVersion
        );
        assert_eq!(
            guess(server).agreement(&server, "abc", 2),
            Agreement::OtherVersion
        );
        assert!(matches!(
            guess(server).agreement(&server[..9], "abc", 1),
            Agreement::Differs(_)
        ));
    }
}
