//! WASM entry point: hydrates the HTML the server rendered so its pages become interactive.

// The app's whole view tree is one nested type (tachys); computing the layout of its hydration
// future needs more than the default 128 (as in app/src/lib.rs).
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: the page's own code may be a lazily loaded WASM chunk
    // (app/src/pages.rs), fetched before the page it renders is hydrated.
    leptos::mount::hydrate_lazy(app::App);
}
