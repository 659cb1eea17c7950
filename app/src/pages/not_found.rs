//! The page for addresses that lead nowhere, sent with status 404.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::title_text;
use crate::i18n::{move_tr, tr, use_i18n};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    crate::layout::mark_page_live();
    let i18n = use_i18n();
    view! {
        <Title text=title_text(move || tr!(i18n, "auth-not-found-title"))/>
        <section class="not-found">
            <h1>{move_tr!(i18n, "auth-not-found-title")}</h1>
            <p>{move_tr!(i18n, "auth-not-found-text")}</p>
            <p><A href="/">{move_tr!(i18n, "auth-not-found-home")}</A></p>
        </section>
    }
}
