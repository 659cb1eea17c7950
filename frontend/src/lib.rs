//! WASM entry point: hydrates the HTML the server rendered so its pages become interactive.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: the page's own code may be a lazily loaded WASM chunk
    // (app/src/pages.rs), fetched before the page it renders is hydrated.
    leptos::mount::hydrate_lazy(app::App);
}
