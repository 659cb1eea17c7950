//! `/admin`: accounts with search and paging; disable or enable an account. Admins only; anyone
//! else gets a page saying so (status 403), and the API refuses them too.

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::title_text;
use super::{
    notice::{Notice, NoticeLine},
    pager::{Pager, use_page},
};
use crate::{
    api::{self, UserSummary},
    auth::{RequireUser, encode_component, with_refresh},
    i18n::{fmt, lang_of, move_tr, server_text, tr, use_i18n},
};

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=title_text(move || tr!(i18n, "admin-title"))/>
        <RequireUser children=|user| {
            if user.is_admin() { view! { <Admin me=user.username/> }.into_any() } else { view! { <AdminsOnly/> }.into_any() }
        }/>
    }
}

/// What anyone but an admin sees on an admin page (status 403).
#[component]
pub(super) fn AdminsOnly() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    let i18n = use_i18n();
    view! {
        <section class="forbidden">
            <h1>{move_tr!(i18n, "admin-only-heading")}</h1>
            <p>{move_tr!(i18n, "admin-only-text")}</p>
            <p><A href="/">{move_tr!(i18n, "admin-only-home")}</A></p>
        </section>
    }
}

/// `me`: the admin's own username, whose row offers no Disable (the server refuses it anyway).
#[component]
fn Admin(me: String) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let page = use_page();
    let version = RwSignal::new(0u32);
    let users = Resource::new(
        move || (search.get(), page.get(), version.get()),
        |(search, page, _)| async move {
            with_refresh(|| api::admin_users(Some(search.clone()), Some(page))).await
        },
    );
    let notice: Notice = RwSignal::new(None);

    let toggle = move |user: UserSummary| {
        spawn_local(async move {
            let disable = !user.disabled;
            let result = with_refresh(|| {
                api::admin_set_disabled(Some(user.username.clone()), Some(disable))
            })
            .await;
            notice.set(Some(
                result
                    .map(|m| server_text(i18n, &m.msg))
                    .map_err(|e| server_text(i18n, &e.msg)),
            ));
            version.update(|v| *v += 1);
        });
    };

    view! {
        <section class="admin">
            <h1>{move_tr!(i18n, "admin-accounts-heading")}</h1>
            <p class="stats-nav"><A href="/admin/stats">{move_tr!(i18n, "admin-stats-link")}</A></p>
            <form class="search" method="get" action="/admin" role="search">
                <label for="user-search">{move_tr!(i18n, "admin-search-label")}</label>
                <input id="user-search" name="q" type="search" maxlength="64" value=move || search.get()/>
                <button type="submit">{move_tr!(i18n, "admin-search-button")}</button>
            </form>
            <NoticeLine notice/>
            <Suspense fallback=move || view! { <p class="loading">{move_tr!(i18n, "admin-accounts-loading")}</p> }>
                {move || {
                    users
                        .get()
                        .map(|result| match result {
                            Err(error) => {
                                view! { <p class="form-error">{server_text(i18n, &error.msg)}</p> }.into_any()
                            }
                            Ok(listing) => {
                                let pages = listing.pages();
                                let current = listing.page;
                                let total = listing.total;
                                let q = encode_component(&search.get());
                                let href = move |target: u32| format!("/admin?q={q}&page={target}");
                                view! {
                                    <div class="table-scroll">
                                    <table class="users">
                                        <caption>
                                            {move_tr!(i18n, "admin-account-count", {
                                                "count" => total as i64,
                                                "shown" => fmt::int(lang_of(i18n), total as i64),
                                            })}
                                        </caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{move_tr!(i18n, "admin-col-username")}</th>
                                                <th scope="col">{move_tr!(i18n, "admin-col-role")}</th>
                                                <th scope="col" class="created">{move_tr!(i18n, "admin-col-created")}</th>
                                                <th scope="col">{move_tr!(i18n, "admin-col-status")}</th>
                                                <th scope="col">
                                                    <span class="visually-hidden">{move_tr!(i18n, "admin-col-action")}</span>
                                                </th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {listing
                                                .users
                                                .into_iter()
                                                .map(|user| {
                                                    let name = user.username.clone();
                                                    let disabled = user.disabled;
                                                    // The class stays the machine's word; the text is translated.
                                                    let status = if disabled { "disabled" } else { "active" };
                                                    let role = user.role.clone();
                                                    let label = move || {
                                                        if disabled {
                                                            tr!(i18n, "admin-enable")
                                                        } else {
                                                            tr!(i18n, "admin-disable")
                                                        }
                                                    };
                                                    let button_name = name.clone();
                                                    // The button's accessible name: the action and whose account.
                                                    let aria_label = move || {
                                                        if disabled {
                                                            tr!(i18n, "admin-enable-user", {"name" => button_name.as_str()})
                                                        } else {
                                                            tr!(i18n, "admin-disable-user", {"name" => button_name.as_str()})
                                                        }
                                                    };
                                                    let created = user.created_at.get(..10).unwrap_or_default().to_owned();
                                                    let row_user = user.clone();
                                                    view! {
                                                        <tr data-username=name.clone()>
                                                            <th scope="row">{name.clone()}</th>
                                                            <td>{move_tr!(i18n, "admin-role", {"role" => role.as_str()})}</td>
                                                            <td class="created"><time datetime=user.created_at.clone()>{created}</time></td>
                                                            <td class=status>
                                                                {move || {
                                                                    if disabled {
                                                                        tr!(i18n, "admin-status-disabled")
                                                                    } else {
                                                                        tr!(i18n, "admin-status-active")
                                                                    }
                                                                }}
                                                            </td>
                                                            <td>
                                                                {if name == me {
                                                                    view! { <span class="hint">{move_tr!(i18n, "admin-you")}</span> }.into_any()
                                                                } else {
                                                                    view! {
                                                                        <button
                                                                            type="button"
                                                                            aria-label=aria_label
                                                                            on:click=move |_| toggle(row_user.clone())
                                                                        >
                                                                            {label}
                                                                        </button>
                                                                    }
                                                                        .into_any()
                                                                }}
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                    <Pager
                                        current
                                        pages
                                        href
                                        previous=move_tr!(i18n, "admin-previous")
                                        next=move_tr!(i18n, "admin-next")
                                    />
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
