//! `/history`: the user's past predictions, newest first, 20 to a page, with the 28×28 image
//! the model saw for each; and a button to clear them all (after a confirmation).

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::A;

use super::{
    notice::{Notice, NoticeLine},
    pager::{Pager, use_page},
};
use crate::{
    api::{self, HistoryItem},
    auth::{RequireUser, with_refresh},
};

#[component]
pub fn HistoryPage() -> impl IntoView {
    view! {
        <Title text="History"/>
        <RequireUser children=|_| view! { <History/> }/>
    }
}

#[component]
fn History() -> impl IntoView {
    let page = use_page();
    let version = RwSignal::new(0u32);
    let listing = Resource::new(
        move || (page.get(), version.get()),
        |(page, _)| async move { with_refresh(|| api::history(Some(page))).await },
    );
    let confirming = RwSignal::new(false);
    let clearing = RwSignal::new(false);
    let notice: Notice = RwSignal::new(None);

    let clear = move |_| {
        clearing.set(true);
        spawn_local(async move {
            let result = with_refresh(api::clear_history).await;
            clearing.set(false);
            confirming.set(false);
            notice.set(Some(result.map(|m| m.msg).map_err(|e| e.msg)));
            version.update(|v| *v += 1);
        });
    };

    view! {
        <section class="history">
            <h1>"Your predictions"</h1>
            <NoticeLine notice/>
            <Transition fallback=|| view! { <p class="loading">"Loading your predictions…"</p> }>
                {move || {
                    listing
                        .get()
                        .map(|result| match result {
                            Err(error) => view! { <p class="form-error">{error.msg}</p> }.into_any(),
                            Ok(listing) if listing.total == 0 => {
                                view! {
                                    <p class="empty">
                                        "No predictions yet. "
                                        <A href="/">"Draw or upload a digit"</A>
                                        " and it will show up here."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(listing) => {
                                let pages = listing.pages();
                                let current = listing.page;
                                let total = listing.total;
                                view! {
                                    <div class="history-tools">
                                        <p class="history-count">
                                            {format!("{total} prediction{}", if total == 1 { "" } else { "s" })}
                                        </p>
                                        <div class="clear-history" hidden=move || confirming.get()>
                                            <button type="button" class="danger" on:click=move |_| confirming.set(true)>
                                                "Clear history"
                                            </button>
                                        </div>
                                        <div
                                            class="confirm"
                                            role="group"
                                            aria-labelledby="confirm-text"
                                            hidden=move || !confirming.get()
                                        >
                                            <p id="confirm-text">
                                                {format!(
                                                    "Delete all {total} prediction{}? This cannot be undone.",
                                                    if total == 1 { "" } else { "s" },
                                                )}
                                            </p>
                                            <button
                                                type="button"
                                                class="danger"
                                                disabled=move || clearing.get()
                                                on:click=clear
                                            >
                                                "Yes, clear"
                                            </button>
                                            <button type="button" on:click=move |_| confirming.set(false)>
                                                "Cancel"
                                            </button>
                                        </div>
                                    </div>
                                    <ol class="history-list">
                                        {listing.items.into_iter().map(|item| view! { <Entry item/> }).collect_view()}
                                    </ol>
                                    {(pages > 1)
                                        .then(|| {
                                            view! {
                                                <Pager
                                                    current
                                                    pages
                                                    href=|target| format!("/history?page={target}")
                                                    previous="← Newer"
                                                    next="Older →"
                                                />
                                            }
                                        })}
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn Entry(item: HistoryItem) -> impl IntoView {
    let when = readable_time(&item.created_at);
    view! {
        <li class="history-item" data-id=item.id>
            <img
                class="thumb"
                src=item.image
                width="56"
                height="56"
                alt=format!("The 28 × 28 image recognised as {}", item.digit)
            />
            <div class="history-facts">
                <p class="history-digit">
                    <span class="visually-hidden">"Digit "</span>
                    {item.digit.to_string()}
                </p>
                <p>
                    {format!("{:.1}%", item.probability * 100.0)}
                    {item.cached.then(|| view! { <span class="badge">"cached"</span> })}
                </p>
                <p class="hint">
                    <time datetime=item.created_at.clone()>{when}</time>
                </p>
            </div>
        </li>
    }
}

/// `2026-11-28T07:45:00Z` → `2026-11-28 07:45 UTC` (the same on the server and in the browser).
fn readable_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::readable_time;

    #[test]
    fn times_read_as_date_and_minutes() {
        assert_eq!(
            readable_time("2026-11-28T07:45:00Z"),
            "2026-11-28 07:45 UTC"
        );
        assert_eq!(readable_time("bad"), "bad");
    }
}
