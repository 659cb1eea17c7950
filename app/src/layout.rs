//! The frame around every page: the header with the site's navigation and the main landmark.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{
    NavigateOptions,
    components::A,
    hooks::{use_location, use_navigate},
};

use crate::{
    api,
    auth::use_auth,
    i18n::{self, Lang, lang_of, move_tr, tr, use_i18n},
};

/// Which page inside the frame is live (hydrated, its handlers attached), by the number each
/// page draws as it renders.
#[derive(Clone, Copy)]
pub struct PageLive {
    live: RwSignal<Option<u64>>,
    next: StoredValue<u64>,
}

/// Called by every page as it renders: once its own effects run (it has hydrated), the frame's
/// `data-hydrated` turns `true`; when it is replaced by another page, `false` until that one is
/// live too. Each page clears only its own mark, so the order in which the old page is cleaned
/// up and the new one's effect runs does not matter.
pub fn mark_page_live() {
    if let Some(PageLive { live, next }) = use_context::<PageLive>() {
        let me = next.get_value();
        next.set_value(me + 1);
        Effect::new(move |_| live.set(Some(me)));
        on_cleanup(move || {
            // The frame may be going away too (its signal already disposed).
            if live.try_get_untracked() == Some(Some(me)) {
                live.try_set(None);
            }
        });
    }
}

/// Header, navigation and main content area.
///
/// The menu button collapses the navigation on narrow screens. `data-hydrated` turns `true` once
/// the WASM has taken over the frame and the page in it (see [`mark_page_live`]), which lets
/// tests (and curious people) tell a server-rendered page from a live one.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let (hydrated, set_hydrated) = signal(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| set_hydrated.set(true));
    // The frame hydrates first; a lazily loaded page after its chunk has arrived. The page is
    // live only when it says so (`mark_page_live`).
    let page_live = RwSignal::new(None);
    provide_context(PageLive {
        live: page_live,
        next: StoredValue::new(0),
    });
    let live = move || (hydrated.get() && page_live.get().is_some()).to_string();
    let i18n = use_i18n();

    view! {
        <div class="app" data-hydrated=live>
            <a class="skip-link" href="#main">{move_tr!(i18n, "common-skip-to-content")}</a>
            <header class="site-header">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"✎"</span>
                    "trazo"
                </A>
                <button
                    type="button"
                    class="menu-toggle"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    <span class="visually-hidden">{move_tr!(i18n, "common-menu")}</span>
                    <span aria-hidden="true">"☰"</span>
                </button>
                <nav
                    id="site-nav"
                    class="site-nav"
                    class:open=move || menu_open.get()
                    aria-label=move_tr!(i18n, "common-nav-main")
                >
                    <A href="/">{move_tr!(i18n, "common-nav-home")}</A>
                    <UserNav/>
                    <LanguageSwitch/>
                </nav>
            </header>
            <main id="main" tabindex="-1">{children()}</main>
            <footer class="site-footer">
                <p>{move_tr!(i18n, "common-footer")}</p>
            </footer>
        </div>
    }
}

/// The logged-in user's links and log-out button, or links to log in and sign up.
#[component]
fn UserNav() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let on_logout = move |event: SubmitEvent| {
        event.prevent_default();
        let navigate = navigate.clone();
        spawn_local(async move {
            // Logged out on the server or not, the page forgets the user.
            let _ = api::logout().await;
            auth.clear();
            navigate("/", NavigateOptions::default());
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                auth.user
                    .get()
                    .map(|user| match user {
                        Some(user) => {
                            let admin = user.is_admin();
                            let on_logout = on_logout.clone();
                            view! {
                                <A href="/history">{move_tr!(i18n, "common-nav-history")}</A>
                                {admin.then(|| view! { <A href="/admin">{move_tr!(i18n, "common-nav-admin")}</A> })}
                                <A href="/account" attr:class="nav-user">
                                    <span class="visually-hidden">{move_tr!(i18n, "common-nav-account-of")}</span>
                                    {user.username}
                                </A>
                                <form class="logout" method="post" action="/auth/logout" on:submit=on_logout>
                                    <button type="submit">{move_tr!(i18n, "common-log-out")}</button>
                                </form>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <A href="/login">{move_tr!(i18n, "common-log-in")}</A>
                                <A href="/register" attr:class="nav-cta">{move_tr!(i18n, "common-sign-up")}</A>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

/// The other language, as a button in its own name (`Español` on an English page). Without
/// JavaScript it posts to `/auth/language`, which sets the cookie (and the account's language)
/// and comes back to the same page; with it, the page switches in place and, for a logged-in
/// person, saves the choice in the account.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let location = use_location();
    let other = move || match lang_of(i18n) {
        Lang::En => Lang::Es,
        Lang::Es => Lang::En,
    };
    let here = move || format!("{}{}", location.pathname.get(), location.search.get());
    let on_switch = move |event: SubmitEvent| {
        event.prevent_default();
        let lang = other();
        i18n::set_language(i18n, lang);
        let logged_in = auth.user.get_untracked().flatten().is_some();
        if logged_in {
            spawn_local(async move {
                // The page has switched already; an account that could not be told keeps its
                // old choice until the next switch.
                let _ = api::set_language(Some(lang.code().to_owned())).await;
            });
        }
    };
    view! {
        <form class="lang-switch" method="post" action="/auth/language" on:submit=on_switch>
            <input type="hidden" name="next" value=here/>
            <button
                type="submit"
                name="lang"
                value=move || other().code()
                lang=move || other().code()
                title=move || tr!(i18n, "common-language-switch")
            >
                {move || other().name()}
            </button>
        </form>
    }
}
