//! The landing page: what trazo is and how it reads a digit.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
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
