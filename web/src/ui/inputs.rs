//! Step 1: the paste box, file picking and dropping, and the built-in example.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use crate::app::{AppState, Content, InputFile};
use crate::browser;
use crate::protocol::human_bytes;
use crate::ui::widgets::{Collector, Command};

/// The commands whose output the checker reads, as one line to copy.
pub const COMMANDS: &str = "for c in describe-instances describe-network-interfaces describe-security-groups \
describe-network-acls describe-route-tables describe-internet-gateways describe-subnets describe-vpcs \
describe-addresses describe-managed-prefix-lists describe-vpc-block-public-access-options; \
do aws ec2 $c --output json > $c.json; done; \
aws ec2 describe-instance-status --include-all-instances --output json > describe-instance-status.json";

/// Pastes larger than this are kept as a "pasted text" input instead of in the box: browsers take
/// tens of seconds to lay out a text box holding megabytes.
pub const LARGE_PASTE: usize = 200_000;

/// Keeps a large pasted text as its own input, named `pasted text N`.
fn keep_large_paste(st: AppState, text: js_sys::JsString) {
    let n = st.files.with_untracked(|f| {
        f.iter()
            .filter(|f| f.name.starts_with("pasted text "))
            .count()
    }) + 1;
    let name = format!("pasted text {n}");
    st.notice.set(Some(format!(
        "Kept the large paste ({}) as “{name}” below, so the box stays fast.",
        human_bytes(text.length() as usize)
    )));
    st.add_files(vec![InputFile {
        name,
        content: Content::Js(SendWrapper::new(text.into())),
    }]);
}

/// Reads the files and adds them to the inputs.
fn add_files(st: AppState, files: Vec<web_sys::File>) {
    if files.is_empty() {
        return;
    }
    leptos::task::spawn_local(async move {
        let mut read = Vec::new();
        for f in files {
            match browser::read_file(&f).await {
                Ok(bytes) => read.push(InputFile {
                    name: f.name(),
                    content: Content::Js(SendWrapper::new(bytes.into())),
                }),
                Err(e) => st
                    .notice
                    .set(Some(format!("could not read `{}`: {e}", f.name()))),
            }
        }
        st.add_files(read);
    });
}

#[component]
pub fn InputsPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    let paste_ref = NodeRef::<leptos::html::Textarea>::new();
    // Show `paste` in the box only when the app replaces it (typing must not reset the caret).
    Effect::new(move |_| {
        st.paste_reset.track();
        if let Some(el) = paste_ref.get() {
            el.set_value(&st.paste.get_untracked());
        }
    });
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        add_files(
            st,
            browser::files_of(ev.data_transfer().and_then(|d| d.files())),
        );
    };
    let on_pick = move |ev: web_sys::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(input) = input {
            add_files(st, browser::files_of(input.files()));
            // Let the same file be picked again after it is removed.
            input.set_value("");
        }
    };
    let file_rows = move || {
        st.files
            .get()
            .into_iter()
            .map(|f| {
                let name = f.name.clone();
                view! {
                    <li>
                        <span class="file-name">{f.name.clone()}</span>
                        " "
                        <span class="muted">{human_bytes(f.content.len())}</span>
                        " "
                        <button
                            type="button"
                            class="link"
                            aria-label=format!("Remove {}", f.name)
                            on:click=move |_| st.files.update(|v| v.retain(|x| x.name != name))
                        >
                            "remove"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel" aria-labelledby="inputs-h">
            <h2 id="inputs-h">"1. Your describe-* output"</h2>
            <p>
                "Run these in a terminal with the AWS CLI (same account and region as the instance), "
                "then drop the files here or paste their output. Several documents at once are fine."
            </p>
            <Command text=COMMANDS.to_owned() />
            {move || {
                let target = st.form.with(|f| f.target.trim().to_owned());
                let instance = if target.is_empty() { "i-0123456789abcdef0".to_owned() } else { target };
                view! { <Collector instance=instance /> }
            }}
            <div
                class="dropzone"
                class:dragging=move || dragging.get()
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <label for="paste">"Paste JSON (any number of documents, one after another):"</label>
                <textarea
                    id="paste"
                    data-testid="paste"
                    rows="10"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder="{ \"Reservations\": [ … ] }\n{ \"SecurityGroups\": [ … ] }"
                    node_ref=paste_ref
                    on:paste=move |ev: web_sys::ClipboardEvent| {
                        // Measured without copying the text into the app: a large paste never
                        // passes through WebAssembly on the page, only in the worker.
                        let text = browser::pasted_text(&ev);
                        if let Some(text) = text.filter(|t| t.length() as usize > LARGE_PASTE) {
                            ev.prevent_default();
                            keep_large_paste(st, text);
                        }
                    }
                    on:input=move |_| {
                        let Some(el) = paste_ref.get_untracked() else {
                            return;
                        };
                        let text = browser::textarea_value(&el);
                        if text.length() as usize > LARGE_PASTE {
                            // Set some other way (drop, undo, a script): move it out of the box too.
                            el.set_value("");
                            st.paste.set(String::new());
                            keep_large_paste(st, text);
                        } else {
                            st.paste.set(String::from(text));
                        }
                    }
                ></textarea>
                <div class="row">
                    <label class="button">
                        "Pick files…"
                        <input
                            type="file"
                            multiple=true
                            accept=".json,.txt,.log,application/json,text/plain"
                            data-testid="files"
                            class="visually-hidden"
                            on:change=on_pick
                        />
                    </label>
                    <span class="muted">"or drop them anywhere in this box."</span>
                    <button type="button" data-testid="load-example" on:click=move |_| st.load_example()>
                        "Load example"
                    </button>
                    <button
                        type="button"
                        class="secondary"
                        data-testid="clear"
                        on:click=move |_| {
                            st.files.set(Vec::new());
                            st.set_paste(String::new());
                        }
                    >
                        "Clear"
                    </button>
                </div>
                <p class="muted" data-testid="paste-size">
                    {move || {
                        let n = st.paste.with(String::len);
                        if n == 0 { String::new() } else { format!("{} in the paste box.", human_bytes(n)) }
                    }}
                </p>
                <ul class="files" data-testid="files-list">{file_rows}</ul>
            </div>
            <p class="notice" role="status">{move || st.notice.get()}</p>
        </section>
    }
}
