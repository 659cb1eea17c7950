//! The pages mailed links and a forgotten password lead to: `/forgot-password` (ask for a reset
//! link), `/reset-password?token=…` (choose a new password) and `/confirm-email?token=…`
//! (confirm an address). Each form works both ways, like the log-in form: with WASM it calls
//! the JSON API and answers in place; without JavaScript it posts to `/auth/…`, which redirects
//! back with a short code. Following a link never changes anything by itself (mail scanners
//! open links): the page asks for a click, a POST.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::{
    credentials::message_for,
    notice::{Notice, NoticeLine, SubmitButton},
};
use crate::api::{self, ApiError, Message};

/// What the page says on arrival, from the codes a no-JavaScript post came back with: `done`
/// (`sent`, `done`) or `error` (and `retry`). Only fixed texts, never text from the address.
fn said_on_arrival(done_key: &str, done_text: &str) -> Option<Result<String, String>> {
    let query = use_query_map();
    query.with_untracked(|q| {
        if q.get(done_key).is_some() {
            return Some(Ok(done_text.to_owned()));
        }
        q.get("error").map(|code| {
            let retry = q.get("retry").and_then(|r| r.parse().ok());
            Err(message_for(&code, retry))
        })
    })
}

/// The token from the page's address, as the form sends it back.
fn token_in_address() -> String {
    use_query_map()
        .with_untracked(|q| q.get("token"))
        .unwrap_or_default()
}

/// Runs `call` once at a time and shows its outcome in `said`.
pub(super) fn submit_with<F, Fut>(pending: RwSignal<bool>, said: Notice, call: F)
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
            outcome.map(|done| done.msg).map_err(|error| error.msg),
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
    let said = RwSignal::new(said_on_arrival("sent", api::RESET_REQUESTED));
    let pending = RwSignal::new(false);
    let login_ref = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let login = input_value(login_ref);
        submit_with(pending, said, move || api::forgot_password(Some(login)));
    };
    view! {
        <Title text="Forgot your password?"/>
        <section class="auth-page">
            <h1>"Forgot your password?"</h1>
            <p>
                "Give your username or your confirmed email address. If the account has a "
                "confirmed address, we mail it a link to choose a new password."
            </p>
            <form
                class="stack-form"
                method="post"
                action="/auth/forgot_password"
                on:submit=on_submit
                novalidate
            >
                <label for="login">"Username or email address"</label>
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
                <SubmitButton label="Send me a link" pending/>
            </form>
            <p class="switch">
                "Remembered it? "
                <A href="/login">"Log in"</A>
            </p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = token_in_address();
    let said = RwSignal::new(said_on_arrival("done", api::PASSWORD_RESET));
    let pending = RwSignal::new(false);
    let password_ref = NodeRef::<leptos::html::Input>::new();
    let done = move || matches!(said.get(), Some(Ok(_)));
    let on_submit = {
        let token = token.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let (token, password) = (token.clone(), input_value(password_ref));
            submit_with(pending, said, move || {
                api::reset_password(Some(token), Some(password))
            });
            if let Some(input) = password_ref.get_untracked() {
                input.set_value("");
            }
        }
    };
    view! {
        <Title text="Choose a new password"/>
        <section class="auth-page">
            <h1>"Choose a new password"</h1>
            <form
                class="stack-form"
                method="post"
                action="/auth/reset_password"
                on:submit=on_submit
                hidden=done
                novalidate
            >
                <input type="hidden" name="token" value=token/>
                <label for="new-password">"New password"</label>
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
                    "At least 8 characters. Every device where you are logged in will be "
                    "logged out."
                </p>
                <SubmitButton label="Set new password" pending/>
            </form>
            <NoticeLine notice=said/>
            <p class="switch" hidden=move || !done()>
                <A href="/login">"Log in"</A>
            </p>
            <p class="switch" hidden=done>
                "Link not working? "
                <A href="/forgot-password">"Ask for a new one"</A>
            </p>
        </section>
    }
}

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let token = token_in_address();
    let said = RwSignal::new(said_on_arrival("done", api::EMAIL_CONFIRMED));
    let pending = RwSignal::new(false);
    let done = move || matches!(said.get(), Some(Ok(_)));
    let on_submit = {
        let token = token.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let token = token.clone();
            submit_with(pending, said, move || api::confirm_email(Some(token)));
        }
    };
    view! {
        <Title text="Confirm your email address"/>
        <section class="auth-page">
            <h1>"Confirm your email address"</h1>
            <form
                class="stack-form"
                method="post"
                action="/auth/confirm_email"
                on:submit=on_submit
                hidden=done
            >
                <input type="hidden" name="token" value=token/>
                <p>"Confirm that this address belongs to your trazo account."</p>
                <SubmitButton label="Confirm my address" pending/>
            </form>
            <NoticeLine notice=said/>
            <p class="switch">
                <A href="/account">"Your account"</A>
            </p>
        </section>
    }
}
