//! What was read: each document with the commands recognised, what was not used, and problems.

use std::sync::Arc;

use leptos::prelude::*;

use crate::protocol::LoadSummary;
use crate::view_model::severity_word;

#[component]
pub fn DocumentsPanel(summary: RwSignal<Option<Arc<LoadSummary>>>) -> impl IntoView {
    move || {
        summary.get().map(|s| {
            view! {
                <section class="panel" aria-labelledby="docs-h">
                    <h2 id="docs-h">"What was read"</h2>
                    <DocumentList summary=s.clone() />
                    <Problems summary=s />
                </section>
            }
        })
    }
}

#[component]
pub fn DocumentList(summary: Arc<LoadSummary>) -> impl IntoView {
    let rows = summary
        .documents
        .iter()
        .map(|d| {
            let commands = d
                .commands
                .iter()
                .map(|(c, n)| {
                    view! {
                        <li>
                            <code>{c.clone()}</code>
                            {format!(": {n} resource{}", if *n == 1 { "" } else { "s" })}
                        </li>
                    }
                })
                .collect_view();
            let unused = if d.unused.is_empty() {
                "—".to_owned()
            } else {
                d.unused.join(", ")
            };
            view! {
                <tr>
                    <td><span class="file-name">{d.source.clone()}</span></td>
                    <td><ul class="plain">{commands}</ul></td>
                    <td class="muted">{unused}</td>
                </tr>
            }
        })
        .collect_view();
    let evidence = (!summary.evidence_inputs.is_empty()).then(|| {
        view! {
            <p>
                "Kept as evidence (not JSON): "
                <span class="file-name">{summary.evidence_inputs.join(", ")}</span>
            </p>
        }
    });
    let empty = summary.documents.is_empty().then(|| {
        view! { <p class="muted">"No describe-* document was recognised in the input."</p> }
    });
    let has_docs = !summary.documents.is_empty();
    view! {
        <div data-testid="documents">
            {empty}
            <table class="docs" class:hidden=!has_docs>
                <thead>
                    <tr>
                        <th scope="col">"Document"</th>
                        <th scope="col">"Recognised as"</th>
                        <th scope="col">"Not used"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {evidence}
        </div>
    }
}

#[component]
pub fn Problems(summary: Arc<LoadSummary>) -> impl IntoView {
    let items = summary
        .diagnostics
        .iter()
        .map(|d| {
            let sev = severity_word(d.severity);
            let help = d
                .help
                .clone()
                .map(|h| view! { <div class="help">"Help: " {h}</div> });
            view! {
                <li class=format!("diag diag-{sev}") data-severity=sev>
                    <span class="sev">{sev}</span>
                    " "
                    <span class="loc">{d.location.clone()}</span>
                    ": "
                    <span class="msg">{d.message.clone()}</span>
                    {help}
                </li>
            }
        })
        .collect_view();
    let count = summary.diagnostics.len();
    view! {
        <div class="problems">
            <h3>{if count == 0 { "No problems in the input".to_owned() } else { format!("Problems in the input ({count})") }}</h3>
            <ul data-testid="errors" class="plain">{items}</ul>
        </div>
    }
}
