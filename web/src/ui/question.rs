//! Step 2: which instance, which port, from where.

use leptos::prelude::*;

use crate::app::AppState;
use crate::query::{FormError, PortChoice, ProtocolChoice};
use crate::view_model::{filter_instances, instance_label};

/// How many instances the picker lists at once (the search narrows the rest).
const PICKER_LIMIT: usize = 200;

#[component]
pub fn QuestionPanel(on_analyze: Callback<()>) -> impl IntoView {
    let st = expect_context::<AppState>();
    let form = st.form;
    view! {
        <section class="panel" aria-labelledby="q-h">
            <h2 id="q-h">"2. The question"</h2>
            <InstancePicker />
            <div class="grid">
                <div class="field">
                    <label for="protocol">"Protocol"</label>
                    <select
                        id="protocol"
                        data-testid="protocol"
                        on:change=move |ev| {
                            form.update(|f| f.protocol = ProtocolChoice::from_key(&event_target_value(&ev)))
                        }
                    >
                        {ProtocolChoice::ALL
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <option value=p.key() prop:selected=move || form.with(|f| f.protocol == p)>
                                        {p.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field" class:disabled=move || !form.with(|f| f.protocol.has_port())>
                    <label for="port">"Port"</label>
                    <select
                        id="port"
                        data-testid="port"
                        prop:disabled=move || !form.with(|f| f.protocol.has_port())
                        on:change=move |ev| form.update(|f| f.port = PortChoice::from_key(&event_target_value(&ev)))
                    >
                        {PortChoice::ALL
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <option value=p.key() prop:selected=move || form.with(|f| f.port == p)>
                                        {p.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <Show when=move || form.with(|f| f.port == PortChoice::Custom && f.protocol.has_port())>
                        <input
                            type="number"
                            min="1"
                            max="65535"
                            inputmode="numeric"
                            aria-label="Port number"
                            data-testid="port-custom"
                            prop:value=move || form.with(|f| f.custom_port.clone())
                            on:input=move |ev| form.update(|f| f.custom_port = event_target_value(&ev))
                        />
                    </Show>
                </div>
                <div class="field wide">
                    <label for="source">"Your public IP (optional)"</label>
                    <input
                        id="source"
                        type="text"
                        data-testid="source"
                        placeholder="e.g. 198.51.100.7 or 198.51.100.0/24; empty = the whole internet"
                        autocomplete="off"
                        spellcheck="false"
                        prop:value=move || form.with(|f| f.source.clone())
                        on:input=move |ev| form.update(|f| f.source = event_target_value(&ev))
                    />
                    <p class="hint">
                        "This page cannot look up your IP address without a network request, so it does not. "
                        "To find it, search “what is my ip” in another tab, or run "
                        <code>"curl https://checkip.amazonaws.com"</code>" in a terminal."
                    </p>
                </div>
            </div>
            <div class="row">
                <button type="button" class="primary" data-testid="analyze" on:click=move |_| on_analyze.run(())>
                    "Analyze"
                </button>
                <Progress />
            </div>
            <p class="hint" data-testid="form-hint">
                {move || {
                    if st.summary.with(Option::is_none) {
                        "Paste or pick your describe-* output (or load the example) first."
                    } else {
                        ""
                    }
                }}
            </p>
            <p class="form-error" role="alert" data-testid="form-error">
                {move || match form.with(|f| f.to_query()) {
                    Err(FormError::NoTarget) if st.summary.with(Option::is_none) => String::new(),
                    Err(e) => {
                        let mut s = e.to_string();
                        if let Some(first) = s.get(..1) {
                            let upper = first.to_ascii_uppercase();
                            s.replace_range(..1, &upper);
                        }
                        s.push('.');
                        s
                    }
                    Ok(_) => String::new(),
                }}
            </p>
        </section>
    }
}

#[component]
fn Progress() -> impl IntoView {
    let st = expect_context::<AppState>();
    view! {
        <span class="progress" role="status" aria-live="polite" data-testid="progress">
            {move || {
                st.busy
                    .get()
                    .map(|text| {
                        view! {
                            <span class="spinner" aria-hidden="true"></span>
                            " "
                            {text}
                        }
                    })
            }}
        </span>
    }
}

/// Searchable instance list: id, Name tag, state and addresses.
#[component]
pub fn InstancePicker() -> impl IntoView {
    let st = expect_context::<AppState>();
    let form = st.form;
    let filter = st.instance_filter;
    let options = move || {
        let summary = st.summary.get();
        let instances = summary
            .as_ref()
            .map(|s| s.instances.as_slice())
            .unwrap_or(&[]);
        let target = form.with(|f| f.target.clone());
        let matches = filter.with(|f| filter_instances(instances, f));
        let total = matches.len();
        let mut shown: Vec<_> = matches.into_iter().take(PICKER_LIMIT).collect();
        // The selected instance stays listed even when the search hides it.
        if !shown.iter().any(|i| i.id == target) {
            if let Some(sel) = instances.iter().find(|i| i.id == target) {
                shown.insert(0, sel);
            }
        }
        let mut opts: Vec<AnyView> = Vec::new();
        if instances.is_empty() {
            let text = if target.is_empty() {
                "No instances yet".to_owned()
            } else {
                target.clone()
            };
            opts.push(
                view! { <option value=target.clone() selected=true>{text}</option> }.into_any(),
            );
        } else if shown.is_empty() {
            opts.push(view! { <option value="" disabled=true selected=true>"No instance matches the search"</option> }.into_any());
        }
        for i in shown {
            let id = i.id.clone();
            let selected = id == target;
            opts.push(
                view! { <option value=id selected=selected>{instance_label(i)}</option> }
                    .into_any(),
            );
        }
        if total > PICKER_LIMIT {
            opts.push(
                view! {
                    <option value="" disabled=true>
                        {format!("… and {} more: narrow the search", total - PICKER_LIMIT)}
                    </option>
                }
                .into_any(),
            );
        }
        opts
    };
    let addresses = move || {
        let target = form.with(|f| f.target.clone());
        st.summary
            .get()
            .and_then(|s| {
                s.instances
                    .iter()
                    .find(|i| i.id == target)
                    .map(|i| i.public_ips.clone())
            })
            .unwrap_or_default()
    };
    view! {
        <div class="grid">
            <div class="field">
                <label for="instance-filter">"Find an instance"</label>
                <input
                    id="instance-filter"
                    type="search"
                    data-testid="instance-filter"
                    placeholder="id, Name tag, IP or state"
                    prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))
                />
            </div>
            <div class="field wide">
                <label for="instance">"Instance"</label>
                <select
                    id="instance"
                    data-testid="instance-select"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if !v.is_empty() {
                            form.update(|f| {
                                f.target = v;
                                f.address.clear();
                            });
                        }
                    }
                >
                    {options}
                </select>
            </div>
            <Show when=move || { addresses().len() > 1 }>
                <div class="field">
                    <label for="address">"Public address"</label>
                    <select
                        id="address"
                        data-testid="address"
                        on:change=move |ev| form.update(|f| f.address = event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || form.with(|f| f.address.is_empty())>"Primary"</option>
                        {move || {
                            addresses()
                                .into_iter()
                                .map(|s| {
                                    let sel = s.clone();
                                    view! {
                                        <option value=s.clone() prop:selected=move || form.with(|f| f.address == sel)>
                                            {s.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
            </Show>
        </div>
    }
}
