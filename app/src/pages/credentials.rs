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
use super::title_text;
use crate::{
    api,
    auth::{encode_component, safe_next, use_auth},
    i18n::{I18n, fmt, lang_of, move_tr, server_text, tr, use_i18n},
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    LogIn,
    SignUp,
}

/// The message for an error code the no-JavaScript form post came back with, in the page's
/// language. Only fixed texts: nothing from the address is ever shown.
pub(super) fn message_for(i18n: I18n, code: &str, retry: Option<u64>) -> String {
    match code {
        "address" => tr!(i18n, "auth-error-address"),
        "no-mail" => tr!(i18n, "auth-error-no-mail"),
        "link-unknown" => server_text(i18n, api::LINK_UNKNOWN),
        "link-used" => server_text(i18n, api::LINK_USED),
        "link-expired" => server_text(i18n, api::LINK_EXPIRED),
        "missing" => tr!(i18n, "auth-error-missing"),
        "credentials" => tr!(i18n, "auth-error-credentials"),
        "disabled" => tr!(i18n, "auth-error-disabled"),
        "taken" => tr!(i18n, "auth-error-taken"),
        "policy" => tr!(i18n, "auth-error-policy"),
        "throttled" => {
            let lang = lang_of(i18n);
            // The count selects the plural form; the shown number is grouped as `lang` writes it.
            let shown = |n: u64| fmt::int(lang, i64::try_from(n).unwrap_or(i64::MAX));
            match retry {
                Some(secs) if secs >= 120 => {
                    let minutes = secs.div_ceil(60);
                    tr!(i18n, "auth-error-throttled-minutes", {
                        "count" => minutes,
                        "shown" => shown(minutes),
                    })
                }
                Some(secs) => tr!(i18n, "auth-error-throttled-seconds", {
                    "count" => secs,
                    "shown" => shown(secs),
                }),
                None => tr!(i18n, "auth-error-throttled-later"),
            }
        }
        _ => tr!(i18n, "auth-error-unexpected"),
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
    let i18n = use_i18n();
    let query = use_query_map();
    let next = Memo::new(move |_| safe_next(query.read().get("next")));
    let initial_error = query.with_untracked(|q| {
        q.get("error").map(|code| {
            let retry = q.get("retry").and_then(|r| r.parse().ok());
            message_for(i18n, &code, retry)
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
                    error.set(Some(server_text(i18n, &failure.msg)));
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
        Mode::LogIn => (
            move_tr!(i18n, "auth-login-title"),
            "/auth/login",
            move_tr!(i18n, "auth-login-submit"),
            "current-password",
        ),
        Mode::SignUp => (
            move_tr!(i18n, "auth-signup-title"),
            "/auth/register",
            move_tr!(i18n, "auth-signup-submit"),
            "new-password",
        ),
    };
    let page_title = move || match mode {
        Mode::LogIn => tr!(i18n, "auth-login-title"),
        Mode::SignUp => tr!(i18n, "auth-signup-title"),
    };

    view! {
        <Title text=title_text(page_title)/>
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
                <label for="username">{move_tr!(i18n, "auth-username")}</label>
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
                                {move_tr!(i18n, "auth-username-hint")}
                            </p>
                        }
                    })}
                <label for="password">{move_tr!(i18n, "auth-password")}</label>
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
                                {move_tr!(i18n, "auth-password-hint")}
                            </p>
                        }
                    })}
                {(mode == Mode::SignUp)
                    .then(|| {
                        view! {
                            <label for="email">{move_tr!(i18n, "auth-email-optional")}</label>
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
                                {move_tr!(i18n, "auth-email-hint")}
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
                            <A href="/forgot-password">{move_tr!(i18n, "auth-forgot-link")}</A>
                        </p>
                        <p class="switch">
                            {move_tr!(i18n, "auth-new-here")}
                            <A href=move || {
                                format!("/register?next={}", encode_component(&next.get()))
                            }>{move_tr!(i18n, "auth-create-account-link")}</A>
                        </p>
                    }
                        .into_any()
                }
                Mode::SignUp => {
                    view! {
                        <p class="switch">
                            {move_tr!(i18n, "auth-have-account")}
                            <A href=move || {
                                format!("/login?next={}", encode_component(&next.get()))
                            }>{move_tr!(i18n, "auth-log-in-link")}</A>
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
    use crate::i18n::Lang;

    fn i18n_in(lang: Lang) -> I18n {
        crate::i18n::test_context(lang)
    }

    #[test]
    fn error_codes_become_fixed_messages() {
        let en = i18n_in(Lang::En);
        assert_eq!(
            message_for(en, "credentials", None),
            "Bad username or password"
        );
        assert_eq!(
            message_for(en, "throttled", Some(30)),
            "Too many attempts. Try again in 30 seconds."
        );
        assert_eq!(
            message_for(en, "throttled", Some(3600)),
            "Too many attempts. Try again in 60 minutes."
        );
        assert_eq!(
            message_for(en, "throttled", Some(1)),
            "Too many attempts. Try again in 1 second."
        );
        assert_eq!(
            message_for(en, "throttled", Some(86_400)),
            "Too many attempts. Try again in 1,440 minutes."
        );
        assert!(message_for(en, "<script>", None).starts_with("Something went wrong"));
    }

    #[test]
    fn error_codes_in_spanish() {
        let es = i18n_in(Lang::Es);
        assert_eq!(
            message_for(es, "credentials", None),
            "Nombre de usuario o contraseña incorrectos"
        );
        assert_eq!(
            message_for(es, "throttled", Some(30)),
            "Demasiados intentos. Vuelve a intentarlo dentro de 30 segundos."
        );
        assert_eq!(
            message_for(es, "throttled", Some(1)),
            "Demasiados intentos. Vuelve a intentarlo dentro de 1 segundo."
        );
        assert_eq!(
            message_for(es, "throttled", Some(86_400)),
            "Demasiados intentos. Vuelve a intentarlo dentro de 1440 minutos."
        );
        assert!(message_for(es, "<script>", None).starts_with("Algo ha fallado"));
    }
}
