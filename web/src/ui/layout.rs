//! The header (privacy sentence, remember toggle) and footer.

use leptos::prelude::*;

#[component]
pub fn Header(remember: RwSignal<bool>) -> impl IntoView {
    view! {
        <header class="top">
            <div class="title">
                <h1>"vpc-reach"</h1>
                <p class="tagline">"Why can't I connect to my EC2 instance from the internet?"</p>
            </div>
            <div class="privacy">
                <p data-testid="privacy">
                    "Everything runs in this page: nothing you paste or pick leaves your browser."
                </p>
                <label class="toggle">
                    <input
                        type="checkbox"
                        data-testid="remember"
                        prop:checked=move || remember.get()
                        on:change=move |ev| remember.set(event_target_checked(&ev))
                    />
                    " Remember on this device"
                </label>
                <span class="hint">
                    {move || {
                        if remember.get() {
                            "Your input is kept in this browser's local storage until you untick this."
                        } else {
                            "Off: nothing is stored."
                        }
                    }}
                </span>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer>
            <p>
                "vpc-reach reads the JSON that "<code>"aws ec2 describe-*"</code>
                " prints and checks every layer between the internet and your instance. "
                "It makes no network requests: it cannot see your account, only what you give it."
            </p>
        </footer>
    }
}
