//! `/admin`: accounts with search and paging; disable or enable an account. Admins only; anyone
//! else gets a page saying so (status 403), and the API refuses them too.

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::{
    notice::{Notice, NoticeLine},
    pager::{Pager, use_page},
};
use crate::{
    api::{self, UserSummary},
    auth::{RequireUser, encode_component, with_refresh},
};

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Admin"/>
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
    view! {
        <section class="forbidden">
            <h1>"Admins only"</h1>
            <p>"This page is for trazo's administrators. Your account can draw and upload digits."</p>
            <p><A href="/">"Back to the home page"</A></p>
        </section>
    }
}

/// `me`: the admin's own username, whose row offers no Disable (the server refuses it anyway).
#[component]
fn Admin(me: String) -> impl IntoView {
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
            notice.set(Some(result.map(|m| m.msg).map_err(|e| e.msg)));
            version.update(|v| *v += 1);
        });
    };

    view! {
        <section class="admin">
            <h1>"Accounts"</h1>
            <p class="stats-nav"><A href="/admin/stats">"How the model is doing"</A></p>
            <form class="search" method="get" action="/admin" role="search">
                <label for="user-search">"Search by username"</label>
                <input id="user-search" name="q" type="search" maxlength="64" value=move || search.get()/>
                <button type="submit">"Search"</button>
            </form>
            <NoticeLine notice/>
            <Suspense fallback=|| view! { <p class="loading">"Loading accounts…"</p> }>
                {move || {
                    users
                        .get()
                        .map(|result| match result {
                            Err(error) => view! { <p class="form-error">{error.msg}</p> }.into_any(),
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
                                            {format!("{total} account{}", if total == 1 { "" } else { "s" })}
                                        </caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Username"</th>
                                                <th scope="col">"Role"</th>
                                                <th scope="col" class="created">"Created"</th>
                                                <th scope="col">"Status"</th>
                                                <th scope="col"><span class="visually-hidden">"Action"</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {listing
                                                .users
                                                .into_iter()
                                                .map(|user| {
                                                    let name = user.username.clone();
                                                    let label = if user.disabled { "Enable" } else { "Disable" };
                                                    let status = if user.disabled { "disabled" } else { "active" };
                                                    let created = user.created_at.get(..10).unwrap_or_default().to_owned();
                                                    let row_user = user.clone();
                                                    view! {
                                                        <tr data-username=name.clone()>
                                                            <th scope="row">{name.clone()}</th>
                                                            <td>{user.role.clone()}</td>
                                                            <td class="created"><time datetime=user.created_at.clone()>{created}</time></td>
                                                            <td class=status>{status}</td>
                                                            <td>
                                                                {if name == me {
                                                                    view! { <span class="hint">"You"</span> }.into_any()
                                                                } else {
                                                                    view! {
                                                                        <button
                                                                            type="button"
                                                                            aria-label=format!("{label} {name}")
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
                                    <Pager current pages href previous="← Previous" next="Next →"/>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
