//! `/account`: the email address (confirm, resend, change), change the password (other sessions
//! end), log out everywhere, delete the account.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{NavigateOptions, hooks::use_navigate};

use super::{
    notice::{Notice, NoticeLine},
    recovery::submit_with,
};
use crate::{
    api::{self, CurrentUser},
    auth::{RequireUser, use_auth, with_refresh},
};

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account"/>
        <RequireUser children=|user| view! { <Account user/> }/>
    }
}

#[component]
fn Account(user: CurrentUser) -> impl IntoView {
    let auth = use_auth();
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
                    Ok(done.msg)
                }
                Err(error) => Err(error.msg),
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
                    Err(error) => sessions_notice.set(Some(Err(error.msg))),
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
                Err(error) => delete_notice.set(Some(Err(error.msg))),
            }
        });
    };

    view! {
        <section class="account">
            <h1>"Your account"</h1>
            <dl class="facts">
                <dt>"Username"</dt>
                <dd>{user.username.clone()}</dd>
                <dt>"Role"</dt>
                <dd>{user.role.clone()}</dd>
                <dt>"Member since"</dt>
                <dd>
                    <time datetime=user.created_at.clone()>
                        {user.created_at.get(..10).unwrap_or_default().to_owned()}
                    </time>
                </dd>
            </dl>

            <EmailSection user=user.clone()/>

            <form class="stack-form" on:submit=on_change aria-labelledby="change-title">
                <h2 id="change-title">"Change password"</h2>
                <input type="text" name="username" autocomplete="username" value=user.username hidden/>
                <label for="current-password">"Current password"</label>
                <input
                    id="current-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || current.get()
                    on:input=move |ev| current.set(event_target_value(&ev))
                />
                <label for="new-password">"New password"</label>
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
                <button type="submit" class="primary">"Change password"</button>
                <p class="hint">"Your other devices will be logged out."</p>
            </form>

            <form class="stack-form" on:submit=on_everywhere aria-labelledby="sessions-title">
                <h2 id="sessions-title">"Sessions"</h2>
                <p>"Log out on every device where you are logged in, this one included."</p>
                <NoticeLine notice=sessions_notice/>
                <button type="submit">"Log out everywhere"</button>
            </form>

            <form class="stack-form danger" on:submit=on_delete aria-labelledby="delete-title">
                <h2 id="delete-title">"Delete account"</h2>
                <p>"This deletes your account and everything stored with it. It cannot be undone."</p>
                <label for="delete-password">"Password"</label>
                <input
                    id="delete-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || delete_password.get()
                    on:input=move |ev| delete_password.set(event_target_value(&ev))
                />
                <NoticeLine notice=delete_notice/>
                <button type="submit" class="danger">"Delete my account"</button>
            </form>
        </section>
    }
}

/// The address and its state; a new confirmation link; a new address (with the password).
#[component]
fn EmailSection(user: CurrentUser) -> impl IntoView {
    let auth = use_auth();
    let resend_notice = Notice::new(None);
    let resending = RwSignal::new(false);
    let on_resend = move |event: SubmitEvent| {
        event.prevent_default();
        submit_with(resending, resend_notice, || {
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
            change_notice.set(Some(result.map(|done| done.msg).map_err(|error| error.msg)));
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
            <p><span class="address">{email.clone()}</span>" · "<strong>"Confirmed"</strong></p>
        }
        .into_any(),
        (Some(email), false) => view! {
            <p>
                <span class="address">{email.clone()}</span>" · "
                <strong>"Waiting for confirmation"</strong>
            </p>
            <p class="hint">"Follow the link we mailed to this address."</p>
        }
        .into_any(),
        (None, _) => view! {
            <p>"No address yet. With a confirmed address you can reset a forgotten password."</p>
        }
        .into_any(),
    };
    view! {
        <section class="stack-form" aria-labelledby="email-title">
            <h2 id="email-title">"Email address"</h2>
            {state}
            {(has_address && !user.email_confirmed)
                .then(|| {
                    view! {
                        <form on:submit=on_resend>
                            <NoticeLine notice=resend_notice/>
                            <button type="submit" disabled=move || resending.get()>
                                "Send the link again"
                            </button>
                        </form>
                    }
                })}
            <form class="stack-form" on:submit=on_change>
                <label for="new-email">
                    {if has_address { "New email address" } else { "Email address to add" }}
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
                <label for="email-password">"Password"</label>
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
                    {if has_address { "Change address" } else { "Add address" }}
                </button>
                <p class="hint">"We mail a link to the new address to confirm it."</p>
            </form>
        </section>
    }
}
