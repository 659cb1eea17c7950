//! The pages the router serves.
//!
//! Each page is a lazy route: in the split release build its code is a WASM chunk of its own,
//! fetched with the page (preloaded by the server-rendered HTML on a first visit, fetched on
//! navigation after that), so a first visit downloads the app's frame and the page it is on
//! rather than every page. In an unsplit build (`cargo leptos build`, `make run`) every page is
//! in the one bundle and the routes only wait for nothing.

mod account;
mod admin;
mod credentials;
mod draw;
mod history;
mod home;
mod label;
mod not_found;
mod notice;
mod pager;
mod recovery;
mod stats;

pub use account::AccountPage;
pub use admin::AdminPage;
pub use credentials::{LoginPage, RegisterPage};
pub use history::HistoryPage;
pub use home::HomePage;
pub use not_found::NotFound;
pub use recovery::{ConfirmEmailPage, ForgotPasswordPage, ResetPasswordPage};
pub use stats::StatsPage;

use leptos::prelude::*;
use leptos_router::LazyRoute;
#[cfg(any(feature = "split", not(target_arch = "wasm32")))]
use leptos_router::lazy_route;

/// A lazy route per page: `$route` is what `<Route view={Lazy::<$route>::new()}/>` names.
///
/// The split is made only where it can be served: the WASM built with the `split` feature
/// (`cargo leptos build --release --split --lib-features=split`, as `make test` does), whose
/// chunks cargo-leptos writes beside it; an unsplit WASM that called into a chunk would import
/// a module that does not exist. The server always renders the pages through the lazy route,
/// which also lists the page's chunks in the HTML for the browser to preload.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        pub struct $route;

        #[cfg(any(feature = "split", not(target_arch = "wasm32")))]
        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                crate::layout::mark_page_live();
                view! { <$page/> }.into_any()
            }
        }

        #[cfg(not(any(feature = "split", not(target_arch = "wasm32"))))]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                crate::layout::mark_page_live();
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    LoginRoute => LoginPage,
    RegisterRoute => RegisterPage,
    AccountRoute => AccountPage,
    AdminRoute => AdminPage,
    AdminStatsRoute => StatsPage,
    HistoryRoute => HistoryPage,
    ForgotPasswordRoute => ForgotPasswordPage,
    ResetPasswordRoute => ResetPasswordPage,
    ConfirmEmailRoute => ConfirmEmailPage,
}

/// The home page: like the others, but a logged-in user's drawing tools are a chunk of their own
/// (a visitor, who does not see them, does not download them), loaded before the page renders
/// so that it renders, and hydrates, in one pass ([`home::Tools`]).
pub struct HomeRoute {
    tools: home::Tools,
}

impl LazyRoute for HomeRoute {
    fn data() -> Self {
        Self {
            tools: home::Tools::wanted(),
        }
    }

    /// Awaited by the router before the page hydrates (as `#[lazy_route]` does for the other
    /// pages): the page's chunk, and the tools' when the page the server sent holds them, so
    /// that hydration finds every piece of code it needs already there. Without it, the page
    /// hydrated before its code had arrived and tachys stopped at a marker node it could not
    /// find ("unreachable").
    async fn preload() {
        #[cfg(target_arch = "wasm32")]
        {
            _ = home_page().await;
            home::Tools::wanted().prepare().await;
        }
    }

    async fn view(this: Self) -> AnyView {
        crate::layout::mark_page_live();
        this.tools.prepare().await;
        let render = home_page().await;
        render()
    }
}

/// The home page's own chunk: what renders it.
#[cfg_attr(any(feature = "split", not(target_arch = "wasm32")), leptos::lazy)]
async fn home_page() -> fn() -> AnyView {
    fn render() -> AnyView {
        view! { <HomePage/> }.into_any()
    }
    render as fn() -> AnyView
}

/// A page's `<Title text=…>`, in the interface language. On the server the text is read here,
/// while the page renders: `<Title>` reads its text when the document head is written, which can
/// be after the render's signals (the language among them) are gone, and reading one then
/// panics (a 500 under concurrent renders; `pages::concurrent_page_renders…` in the server's
/// tests). In the browser it follows the language switch. Inlined, so each page's chunk keeps
/// its own title code (a shared component moved 18 KB of view code into every page's bundle).
#[inline(always)]
pub fn title_text<F>(text: F) -> leptos::text_prop::TextProp
where
    F: Fn() -> String + Send + Sync + 'static,
{
    #[cfg(feature = "ssr")]
    {
        text().into()
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.into()
    }
}
