//! `/account`: change the password (other sessions end), log out everywhere, delete the account.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{NavigateOptions, hooks::use_navigate};

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

/// What a form on this page said last: an error or a confirmation, announced to screen readers.
#[derive(Clone, Debug, PartialEq)]
enum Notice {
    Done(String),
    Failed(String),
}

#[component]
fn NoticeLine(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    view! {
        <p
            class=move || match notice.get() {
                Some(Notice::Failed(_)) => "form-error",
                _ => "form-done",
            }
            role="status"
            aria-live="polite"
            hidden=move || notice.get().is_none()
        >
            {move || match notice.get() {
                Some(Notice::Done(text) | Notice::Failed(text)) => text,
                None => String::new(),
            }}
        </p>
    }
}

#[component]
fn Account(user: CurrentUser) -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();

    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let password_notice = RwSignal::new(None::<Notice>);
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
                    Notice::Done(done.msg)
                }
                Err(error) => Notice::Failed(error.msg),
            }));
        });
    };

    let sessions_notice = RwSignal::new(None::<Notice>);
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
                    Err(error) => sessions_notice.set(Some(Notice::Failed(error.msg))),
                }
            });
        }
    };

    let delete_password = RwSignal::new(String::new());
    let delete_notice = RwSignal::new(None::<Notice>);
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
                Err(error) => delete_notice.set(Some(Notice::Failed(error.msg))),
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
