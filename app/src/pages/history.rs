//! `/history`: the user's past predictions, newest first, 20 to a page, with the 28×28 image
//! the model saw for each and "Was this right?" under it; filters by what the person said and
//! by digit (a plain GET form, so they work without JavaScript); the labelled digits as a
//! dataset to download; and a button to clear them all (after a confirmation).

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    components::{A, Form},
    hooks::use_query_map,
};

use super::title_text;
use super::{
    label::LabelControl,
    notice::{Notice, NoticeLine},
    pager::{Pager, use_page},
};
use crate::{
    api::{self, HistoryItem, LabelState},
    auth::{RequireUser, with_refresh},
    i18n::{fmt, lang_of, move_tr, server_text, tr, use_i18n},
};

/// The filters in the address (`?label=&digit=`), as given (the server checks them).
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    label: Option<String>,
    digit: Option<String>,
}

impl Filters {
    /// What to add to a `/history?page=N` address to keep them.
    fn query(&self) -> String {
        let mut query = String::new();
        for (name, value) in [("label", &self.label), ("digit", &self.digit)] {
            if let Some(value) = value {
                // Only what the form offers is kept: no escaping needed, nothing injected.
                if value.chars().all(|c| c.is_ascii_alphanumeric()) {
                    query.push_str(&format!("&{name}={value}"));
                }
            }
        }
        query
    }
}

fn use_filters() -> Memo<Filters> {
    let query = use_query_map();
    Memo::new(move |_| {
        let query = query.read();
        let given = |name| query.get(name).filter(|v: &String| !v.is_empty());
        Filters {
            label: given("label"),
            digit: given("digit"),
        }
    })
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=title_text(move || tr!(i18n, "history-title"))/>
        <RequireUser children=|_| view! { <History/> }/>
    }
}

#[component]
fn History() -> impl IntoView {
    let i18n = use_i18n();
    let page = use_page();
    let filters = use_filters();
    let version = RwSignal::new(0u32);
    let listing = Resource::new(
        move || (page.get(), filters.get(), version.get()),
        |(page, filters, _)| async move {
            with_refresh(|| api::history(Some(page), filters.label.clone(), filters.digit.clone()))
                .await
        },
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
            notice.set(Some(
                result
                    .map(|m| server_text(i18n, &m.msg))
                    .map_err(|e| server_text(i18n, &e.msg)),
            ));
            version.update(|v| *v += 1);
        });
    };

    view! {
        <section class="history">
            <h1>{move_tr!(i18n, "history-heading")}</h1>
            <NoticeLine notice/>
            <FilterForm filters/>
            <Transition fallback=move || view! { <p class="loading">{move_tr!(i18n, "history-loading")}</p> }>
                {move || {
                    listing
                        .get()
                        .map(|result| match result {
                            Err(error) => {
                                view! { <p class="form-error">{server_text(i18n, &error.msg)}</p> }.into_any()
                            }
                            Ok(listing) if listing.total == 0 && filters.get_untracked() != Filters::default() => {
                                view! {
                                    <p class="empty">
                                        {move_tr!(i18n, "history-no-match")}
                                        <A href="/history">{move_tr!(i18n, "history-show-all")}</A>
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(listing) if listing.total == 0 => {
                                view! {
                                    <p class="empty">
                                        {move_tr!(i18n, "history-empty-before")}
                                        <A href="/">{move_tr!(i18n, "history-empty-link")}</A>
                                        {move_tr!(i18n, "history-empty-after")}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(listing) => {
                                let pages = listing.pages();
                                let current = listing.page;
                                let total = listing.total;
                                // Moves forward past each label given on this page, so the
                                // downloads include it.
                                let as_of = RwSignal::new(listing.as_of_ms);
                                let keep = filters.get_untracked().query();
                                view! {
                                    <div class="history-tools">
                                        <p class="history-count">
                                            {move_tr!(i18n, "history-count", {
                                                "count" => total as i64,
                                                "shown" => fmt::int(lang_of(i18n), total as i64),
                                            })}
                                        </p>
                                        <div class="clear-history" hidden=move || confirming.get()>
                                            <button type="button" class="danger" on:click=move |_| confirming.set(true)>
                                                {move_tr!(i18n, "history-clear")}
                                            </button>
                                        </div>
                                        <div
                                            class="confirm"
                                            role="group"
                                            aria-labelledby="confirm-text"
                                            hidden=move || !confirming.get()
                                        >
                                            <p id="confirm-text">
                                                {move_tr!(i18n, "history-clear-confirm", {
                                                    "count" => total as i64,
                                                    "shown" => fmt::int(lang_of(i18n), total as i64),
                                                })}
                                            </p>
                                            <button
                                                type="button"
                                                class="danger"
                                                disabled=move || clearing.get()
                                                on:click=clear
                                            >
                                                {move_tr!(i18n, "history-clear-yes")}
                                            </button>
                                            <button type="button" on:click=move |_| confirming.set(false)>
                                                {move_tr!(i18n, "history-clear-cancel")}
                                            </button>
                                        </div>
                                    </div>
                                    <ol class="history-list">
                                        {listing.items.into_iter().map(|item| view! { <Entry item as_of/> }).collect_view()}
                                    </ol>
                                    {(pages > 1)
                                        .then(|| {
                                            view! {
                                                <Pager
                                                    current
                                                    pages
                                                    href=move |target| format!("/history?page={target}{keep}")
                                                    previous=move_tr!(i18n, "history-newer")
                                                    next=move_tr!(i18n, "history-older")
                                                />
                                            }
                                        })}
                                    <Downloads as_of/>
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
fn Entry(item: HistoryItem, as_of: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let saved = Callback::new(move |item: HistoryItem| {
        if let Some(at) = item.labelled_at_ms {
            as_of.update(|as_of| *as_of = (*as_of).max(at));
        }
    });
    let digit = item.digit;
    let probability = f64::from(item.probability);
    let created = item.created_at.clone();
    // `2026-11-28T07:45:00Z` → `2026-11-28 07:45 UTC` (the same on the server and in the browser).
    let when = move || match date_and_time(&created) {
        Some((date, time)) => tr!(i18n, "history-when", {"date" => date, "time" => time}),
        None => created.clone(),
    };
    view! {
        <li class="history-item" data-id=item.id>
            <img
                class="thumb"
                src=item.image
                width="56"
                height="56"
                alt=move_tr!(i18n, "history-thumb-alt", {"digit" => digit.to_string()})
            />
            <div class="history-facts">
                <p class="history-digit">
                    <span class="visually-hidden">{move_tr!(i18n, "history-digit")}</span>
                    {digit.to_string()}
                </p>
                <p>
                    {move || fmt::percent(lang_of(i18n), probability, 1)}
                    {item.cached.then(|| view! { <span class="badge">{move_tr!(i18n, "history-cached")}</span> })}
                </p>
                <p class="hint">
                    <time datetime=item.created_at.clone()>{when}</time>
                </p>
            </div>
            <LabelControl id=item.id.clone() digit=item.digit label=item.label saved/>
        </li>
    }
}

/// Narrow the list: by what the person said of each answer, and by digit. A GET form: it
/// works without JavaScript, and the address can be bookmarked.
#[component]
fn FilterForm(filters: Memo<Filters>) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = move |name: &'static str, value: &'static str| {
        let filters = filters.get();
        let current = if name == "label" {
            filters.label
        } else {
            filters.digit
        };
        current.as_deref() == Some(value)
    };
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    view! {
        <Form method="GET" action="/history" attr:class="history-filters">
            <label>
                {move_tr!(i18n, "history-filter-answers")}
                <select name="label">
                    <option value="" selected=move || filters.get().label.is_none()>
                        {move_tr!(i18n, "history-filter-all")}
                    </option>
                    {LabelState::ALL
                        .into_iter()
                        .map(|state| {
                            let value = state.as_str();
                            // What people read; `value` stays the address's word for it.
                            let text = move || match state {
                                LabelState::Confirmed => tr!(i18n, "history-filter-confirmed"),
                                LabelState::Corrected => tr!(i18n, "history-filter-corrected"),
                                LabelState::Unlabelled => tr!(i18n, "history-filter-unlabelled"),
                            };
                            view! {
                                <option value=value selected=move || chosen("label", value)>{text}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                {move_tr!(i18n, "history-filter-digit")}
                <select name="digit">
                    <option value="" selected=move || filters.get().digit.is_none()>
                        {move_tr!(i18n, "history-filter-any")}
                    </option>
                    {DIGITS
                        .into_iter()
                        .map(|d| view! { <option value=d selected=move || chosen("digit", d)>{d}</option> })
                        .collect_view()}
                </select>
            </label>
            <button type="submit">{move_tr!(i18n, "history-filter-show")}</button>
        </Form>
    }
}

/// The labelled digits as a dataset: an MNIST IDX pair and a CSV, as of when the page was read.
#[component]
fn Downloads(as_of: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let href =
        move |file: &'static str| move || format!("/api/dataset/{file}?until={}", as_of.get());
    view! {
        <section class="dataset" aria-labelledby="dataset-title">
            <h2 id="dataset-title">{move_tr!(i18n, "history-dataset-title")}</h2>
            <p class="hint">{move_tr!(i18n, "history-dataset-hint")}</p>
            <ul class="downloads">
                <li><a href=href("images-idx3-ubyte.gz") download>{move_tr!(i18n, "history-download-images")}</a></li>
                <li><a href=href("labels-idx1-ubyte.gz") download>{move_tr!(i18n, "history-download-labels")}</a></li>
                <li><a href=href("digits.csv") download>{move_tr!(i18n, "history-download-csv")}</a></li>
            </ul>
        </section>
    }
}

/// `2026-11-28T07:45:00Z` → (`2026-11-28`, `07:45`), the date and the minute as they are
/// written (the catalogue puts them in words: `2026-11-28 07:45 UTC`); `None` for anything else.
fn date_and_time(rfc3339: &str) -> Option<(&str, &str)> {
    Some((rfc3339.get(..10)?, rfc3339.get(11..16)?))
}

#[cfg(test)]
mod tests {
    use super::{Filters, date_and_time};

    #[test]
    fn page_links_keep_the_filters_and_nothing_else() {
        assert_eq!(Filters::default().query(), "");
        let filters = Filters {
            label: Some("corrected".into()),
            digit: Some("7".into()),
        };
        assert_eq!(filters.query(), "&label=corrected&digit=7");
        let hostile = Filters {
            label: Some("x&admin=1".into()),
            digit: None,
        };
        assert_eq!(hostile.query(), "");
    }

    #[test]
    fn times_read_as_date_and_minutes() {
        assert_eq!(
            date_and_time("2026-11-28T07:45:00Z"),
            Some(("2026-11-28", "07:45"))
        );
        assert_eq!(date_and_time("bad"), None);
    }
}
