//! trazo's user interface: the HTML shell, the router and the pages, rendered on the server and
//! hydrated in the browser.

// The home page's drawing tools nest deep view types (tachys encodes the whole tree in the type);
// the server build's layout computation of them needs more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod auth;
mod csp;
pub mod i18n;
mod layout;
mod pages;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

pub use csp::content_security_policy;

/// The document around every page. Runs on the server only, once per request; `<html lang>` is
/// the language this request is rendered in, which the browser reads back when it hydrates
/// (`i18n::provide`).
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::Lang::for_request().code();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = i18n::provide();
    let auth = auth::Auth::provide();
    // A logged-in person's own choice of language (saved by the switch) wins over this
    // browser's, once they are known: at log-in, and on a device that had another one.
    Effect::new(move |_| {
        let chosen = auth.user.get().flatten().and_then(|user| user.language);
        if let Some(lang) = chosen.as_deref().and_then(i18n::Lang::from_code)
            && lang.code() != i18n.language.get_untracked().id
        {
            i18n::set_language(i18n, lang);
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/trazo.css"/>
        <Title formatter=|page: String| if page.is_empty() { "trazo".to_owned() } else { format!("{page} · trazo") }/>
        <Router>
            <layout::Shell>
                <Routes fallback=pages::NotFound>
                    // Async: each page is sent whole once its data is ready, so it works without
                    // JavaScript and a logged-out visitor can be redirected before anything is sent.
                    // Each page's code is loaded with the page (pages.rs).
                    <Route path=StaticSegment("") view={Lazy::<pages::HomeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("login") view={Lazy::<pages::LoginRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("register") view={Lazy::<pages::RegisterRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("account") view={Lazy::<pages::AccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("admin") view={Lazy::<pages::AdminRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("stats")) view={Lazy::<pages::AdminStatsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("history") view={Lazy::<pages::HistoryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("forgot-password") view={Lazy::<pages::ForgotPasswordRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("reset-password") view={Lazy::<pages::ResetPasswordRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("confirm-email") view={Lazy::<pages::ConfirmEmailRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </layout::Shell>
        </Router>
    }
}
