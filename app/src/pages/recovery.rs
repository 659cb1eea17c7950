//! The pages mailed links and a forgotten password lead to: `/forgot-password` (ask for a reset
//! link), `/reset-password?token=…` (choose a new password) and `/confirm-email?token=…`
//! (confirm an address). Each form works both ways, like the log-in form: with WASM it calls
//! the JSON API and answers in place; without JavaScript it posts to `/auth/…`, which redirects
//! back with a short code. Following a link never changes anything by itself (mail scanners
//! open links): the page asks for a click, a POST.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::title_text;
use super::{
    credentials::message_for,
    notice::{Notice, NoticeLine, SubmitButton},
};
use crate::{
    api::{self, ApiError, Message},
    i18n::{I18n, move_tr, server_text, tr, use_i18n},
};

/// What the page says on arrival, from the codes a no-JavaScript post came back with: `done`
/// (`sent`, `done`) or `error` (and `retry`), in the page's language. Only fixed texts, never
/// text from the address.
fn said_on_arrival(i18n: I18n, done_key: &str, done_text: &str) -> Option<Result<String, String>> {
    let query = use_query_map();
    query.with_untracked(|q| {
        if q.get(done_key).is_some() {
            return Some(Ok(server_text(i18n, done_text)));
        }
        q.get("error").map(|code| {
            let retry = q.get("retry").and_then(|r| r.parse().ok());
            Err(message_for(i18n, &code, retry))
        })
    })
}

/// The token from the page's address, as the form sends it back.
fn token_in_address() -> String {
    use_query_map()
        .with_untracked(|q| q.get("token"))
        .unwrap_or_default()
}

/// Runs `call` once at a time and shows its outcome in `said`, in the language of `i18n` (the
/// caller's `use_i18n()`, taken when the component was built).
pub(super) fn submit_with<F, Fut>(i18n: I18n, pending: RwSignal<bool>, said: Notice, call: F)
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Message, ApiError>> + 'static,
{
    if pending.get_untracked() {
        return;
    }
    pending.set(true);
    said.set(None);
    spawn_local(async move {
        let outcome = call().await;
        pending.set(false);
        said.set(Some(
            outcome
                .map(|done| server_text(i18n, &done.msg))
                .map_err(|error| server_text(i18n, &error.msg)),
        ));
    });
}

fn input_value(input: NodeRef<leptos::html::Input>) -> String {
    input
        .get_untracked()
        .map(|input| input.value())
        .unwrap_or_default()
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let said = RwSignal::new(said_on_arrival(i18n, "sent", api::RESET_REQUESTED));
    let pending = RwSignal::new(false);
    let login_ref = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let login = input_value(login_ref);
        submit_with(i18n, pending, said, move || {
            api::forgot_password(Some(login))
        });
    };
    view! {
        <Title text=title_text(move || tr!(i18n, "auth-forgot-title"))/>
        <section class="auth-page">
            <h1>{move_tr!(i18n, "auth-forgot-title")}</h1>
            <p>{move_tr!(i18n, "auth-forgot-intro")}</p>
            <form
                class="stack-form"
                method="post"
                action="/auth/forgot_password"
                on:submit=on_submit
                novalidate
            >
                <label for="login">{move_tr!(i18n, "auth-forgot-login")}</label>
                <input
                    id="login"
                    name="login"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    maxlength="254"
                    node_ref=login_ref
                />
                <NoticeLine notice=said/>
                <SubmitButton label=move_tr!(i18n, "auth-forgot-submit") pending/>
            </form>
            <p class="switch">
                {move_tr!(i18n, "auth-remembered")}
                <A href="/login">{move_tr!(i18n, "auth-log-in-link")}</A>
            </p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = token_in_address();
    let said = RwSignal::new(said_on_arrival(i18n, "done", api::PASSWORD_RESET));
    let pending = RwSignal::new(false);
    let password_ref = NodeRef::<leptos::html::Input>::new();
    let done = move || matches!(said.get(), Some(Ok(_)));
    let on_submit = {
        let token = token.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let (token, password) = (token.clone(), input_value(password_ref));
            submit_with(i18n, pending, said, move || {
                api::reset_password(Some(token), Some(password))
            });
            if let Some(input) = password_ref.get_untracked() {
                input.set_value("");
            }
        }
    };
    view! {
        <Title text=title_text(move || tr!(i18n, "auth-reset-title"))/>
        <section class="auth-page">
            <h1>{move_tr!(i18n, "auth-reset-title")}</h1>
            <form
                class="stack-form"
                method="post"
                action="/auth/reset_password"
                on:submit=on_submit
                hidden=done
                novalidate
            >
                <input type="hidden" name="token" value=token/>
                <label for="new-password">{move_tr!(i18n, "auth-reset-new-password")}</label>
                <input
                    id="new-password"
                    name="new_password"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength="8"
                    maxlength="128"
                    aria-describedby="new-password-hint"
                    node_ref=password_ref
                />
                <p id="new-password-hint" class="hint">
                    {move_tr!(i18n, "auth-reset-hint")}
                </p>
                <SubmitButton label=move_tr!(i18n, "auth-reset-submit") pending/>
            </form>
            <NoticeLine notice=said/>
            <p class="switch" hidden=move || !done()>
                <A href="/login">{move_tr!(i18n, "auth-log-in-link")}</A>
            </p>
            <p class="switch" hidden=done>
                {move_tr!(i18n, "auth-link-not-working")}
                <A href="/forgot-password">{move_tr!(i18n, "auth-ask-new-link")}</A>
            </p>
        </section>
    }
}

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = token_in_address();
    let said = RwSignal::new(said_on_arrival(i18n, "done", api::EMAIL_CONFIRMED));
    let pending = RwSignal::new(false);
    let done = move || matches!(said.get(), Some(Ok(_)));
    let on_submit = {
        let token = token.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let token = token.clone();
            submit_with(i18n, pending, said, move || api::confirm_email(Some(token)));
        }
    };
    view! {
        <Title text=title_text(move || tr!(i18n, "auth-confirm-title"))/>
        <section class="auth-page">
            <h1>{move_tr!(i18n, "auth-confirm-title")}</h1>
            <form
                class="stack-form"
                method="post"
                action="/auth/confirm_email"
                on:submit=on_submit
                hidden=done
            >
                <input type="hidden" name="token" value=token/>
                <p>{move_tr!(i18n, "auth-confirm-intro")}</p>
                <SubmitButton label=move_tr!(i18n, "auth-confirm-submit") pending/>
            </form>
            <NoticeLine notice=said/>
            <p class="switch">
                <A href="/account">{move_tr!(i18n, "auth-your-account-link")}</A>
            </p>
        </section>
    }
}
