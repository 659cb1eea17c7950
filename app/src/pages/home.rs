//! The home page: for a logged-in user, the canvas with its live guess, the upload area and the
//! server's answer; for a visitor, the canvas with its live guess (worked out in the browser,
//! nothing sent), what trazo is, how it reads a digit, and the way in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{
    notice::{Notice, NoticeLine},
    recovery::submit_with,
};
use crate::{
    api,
    auth::{use_auth, with_refresh},
    i18n::{move_tr, server_text, use_i18n},
};

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>{move_tr!(i18n, "draw-home-hero-title")}</h1>
            <p class="lede">{move_tr!(i18n, "draw-home-hero-lede")}</p>
        </section>
        <Suspense fallback=|| ()>
            {move || {
                auth.user
                    .get()
                    .map(|user| match user {
                        Some(user) if user.must_confirm_email => {
                            view! { <ConfirmFirst has_address=user.email.is_some()/> }.into_any()
                        }
                        Some(_) => tools::view(tools::Who::Member),
                        None => view! { {tools::once_live()} <JoinIn/> }.into_any(),
                    })
            }}
        </Suspense>
        <section class="how" aria-labelledby="how-title">
            <h2 id="how-title">{move_tr!(i18n, "draw-home-how-title")}</h2>
            <ol class="steps">
                <li>
                    <h3>{move_tr!(i18n, "draw-home-step-clean-title")}</h3>
                    <p>{move_tr!(i18n, "draw-home-step-clean")}</p>
                </li>
                <li>
                    <h3>{move_tr!(i18n, "draw-home-step-centre-title")}</h3>
                    <p>{move_tr!(i18n, "draw-home-step-centre")}</p>
                </li>
                <li>
                    <h3>{move_tr!(i18n, "draw-home-step-recognise-title")}</h3>
                    <p>{move_tr!(i18n, "draw-home-step-recognise")}</p>
                </li>
            </ol>
        </section>
        <section class="for-scripts" aria-labelledby="scripts-title">
            <h2 id="scripts-title">{move_tr!(i18n, "draw-home-scripts-title")}</h2>
            <p>
                {move_tr!(i18n, "draw-home-scripts-before")}<code>"/api/"</code>
                {move_tr!(i18n, "draw-home-scripts-middle")}<code>"curl"</code>
                {move_tr!(i18n, "draw-home-scripts-after")}
            </p>
        </section>
    }
}

/// For a member the operator does not yet let predict (`REQUIRE_CONFIRMED_EMAIL`): why, and a
/// new confirmation link (or where to add an address).
#[component]
fn ConfirmFirst(has_address: bool) -> impl IntoView {
    let i18n = use_i18n();
    let notice = Notice::new(None);
    let pending = RwSignal::new(false);
    let on_resend = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        submit_with(i18n, pending, notice, || {
            with_refresh(api::resend_confirmation)
        });
    };
    view! {
        <section class="confirm-first" aria-labelledby="confirm-first-title">
            <h2 id="confirm-first-title">{move_tr!(i18n, "draw-home-confirm-title")}</h2>
            <p>{move || server_text(i18n, api::EMAIL_UNCONFIRMED)}</p>
            {if has_address {
                view! {
                    <form on:submit=on_resend>
                        <NoticeLine notice/>
                        <button type="submit" class="primary" disabled=move || pending.get()>
                            {move_tr!(i18n, "draw-home-confirm-resend")}
                        </button>
                    </form>
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        <A href="/account">{move_tr!(i18n, "draw-home-confirm-add-address")}</A>
                    </p>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Whether the home page needs the drawing tools, and their chunk: made by the home route before
/// the page (its `data`), awaited by it before the page renders, so that the page renders, and
/// hydrates, in one pass.
///
/// Nothing is awaited to decide. On the server a route's view must not await a resource (it is
/// polled from another thread than the one it belongs to, and the server panics), so the server
/// goes by the session cookies: sent, the page may show the tools, and the server lists their
/// chunk in the page for the browser to preload (a stale cookie costs a download, nothing more).
/// In the browser the route's `preload` runs before hydration, where there is no user yet to
/// await, so the browser goes by the page the server sent: when it holds the tools
/// (`.recognizer`), their chunk is loaded before the page hydrates. Arriving from another page
/// inside the app, nothing is hydrated, and the tools load as soon as the page shows them
/// ([`tools::view`]).
#[derive(Clone, Copy)]
pub struct Tools {
    needed: bool,
}

impl Tools {
    pub fn wanted() -> Self {
        #[cfg(feature = "ssr")]
        let needed = use_context::<http::request::Parts>()
            .is_some_and(|parts| sends_session_cookie(&parts.headers));
        #[cfg(not(feature = "ssr"))]
        let needed = document()
            .query_selector(".recognizer")
            .ok()
            .flatten()
            .is_some();
        Self { needed }
    }

    /// Loads the tools' chunk if the page will show them.
    pub async fn prepare(self) {
        if self.needed {
            tools::load().await;
        }
    }
}

/// Whether a request carries either session cookie (under either name: `__Host-` over HTTPS).
#[cfg(feature = "ssr")]
fn sends_session_cookie(headers: &http::HeaderMap) -> bool {
    use crate::api::{ACCESS_COOKIE, REFRESH_COOKIE};

    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| {
            let name = name.strip_prefix("__Host-").unwrap_or(name);
            !value.is_empty() && (name == ACCESS_COOKIE || name == REFRESH_COOKIE)
        })
}

/// The drawing tools (canvas, live guess, upload, result panel): the largest part of the home
/// page, in a WASM chunk of their own in the split build. Someone logged in gets them with the
/// page; a visitor's page becomes interactive without them, and they follow ([`once_live`]).
/// The model behind the live guess is a chunk of its own again, fetched once the tools are live
/// (`draw::live`).
mod tools {
    use std::sync::OnceLock;

    use leptos::{prelude::*, task::spawn_local};

    use super::super::draw::{Recognizer, Sketchpad};
    use crate::i18n::{move_tr, use_i18n};

    /// Whom the tools are for.
    #[derive(Clone, Copy)]
    pub enum Who {
        /// Someone logged in: the server's answers, uploads and history too.
        Member,
        /// A visitor: the canvas and the live guess only.
        Visitor,
    }

    type Render = fn(Who) -> AnyView;

    /// Renders the tools; set once their chunk has arrived.
    static RENDER: OnceLock<Render> = OnceLock::new();

    #[cfg_attr(any(feature = "split", not(target_arch = "wasm32")), leptos::lazy)]
    async fn drawing_tools() -> Render {
        fn render(who: Who) -> AnyView {
            match who {
                Who::Member => view! { <Recognizer/> }.into_any(),
                Who::Visitor => view! { <Sketchpad/> }.into_any(),
            }
        }
        render as Render
    }

    /// Fetches the chunk (once; on the server this also lists it in the page for the browser to
    /// preload).
    pub async fn load() {
        let render = drawing_tools().await;
        _ = RENDER.set(render);
    }

    /// The tools: at once if their chunk is here (always, when the route has prepared them),
    /// else as soon as it has arrived (someone who logs in elsewhere while the page is open).
    pub fn view(who: Who) -> AnyView {
        match RENDER.get() {
            Some(render) => render(who),
            None => Suspend::new(async move {
                load().await;
                RENDER.get().map(|render| render(who))
            })
            .into_any(),
        }
    }

    /// A visitor's tools, fetched once the page is live: the server (which runs no effects)
    /// renders, and lists for preloading, only a placeholder of the same size, and the page
    /// hydrates with that before the tools' chunk is asked for.
    pub fn once_live() -> AnyView {
        let render = RwSignal::new(None::<Render>);
        Effect::new(move |_| {
            spawn_local(async move {
                load().await;
                render.set(RENDER.get().copied());
            });
        });
        view! {
            {move || match render.get() {
                Some(render) => render(Who::Visitor),
                None => view! { <Placeholder/> }.into_any(),
            }}
        }
        .into_any()
    }

    /// What a visitor sees where the drawing pad will be.
    #[component]
    fn Placeholder() -> impl IntoView {
        let i18n = use_i18n();
        view! {
            <div class="sketchpad-pending">
                <section class="pad draw-pad" aria-labelledby="draw-title">
                    <h2 id="draw-title">{move_tr!(i18n, "draw-title")}</h2>
                    <p class="pad-waiting" role="status">{move_tr!(i18n, "draw-pad-waiting")}</p>
                    // The browser hydrates nothing inside `<noscript>`: this is the server's text.
                    <noscript>
                        <p class="hint">{move_tr!(i18n, "draw-noscript")}</p>
                    </noscript>
                </section>
            </div>
        }
    }
}

/// What a visitor needs to start: an account.
#[component]
fn JoinIn() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="join" aria-labelledby="join-title">
            <h2 id="join-title">{move_tr!(i18n, "draw-home-join-title")}</h2>
            <p>{move_tr!(i18n, "draw-home-join-text")}</p>
            <p class="join-links">
                <A href="/register" attr:class="button primary">
                    {move_tr!(i18n, "draw-home-join-register")}
                </A>
                <A href="/login" attr:class="button">
                    {move_tr!(i18n, "draw-home-join-login")}
                </A>
            </p>
        </section>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use http::{HeaderMap, HeaderValue, header::COOKIE};

    use super::sends_session_cookie;

    fn cookies(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                COOKIE,
                HeaderValue::from_str(value).expect("a header value"),
            );
        }
        headers
    }

    #[test]
    fn a_session_cookie_under_either_name_is_a_hint() {
        assert!(sends_session_cookie(&cookies(&["trazo_access=abc"])));
        assert!(sends_session_cookie(&cookies(&[
            "theme=dark; trazo_refresh=xyz"
        ])));
        assert!(sends_session_cookie(&cookies(&[
            "a=1",
            "__Host-trazo_refresh=xyz"
        ])));
        assert!(sends_session_cookie(&cookies(&["__Host-trazo_access=abc"])));
    }

    #[test]
    fn no_cookie_an_empty_one_or_a_lookalike_is_not() {
        assert!(!sends_session_cookie(&HeaderMap::new()));
        assert!(!sends_session_cookie(&cookies(&["trazo_access="])));
        assert!(!sends_session_cookie(&cookies(&[
            "my_trazo_access=abc; trazo_accessory=1"
        ])));
        assert!(!sends_session_cookie(&cookies(&["theme=trazo_access=abc"])));
    }
}
