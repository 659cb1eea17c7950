//! `/login` and `/register`: one form each, working both ways — with WASM the form calls the
//! JSON API and shows errors inline without a reload; without JavaScript it is a plain form
//! post to `/auth/login` or `/auth/register`, which redirects back with an error code. Sign-up
//! takes an optional email address (confirmed by mail); log-in links to the forgotten-password
//! page.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    components::A,
    hooks::{use_navigate, use_query_map},
};

use super::notice::SubmitButton;
use crate::{
    api,
    auth::{encode_component, safe_next, use_auth},
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    LogIn,
    SignUp,
}

/// The message for an error code the no-JavaScript form post came back with. Only fixed texts:
/// nothing from the address is ever shown.
pub(super) fn message_for(code: &str, retry: Option<u64>) -> String {
    match code {
        "address" => "That email address is not valid. Use the form name@example.com.".to_owned(),
        "no-mail" => "This server does not send mail, so email addresses and password reset \
                      by mail are not available. Ask the administrator."
            .to_owned(),
        "link-unknown" => api::LINK_UNKNOWN.to_owned(),
        "link-used" => api::LINK_USED.to_owned(),
        "link-expired" => api::LINK_EXPIRED.to_owned(),
        "missing" => "Username and password required".to_owned(),
        "credentials" => "Bad username or password".to_owned(),
        "disabled" => "This account has been disabled. Contact the administrator.".to_owned(),
        "taken" => "Username already exists".to_owned(),
        "policy" => "That username or password is not allowed. Usernames are 3–32 characters \
                     of a–z, 0–9, '.', '_' and '-'; passwords need 8–128 characters and must \
                     not be easy to guess."
            .to_owned(),
        "throttled" => match retry {
            Some(secs) if secs >= 120 => {
                format!(
                    "Too many attempts. Try again in {} minutes.",
                    secs.div_ceil(60)
                )
            }
            Some(secs) => format!("Too many attempts. Try again in {secs} seconds."),
            None => "Too many attempts. Try again later.".to_owned(),
        },
        _ => "Something went wrong on our side. Please try again.".to_owned(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    view! { <CredentialsForm mode=Mode::LogIn/> }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! { <CredentialsForm mode=Mode::SignUp/> }
}

#[component]
fn CredentialsForm(mode: Mode) -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let next = Memo::new(move |_| safe_next(query.read().get("next")));
    let initial_error = query.with_untracked(|q| {
        q.get("error").map(|code| {
            let retry = q.get("retry").and_then(|r| r.parse().ok());
            message_for(&code, retry)
        })
    });
    // Back from a failed no-JavaScript post, the name is filled in again.
    let initial_username = query
        .with_untracked(|q| q.get("username"))
        .unwrap_or_default();
    // The fields are read from the page itself, never mirrored into signals: whatever a person
    // typed before the WASM took over (on a slow link) is still there when they submit, and
    // hydration has nothing to write back over it.
    let username_ref = NodeRef::<leptos::html::Input>::new();
    let password_ref = NodeRef::<leptos::html::Input>::new();
    let email_ref = NodeRef::<leptos::html::Input>::new();
    let error = RwSignal::new(initial_error);
    let pending = RwSignal::new(false);
    let error_ref = NodeRef::<leptos::html::P>::new();
    let navigate = use_navigate();

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let field = |input: NodeRef<leptos::html::Input>| {
            input
                .get_untracked()
                .map(|input| input.value())
                .unwrap_or_default()
        };
        let (name, secret) = (field(username_ref), field(password_ref));
        let email = Some(field(email_ref)).filter(|e| !e.trim().is_empty());
        let navigate = navigate.clone();
        spawn_local(async move {
            let outcome = match mode {
                Mode::LogIn => api::login(Some(name), Some(secret)).await.map(|_| ()),
                Mode::SignUp => {
                    match api::register(Some(name.clone()), Some(secret.clone()), email).await {
                        Ok(_) => api::login(Some(name), Some(secret)).await.map(|_| ()),
                        Err(error) => Err(error),
                    }
                }
            };
            pending.set(false);
            match outcome {
                Ok(()) => {
                    if let Some(input) = password_ref.get_untracked() {
                        input.set_value("");
                    }
                    auth.reload().await;
                    navigate(&next.get_untracked(), NavigateOptions::default());
                }
                Err(failure) => {
                    error.set(Some(failure.msg));
                    // Once the message is shown, move focus to it so it is read out.
                    request_animation_frame(move || {
                        if let Some(message) = error_ref.get_untracked() {
                            let _ = message.focus();
                        }
                    });
                }
            }
        });
    };

    let (title, action, submit, password_autocomplete) = match mode {
        Mode::LogIn => ("Log in", "/auth/login", "Log in", "current-password"),
        Mode::SignUp => (
            "Sign up",
            "/auth/register",
            "Create account",
            "new-password",
        ),
    };

    view! {
        <Title text=title/>
        <section class="auth-page">
            <h1>{title}</h1>
            <form
                class="stack-form"
                method="post"
                action=action
                on:submit=on_submit
                aria-describedby="form-error"
                novalidate
            >
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    minlength="3"
                    maxlength="32"
                    aria-describedby=move || (mode == Mode::SignUp).then_some("username-hint")
                    aria-invalid=move || error.get().is_some().to_string()
                    value=initial_username
                    node_ref=username_ref
                />
                {(mode == Mode::SignUp)
                    .then(|| {
                        view! {
                            <p id="username-hint" class="hint">
                                "3–32 characters: letters, digits, '.', '_' or '-'."
                            </p>
                        }
                    })}
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete=password_autocomplete
                    required
                    minlength="8"
                    maxlength="128"
                    aria-describedby=move || (mode == Mode::SignUp).then_some("password-hint")
                    aria-invalid=move || error.get().is_some().to_string()
                    node_ref=password_ref
                />
                {(mode == Mode::SignUp)
                    .then(|| {
                        view! {
                            <p id="password-hint" class="hint">
                                "At least 8 characters. Several unrelated words make a strong, "
                                "memorable password."
                            </p>
                        }
                    })}
                {(mode == Mode::SignUp)
                    .then(|| {
                        view! {
                            <label for="email">"Email (optional)"</label>
                            <input
                                id="email"
                                name="email"
                                type="email"
                                autocomplete="email"
                                autocapitalize="none"
                                spellcheck="false"
                                maxlength="254"
                                aria-describedby="email-hint"
                                node_ref=email_ref
                            />
                            <p id="email-hint" class="hint">
                                "We send a link to confirm it. With a confirmed address you can "
                                "reset a forgotten password."
                            </p>
                        }
                    })}
                <p
                    id="form-error"
                    class="form-error"
                    role="alert"
                    tabindex="-1"
                    node_ref=error_ref
                    hidden=move || error.get().is_none()
                >
                    {move || error.get().unwrap_or_default()}
                </p>
                <SubmitButton label=submit pending/>
            </form>
            {match mode {
                Mode::LogIn => {
                    view! {
                        <p class="switch">
                            <A href="/forgot-password">"Forgot your password?"</A>
                        </p>
                        <p class="switch">
                            "New here? "
                            <A href=move || {
                                format!("/register?next={}", encode_component(&next.get()))
                            }>"Create an account"</A>
                        </p>
                    }
                        .into_any()
                }
                Mode::SignUp => {
                    view! {
                        <p class="switch">
                            "Already have an account? "
                            <A href=move || {
                                format!("/login?next={}", encode_component(&next.get()))
                            }>"Log in"</A>
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_become_fixed_messages() {
        assert_eq!(message_for("credentials", None), "Bad username or password");
        assert_eq!(
            message_for("throttled", Some(30)),
            "Too many attempts. Try again in 30 seconds."
        );
        assert_eq!(
            message_for("throttled", Some(3600)),
            "Too many attempts. Try again in 60 minutes."
        );
        assert!(message_for("<script>", None).starts_with("Something went wrong"));
    }
}
