//! The home page: for a logged-in user, the canvas and upload area that recognise a digit; for a
//! visitor, what trazo is, how it reads a digit, and the way in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::draw::Recognizer;
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
                        Some(_) => view! { <Recognizer/> }.into_any(),
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
