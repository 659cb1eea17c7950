//! Paging a listing: the page its `?page=` asks for, and the links to the pages around it.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::i18n::{fmt, lang_of, move_tr, use_i18n};

/// Links to the pages either side of `current`, with "Page `current` of `pages`" between them;
/// `href` builds a page's address, `previous` and `next` are the links' texts (translated by the
/// caller).
#[component]
pub fn Pager<H>(
    current: u32,
    pages: u32,
    href: H,
    #[prop(into)] previous: Signal<String>,
    #[prop(into)] next: Signal<String>,
) -> impl IntoView
where
    H: Fn(u32) -> String,
{
    let i18n = use_i18n();
    view! {
        <nav class="pager" aria-label=move_tr!(i18n, "history-pager-label")>
            {(current > 1).then(|| view! { <A href=href(current - 1)>{previous}</A> })}
            <span>
                {move_tr!(i18n, "history-page-of", {
                    "current" => fmt::int(lang_of(i18n), i64::from(current)),
                    "pages" => fmt::int(lang_of(i18n), i64::from(pages)),
                })}
            </span>
            {(current < pages).then(|| view! { <A href=href(current + 1)>{next}</A> })}
        </nav>
    }
}

/// The page the address's `?page=` asks for: 1 when it is missing or not a number, never 0.
pub fn use_page() -> Memo<u32> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    })
}
