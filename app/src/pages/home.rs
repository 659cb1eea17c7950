//! The home page: for a logged-in user, the canvas and upload area that recognise a digit; for a
//! visitor, what trazo is, how it reads a digit, and the way in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::auth::use_auth;

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Write a digit. trazo reads it."</h1>
            <p class="lede">
                "Draw a digit with your mouse, finger or pen, or upload a photo of one, and a "
                "convolutional network trained on the MNIST handwriting set tells you which digit "
                "it sees and how sure it is."
            </p>
        </section>
        <Suspense fallback=|| ()>
            {move || {
                auth.user
                    .get()
                    .map(|user| match user {
                        Some(_) => tools::view(),
                        None => view! { <JoinIn/> }.into_any(),
                    })
            }}
        </Suspense>
        <section class="how" aria-labelledby="how-title">
            <h2 id="how-title">"How it reads your digit"</h2>
            <ol class="steps">
                <li>
                    <h3>"Clean up"</h3>
                    <p>
                        "Your drawing or photo is turned to grey, its ink found and cropped, and "
                        "the digit scaled to fit a 20×20 box."
                    </p>
                </li>
                <li>
                    <h3>"Centre"</h3>
                    <p>
                        "The digit is placed on a 28×28 canvas with its centre of mass in the "
                        "middle — the same way the MNIST digits were prepared."
                    </p>
                </li>
                <li>
                    <h3>"Recognise"</h3>
                    <p>
                        "The network, running on the server in Rust, gives a probability for each "
                        "digit from 0 to 9."
                    </p>
                </li>
            </ol>
        </section>
        <section class="for-scripts" aria-labelledby="scripts-title">
            <h2 id="scripts-title">"For scripts"</h2>
            <p>
                "Everything the pages do goes through a JSON API under "<code>"/api/"</code>
                ", so the same service can be called with "<code>"curl"</code>" or from your own code."
            </p>
        </section>
    }
}

/// Loads the drawing tools if someone is logged in, so that the home page renders them at once
/// (on the server, and when it hydrates, without waiting inside the page: a `Suspend` there
/// made hydration fail now and then). Awaited by the home route before the page renders.
pub async fn prepare() {
    let auth = use_auth();
    if auth.user.await.is_some() {
        tools::load().await;
    }
}

/// The drawing tools (canvas, upload, result panel): the largest part of the home page, in a
/// WASM chunk of their own in the split build, loaded only for a logged-in user.
mod tools {
    use std::sync::OnceLock;

    use leptos::prelude::*;

    use super::super::draw::Recognizer;

    /// Renders the tools; set once their chunk has arrived.
    static RENDER: OnceLock<fn() -> AnyView> = OnceLock::new();

    #[cfg_attr(any(feature = "split", not(target_arch = "wasm32")), leptos::lazy)]
    async fn drawing_tools() -> fn() -> AnyView {
        fn render() -> AnyView {
            view! { <Recognizer/> }.into_any()
        }
        render as fn() -> AnyView
    }

    /// Fetches the chunk (once; on the server this also lists it in the page for the browser to
    /// preload).
    pub async fn load() {
        let render = drawing_tools().await;
        _ = RENDER.set(render);
    }

    /// The tools, at once if their chunk is here, else as soon as it has arrived.
    pub fn view() -> AnyView {
        match RENDER.get() {
            Some(render) => render(),
            None => Suspend::new(async {
                load().await;
                RENDER.get().map(|render| render())
            })
            .into_any(),
        }
    }
}

/// What a visitor needs to start: an account.
#[component]
fn JoinIn() -> impl IntoView {
    view! {
        <section class="join" aria-labelledby="join-title">
            <h2 id="join-title">"Try it"</h2>
            <p>
                "Drawing and uploading need a free account, so that each person has their own "
                "history and their own share of the recogniser."
            </p>
            <p class="join-links">
                <A href="/register" attr:class="button primary">"Create an account"</A>
                <A href="/login" attr:class="button">"I already have an account"</A>
            </p>
        </section>
    }
}
