//! Paging a listing: the page its `?page=` asks for, and the links to the pages around it.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

/// Links to the pages either side of `current`, with "Page `current` of `pages`" between them;
/// `href` builds a page's address, `previous` and `next` are the links' texts.
#[component]
pub fn Pager<H>(
    current: u32,
    pages: u32,
    href: H,
    previous: &'static str,
    next: &'static str,
) -> impl IntoView
where
    H: Fn(u32) -> String,
{
    view! {
        <nav class="pager" aria-label="Pages">
            {(current > 1).then(|| view! { <A href=href(current - 1)>{previous}</A> })}
            <span>{format!("Page {current} of {pages}")}</span>
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
