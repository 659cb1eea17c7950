//! The frame around every page: the header with the site's navigation and the main landmark.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{NavigateOptions, components::A, hooks::use_navigate};

use crate::{api, auth::use_auth};

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

    view! {
        <div class="app" data-hydrated=live>
            <a class="skip-link" href="#main">"Skip to content"</a>
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
                    <span class="visually-hidden">"Menu"</span>
                    <span aria-hidden="true">"☰"</span>
                </button>
                <nav
                    id="site-nav"
                    class="site-nav"
                    class:open=move || menu_open.get()
                    aria-label="Main"
                >
                    <A href="/">"Home"</A>
                    <UserNav/>
                </nav>
            </header>
            <main id="main" tabindex="-1">{children()}</main>
            <footer class="site-footer">
                <p>"trazo recognises handwritten digits with a convolutional network trained on MNIST."</p>
            </footer>
        </div>
    }
}

/// The logged-in user's links and log-out button, or links to log in and sign up.
#[component]
fn UserNav() -> impl IntoView {
    let auth = use_auth();
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
                                <A href="/history">"History"</A>
                                {admin.then(|| view! { <A href="/admin">"Admin"</A> })}
                                <A href="/account" attr:class="nav-user">
                                    <span class="visually-hidden">"Account of "</span>
                                    {user.username}
                                </A>
                                <form class="logout" method="post" action="/auth/logout" on:submit=on_logout>
                                    <button type="submit">"Log out"</button>
                                </form>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <A href="/login">"Log in"</A>
                                <A href="/register" attr:class="nav-cta">"Sign up"</A>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}
