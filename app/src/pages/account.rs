//! `/account`: the email address (confirm, resend, change), change the password (other sessions
//! end), log out everywhere, delete the account.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{NavigateOptions, hooks::use_navigate};

use super::title_text;
use super::{
    notice::{Notice, NoticeLine},
    recovery::submit_with,
};
use crate::{
    api::{self, CurrentUser},
    auth::{RequireUser, use_auth, with_refresh},
    i18n::{I18n, move_tr, server_text, tr, use_i18n},
};

/// A role as the page names it: the two trazo has in words, anything else as it came.
fn role_name(i18n: I18n, role: &str) -> String {
    match role {
        "admin" => tr!(i18n, "account-role-admin"),
        "user" => tr!(i18n, "account-role-user"),
        other => other.to_owned(),
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=title_text(move || tr!(i18n, "account-title"))/>
        <RequireUser children=|user| view! { <Account user/> }/>
    }
}

#[component]
fn Account(user: CurrentUser) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let navigate = use_navigate();

    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let password_notice = Notice::new(None);
    let on_change = move |event: SubmitEvent| {
        event.prevent_default();
        let (old_password, new_password) = (current.get_untracked(), new.get_untracked());
        spawn_local(async move {
            let result = with_refresh(|| {
                api::change_password(Some(old_password.clone()), Some(new_password.clone()))
            })
            .await;
            password_notice.set(Some(match result {
                Ok(done) => {
                    current.set(String::new());
                    new.set(String::new());
                    Ok(server_text(i18n, &done.msg))
                }
                Err(error) => Err(server_text(i18n, &error.msg)),
            }));
        });
    };

    let sessions_notice = Notice::new(None);
    let on_everywhere = {
        let navigate = navigate.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let navigate = navigate.clone();
            spawn_local(async move {
                match with_refresh(api::logout_everywhere).await {
                    Ok(_) => {
                        auth.clear();
                        navigate("/login", NavigateOptions::default());
                    }
                    Err(error) => sessions_notice.set(Some(Err(server_text(i18n, &error.msg)))),
                }
            });
        }
    };

    let delete_password = RwSignal::new(String::new());
    let delete_notice = Notice::new(None);
    let on_delete = move |event: SubmitEvent| {
        event.prevent_default();
        let password = delete_password.get_untracked();
        let navigate = navigate.clone();
        spawn_local(async move {
            match with_refresh(|| api::delete_account(Some(password.clone()))).await {
                Ok(_) => {
                    auth.clear();
                    navigate("/", NavigateOptions::default());
                }
                Err(error) => delete_notice.set(Some(Err(server_text(i18n, &error.msg)))),
            }
        });
    };

    let role = user.role.clone();
    view! {
        <section class="account">
            <h1>{move_tr!(i18n, "account-title")}</h1>
            <dl class="facts">
                <dt>{move_tr!(i18n, "account-username")}</dt>
                <dd>{user.username.clone()}</dd>
                <dt>{move_tr!(i18n, "account-role")}</dt>
                <dd>{move || role_name(i18n, &role)}</dd>
                <dt>{move_tr!(i18n, "account-member-since")}</dt>
                <dd>
                    <time datetime=user.created_at.clone()>
                        {user.created_at.get(..10).unwrap_or_default().to_owned()}
                    </time>
                </dd>
            </dl>

            <EmailSection user=user.clone()/>

            <form class="stack-form" on:submit=on_change aria-labelledby="change-title">
                <h2 id="change-title">{move_tr!(i18n, "account-change-password-title")}</h2>
                <input type="text" name="username" autocomplete="username" value=user.username hidden/>
                <label for="current-password">{move_tr!(i18n, "account-current-password")}</label>
                <input
                    id="current-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || current.get()
                    on:input=move |ev| current.set(event_target_value(&ev))
                />
                <label for="new-password">{move_tr!(i18n, "account-new-password")}</label>
                <input
                    id="new-password"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength="8"
                    maxlength="128"
                    prop:value=move || new.get()
                    on:input=move |ev| new.set(event_target_value(&ev))
                />
                <NoticeLine notice=password_notice/>
                <button type="submit" class="primary">
                    {move_tr!(i18n, "account-change-password-submit")}
                </button>
                <p class="hint">{move_tr!(i18n, "account-change-password-hint")}</p>
            </form>

            <form class="stack-form" on:submit=on_everywhere aria-labelledby="sessions-title">
                <h2 id="sessions-title">{move_tr!(i18n, "account-sessions-title")}</h2>
                <p>{move_tr!(i18n, "account-sessions-text")}</p>
                <NoticeLine notice=sessions_notice/>
                <button type="submit">{move_tr!(i18n, "account-log-out-everywhere")}</button>
            </form>

            <form class="stack-form danger" on:submit=on_delete aria-labelledby="delete-title">
                <h2 id="delete-title">{move_tr!(i18n, "account-delete-title")}</h2>
                <p>{move_tr!(i18n, "account-delete-text")}</p>
                <label for="delete-password">{move_tr!(i18n, "account-password")}</label>
                <input
                    id="delete-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || delete_password.get()
                    on:input=move |ev| delete_password.set(event_target_value(&ev))
                />
                <NoticeLine notice=delete_notice/>
                <button type="submit" class="danger">
                    {move_tr!(i18n, "account-delete-submit")}
                </button>
            </form>
        </section>
    }
}

/// The address and its state; a new confirmation link; a new address (with the password).
#[component]
fn EmailSection(user: CurrentUser) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let resend_notice = Notice::new(None);
    let resending = RwSignal::new(false);
    let on_resend = move |event: SubmitEvent| {
        event.prevent_default();
        submit_with(i18n, resending, resend_notice, || {
            with_refresh(api::resend_confirmation)
        });
    };
    let new_email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let change_notice = Notice::new(None);
    let on_change = move |event: SubmitEvent| {
        event.prevent_default();
        let (email, secret) = (new_email.get_untracked(), password.get_untracked());
        spawn_local(async move {
            let result =
                with_refresh(|| api::change_email(Some(email.clone()), Some(secret.clone()))).await;
            let changed = result.is_ok();
            change_notice.set(Some(
                result
                    .map(|done| server_text(i18n, &done.msg))
                    .map_err(|error| server_text(i18n, &error.msg)),
            ));
            if changed {
                new_email.set(String::new());
                password.set(String::new());
                auth.reload().await;
            }
        });
    };
    let has_address = user.email.is_some();
    let state = match (&user.email, user.email_confirmed) {
        (Some(email), true) => view! {
            <p>
                <span class="address">{email.clone()}</span>" · "
                <strong>{move_tr!(i18n, "account-email-confirmed")}</strong>
            </p>
        }
        .into_any(),
        (Some(email), false) => view! {
            <p>
                <span class="address">{email.clone()}</span>" · "
                <strong>{move_tr!(i18n, "account-email-waiting")}</strong>
            </p>
            <p class="hint">{move_tr!(i18n, "account-email-waiting-hint")}</p>
        }
        .into_any(),
        (None, _) => view! {
            <p>{move_tr!(i18n, "account-email-none")}</p>
        }
        .into_any(),
    };
    view! {
        <section class="stack-form" aria-labelledby="email-title">
            <h2 id="email-title">{move_tr!(i18n, "account-email-title")}</h2>
            {state}
            {(has_address && !user.email_confirmed)
                .then(|| {
                    view! {
                        <form on:submit=on_resend>
                            <NoticeLine notice=resend_notice/>
                            <button type="submit" disabled=move || resending.get()>
                                {move_tr!(i18n, "account-email-resend")}
                            </button>
                        </form>
                    }
                })}
            <form class="stack-form" on:submit=on_change>
                <label for="new-email">
                    {if has_address {
                        move_tr!(i18n, "account-email-new")
                    } else {
                        move_tr!(i18n, "account-email-add")
                    }}
                </label>
                <input
                    id="new-email"
                    type="email"
                    autocomplete="email"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    maxlength="254"
                    prop:value=move || new_email.get()
                    on:input=move |ev| new_email.set(event_target_value(&ev))
                />
                <label for="email-password">{move_tr!(i18n, "account-password")}</label>
                <input
                    id="email-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <NoticeLine notice=change_notice/>
                <button type="submit">
                    {if has_address {
                        move_tr!(i18n, "account-email-change-submit")
                    } else {
                        move_tr!(i18n, "account-email-add-submit")
                    }}
                </button>
                <p class="hint">{move_tr!(i18n, "account-email-change-hint")}</p>
            </form>
        </section>
    }
}
