//! Small shared pieces: the status badge and the copy button.

use leptos::prelude::*;
use vpc_reach_core::report::Status;

use crate::browser;
use crate::view_model::{collector_command, public_base, status_class, status_mark};

/// A status as colour, mark and word (never colour alone).
#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let (mark, word) = status_mark(status);
    view! {
        <span class=format!("badge {}", status_class(Some(status))) data-status=status.name()>
            <span class="mark" aria-hidden="true">{mark}</span>
            " "
            {word}
        </span>
    }
}

/// Copies `text` and says whether it worked.
#[component]
pub fn CopyButton(
    text: String,
    #[prop(default = "Copy")] label: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let state = RwSignal::new(None::<Result<(), String>>);
    let text = StoredValue::new(text);
    let on_click = move |_| {
        let t = text.get_value();
        leptos::task::spawn_local(async move {
            let r = browser::copy_text(&t).await;
            state.set(Some(r));
        });
    };
    view! {
        <button type="button" class="copy" data-testid=testid on:click=on_click>
            {move || match state.get() {
                None => label.to_owned(),
                Some(Ok(())) => "Copied".to_owned(),
                Some(Err(_)) => "Copy failed: select and press Ctrl+C".to_owned(),
            }}
        </button>
    }
}

/// A shell command in a code block with a copy button.
#[component]
pub fn Command(text: String) -> impl IntoView {
    view! {
        <div class="command">
            <pre><code>{text.clone()}</code></pre>
            <CopyButton text=text />
        </div>
    }
}

/// The CloudShell collector: a link to `collect.sh` (served beside the page; nothing is fetched
/// until the user clicks) and the command line that runs it for `instance`.
#[component]
pub fn Collector(instance: String) -> impl IntoView {
    let base = browser::page_url().and_then(|u| public_base(&u));
    let how = if base.is_some() {
        "Run it in AWS CloudShell (it fetches the script from this site), then download bundle.json (Actions → Download file) and drop it here."
    } else {
        "Download the script, upload it in AWS CloudShell (Actions → Upload file), run the line above, then download bundle.json (Actions → Download file) and drop it here."
    };
    let line = collector_command(&instance, base.as_deref());
    view! {
        <div class="collector" data-testid="collector">
            <p>
                "Or gather everything for one instance in one go with "
                <a href="collect.sh" download="collect.sh" data-testid="collector-download">"collect.sh"</a>
                " (read-only describe-* calls, one bundle file):"
            </p>
            <Command text=line />
            <p class="muted">{how}</p>
        </div>
    }
}
