//! The answer: verdict, path diagram, who can connect, notes, one card per layer, export.

use std::sync::Arc;

use leptos::prelude::*;
use vpc_reach_core::report::Status;

use crate::browser;
use crate::protocol::{CheckData, ReportData};
use crate::ui::widgets::{Collector, Command, CopyButton, StatusBadge};
use crate::view_model::{
    first_n, hop_checks, hop_status, status_class, status_mark, still_missing, verdict_class,
    verdict_sentence, Hop, FORWARD, REPLY,
};

#[component]
pub fn ReportPanel(
    analysis: RwSignal<Option<Arc<ReportData>>>,
    error: RwSignal<Option<String>>,
    worker_error: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <section class="panel result" aria-labelledby="result-h">
            <h2 id="result-h">"3. The answer"</h2>
            {move || {
                worker_error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="banner st-fail" role="alert" data-testid="worker-error">
                                "The analysis could not run: " {e} ". Reload the page to try again."
                            </p>
                        }
                    })
            }}
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="banner st-unknown" role="alert" data-testid="analysis-error">
                                <span class="mark" aria-hidden="true">"?"</span>
                                " "
                                {e}
                            </p>
                        }
                    })
            }}
            {move || match analysis.get() {
                Some(r) => view! { <ReportView report=r /> }.into_any(),
                None => {
                    view! {
                        <p class="muted">"The verdict appears here once an instance is picked."</p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Everything about one report (no signals: re-rendered when the report changes).
#[component]
pub fn ReportView(report: Arc<ReportData>) -> impl IntoView {
    view! {
        <VerdictBanner report=report.clone() />
        <PathDiagram report=report.clone() />
        <Sources report=report.clone() />
        <StillMissing report=report.clone() />
        <Notes report=report.clone() />
        <LayerCards report=report.clone() />
        <Export report=report />
    }
}

#[component]
pub fn VerdictBanner(report: Arc<ReportData>) -> impl IntoView {
    let v = report.verdict;
    view! {
        <div class=format!("banner verdict {}", verdict_class(v)) role="status">
            <span class="verdict-name" data-testid="verdict" data-verdict=v.name()>
                {v.name()}
            </span>
            <span class="verdict-text">{verdict_sentence(&report)}</span>
        </div>
    }
}

/// Geometry of the diagram, in SVG user units (integers: formatting floats costs wasm size).
const BOX_W: i32 = 132;
const BOX_H: i32 = 58;
const GAP: i32 = 18;
const FORWARD_Y: i32 = 34;
const REPLY_Y: i32 = 166;

fn box_x(col: usize) -> i32 {
    8 + col as i32 * (BOX_W + GAP)
}

/// A focusable hop box; clicking or focusing it shows its evidence below the diagram.
fn hop_box(
    report: &ReportData,
    hop: &'static Hop,
    row: &'static str,
    col: usize,
    y: i32,
    selected: RwSignal<Option<(&'static str, usize)>>,
) -> impl IntoView {
    let status = hop_status(report, hop);
    let (mark, word) = match (status, hop.note) {
        (Some(s), _) => status_mark(s),
        (None, Some(note)) => ("·", note),
        (None, None) => ("–", "no data"),
    };
    let x = box_x(col);
    let label = format!(
        "{} ({}): {mark} {word}",
        hop.label,
        if row == "fwd" {
            "to the instance"
        } else {
            "reply"
        }
    );
    let key = (row, col);
    let testid = format!("hop-{row}-{col}");
    view! {
        <g
            class=format!("hop {}", status_class(status))
            class:selected=move || selected.get() == Some(key)
            tabindex="0"
            role="button"
            aria-label=label
            aria-pressed=move || if selected.get() == Some(key) { "true" } else { "false" }
            data-testid=testid
            data-status=status.map(|s| s.name()).unwrap_or("none")
            on:click=move |_| selected.set(Some(key))
            on:focus=move |_| selected.set(Some(key))
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    selected.set(Some(key));
                }
            }
        >
            <rect x=x y=y width=BOX_W height=BOX_H rx="8" ry="8"></rect>
            <text x=x + BOX_W / 2 y=y + 23 text-anchor="middle" class="hop-label">{hop.label}</text>
            <text x=x + BOX_W / 2 y=y + 43 text-anchor="middle" class="hop-mark">
                {format!("{mark} {word}")}
            </text>
        </g>
    }
}

fn arrow(x1: i32, y1: i32, x2: i32, y2: i32) -> impl IntoView {
    view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class="arrow" marker-end="url(#arrowhead)"></line> }
}

#[component]
pub fn PathDiagram(report: Arc<ReportData>) -> impl IntoView {
    let selected = RwSignal::new(None::<(&'static str, usize)>);
    let width = box_x(FORWARD.len()) - GAP + 8;
    let forward = FORWARD
        .iter()
        .enumerate()
        .map(|(i, h)| hop_box(&report, h, "fwd", i, FORWARD_Y, selected))
        .collect_view();
    let reply = REPLY
        .iter()
        .enumerate()
        .map(|(i, h)| hop_box(&report, h, "rep", i, REPLY_Y, selected))
        .collect_view();
    let fwd_arrows = (1..FORWARD.len())
        .map(|i| {
            let y = FORWARD_Y + BOX_H / 2;
            arrow(box_x(i) - GAP + 2, y, box_x(i) - 3, y)
        })
        .collect_view();
    let rep_arrows = (1..REPLY.len())
        .map(|i| {
            let y = REPLY_Y + BOX_H / 2;
            arrow(box_x(i) - 2, y, box_x(i) - GAP + 3, y)
        })
        .collect_view();
    // From the instance down and back to the reply row's ENI.
    let last = FORWARD.len() - 1;
    let turn_x = box_x(last) + BOX_W / 2;
    let turn = format!(
        "M {turn_x} {} L {turn_x} {} L {} {}",
        FORWARD_Y + BOX_H + 2,
        REPLY_Y + BOX_H / 2,
        box_x(REPLY.len() - 1) + BOX_W + 3,
        REPLY_Y + BOX_H / 2
    );
    let detail_report = report.clone();
    let detail = move || {
        selected.get().map(|(row, col)| {
            let hop = if row == "fwd" {
                FORWARD.get(col)
            } else {
                REPLY.get(col)
            };
            hop.map(|h| hop_detail(&detail_report, h, row))
        })
    };
    view! {
        <figure class="diagram">
            <figcaption>
                "The path a connection takes (top) and its reply (bottom). "
                "Select a step to see what decided it."
            </figcaption>
            <svg
                viewBox=format!("0 0 {width} 232")
                role="group"
                aria-label="Network path from the internet to the instance and back"
                data-testid="path-diagram"
            >
                <defs>
                    <marker id="arrowhead" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">
                        <path d="M0,0 L8,4 L0,8 z" class="arrowhead"></path>
                    </marker>
                </defs>
                <text x="8" y="20" class="row-label">"Request →"</text>
                <text x="8" y=REPLY_Y - 12 class="row-label">"← Reply"</text>
                {fwd_arrows}
                {rep_arrows}
                <path d=turn class="arrow" fill="none" marker-end="url(#arrowhead)"></path>
                {forward}
                {reply}
            </svg>
            <div class="hop-detail" aria-live="polite" data-testid="hop-detail">{detail}</div>
        </figure>
    }
}

fn hop_detail(report: &ReportData, hop: &Hop, row: &str) -> AnyView {
    let checks = hop_checks(report, hop);
    let heading = format!(
        "{} ({})",
        hop.label,
        if row == "fwd" { "request" } else { "reply" }
    );
    if checks.is_empty() {
        let text = match hop.note {
            Some("stateful") => {
                "Security groups are stateful: the reply to an allowed request always leaves."
            }
            Some(_) => "The client on the internet.",
            None => "The report has no check for this step.",
        };
        return view! {
            <h3>{heading}</h3>
            <p>{text}</p>
        }
        .into_any();
    }
    let items = checks
        .into_iter()
        .map(|c| {
            view! {
                <div class="hop-check">
                    <p>
                        <strong>{c.layer.title()}</strong>
                        " "
                        <StatusBadge status=c.status />
                        " "
                        {c.summary.clone()}
                    </p>
                    <EvidenceList check=c.clone() />
                </div>
            }
        })
        .collect_view();
    view! {
        <h3>{heading}</h3>
        {items}
    }
    .into_any()
}

#[component]
fn EvidenceList(check: CheckData) -> impl IntoView {
    if check.evidence.is_empty() {
        return None;
    }
    let items = check
        .evidence
        .into_iter()
        .map(|e| {
            let origin = e
                .origin
                .map(|o| view! { <span class="origin">{format!(" ({o})")}</span> });
            view! {
                <li>
                    <code>{e.object}</code>
                    " "
                    {e.detail}
                    {origin}
                </li>
            }
        })
        .collect_view();
    Some(view! { <ul class="evidence">{items}</ul> })
}

/// The exact sources that can connect.
#[component]
pub fn Sources(report: Arc<ReportData>) -> impl IntoView {
    const LIMIT: usize = 50;
    let full = if report.reachable_from.is_empty() {
        view! { <p data-testid="reachable-none">"No internet address can connect for every client system."</p> }
            .into_any()
    } else {
        let (shown, more) = first_n(&report.reachable_from, LIMIT);
        let more = (more > 0)
            .then(|| view! { <li class="muted">{format!("… and {more} more blocks")}</li> });
        view! {
            <ul class="cidrs" data-testid="reachable-from">
                {shown.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                {more}
            </ul>
        }
        .into_any()
    };
    let partial = report
        .partially_reachable_from
        .iter()
        .map(|p| {
            let (shown, more) = first_n(&p.cidrs, LIMIT);
            let families = &p.client_families;
            let ports = &p.client_ports;
            view! {
                <li>
                    <code>{shown.join(", ")}</code>
                    {(more > 0).then(|| format!(" and {more} more"))}
                    ": only "
                    {if families.is_empty() {
                        format!("clients whose source port is in {}", ports.join(", "))
                    } else {
                        format!("{} (client ports {})", families.join("; "), ports.join(", "))
                    }}
                </li>
            }
        })
        .collect_view();
    let has_partial = !report.partially_reachable_from.is_empty();
    let asked = match &report.source {
        Some(c) => format!("Asked about {c}."),
        None if report.sources.len() > 1 => format!(
            "Asked about every internet address: {} blocks (all public space; private, shared and reserved ranges never arrive from the internet).",
            report.sources.len()
        ),
        None => format!("Asked about {}.", report.sources.join(", ")),
    };
    let asked_blocks = (report.source.is_none() && report.sources.len() > 1).then(|| {
        view! {
            <details class="blocks">
                <summary>"Show the blocks"</summary>
                <p><code>{report.sources.join(" ")}</code></p>
            </details>
        }
    });
    view! {
        <section class="sources" aria-labelledby="sources-h">
            <h3 id="sources-h">"Who can connect"</h3>
            <p class="muted" data-testid="asked">{asked}</p>
            {asked_blocks}
            {full}
            {has_partial
                .then(|| {
                    view! {
                        <h4>"Only for some client systems"</h4>
                        <ul class="partial" data-testid="partially-reachable-from">{partial}</ul>
                    }
                })}
        </section>
    }
}

/// Assumptions and warnings in plain words.
#[component]
pub fn Notes(report: Arc<ReportData>) -> impl IntoView {
    let list = |items: &[String], testid: &'static str| {
        let lis = items
            .iter()
            .map(|s| view! { <li>{s.clone()}</li> })
            .collect_view();
        view! { <ul data-testid=testid>{lis}</ul> }
    };
    let assumptions = (!report.assumptions.is_empty()).then(|| {
        view! {
            <h3>"Assumptions"</h3>
            {list(&report.assumptions, "assumptions")}
        }
    });
    let warnings = (!report.warnings.is_empty()).then(|| {
        view! {
            <h3>"Warnings"</h3>
            {list(&report.warnings, "warnings")}
        }
    });
    view! { <section class="notes">{assumptions}{warnings}</section> }
}

/// What the input lacks to decide some layers, with the commands to run and the collector.
#[component]
pub fn StillMissing(report: Arc<ReportData>) -> impl IntoView {
    let missing = still_missing(&report);
    (!missing.is_empty()).then(|| {
        let items = missing
            .into_iter()
            .map(|(check, commands)| {
                let commands = commands
                    .into_iter()
                    .map(|text| view! { <Command text=text /> })
                    .collect_view();
                view! {
                    <li data-layer=check.layer.name()>
                        <strong>{check.layer.title()}</strong>
                        ": "
                        {check.summary.clone()}
                        {commands}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="missing" data-testid="still-missing" aria-labelledby="missing-h">
                <h3 id="missing-h">"Still missing"</h3>
                <p>"The input does not decide these layers yet. Run these and add their output:"</p>
                <ul>{items}</ul>
                <Collector instance=report.target_id.clone() />
            </section>
        }
    })
}

/// One card per layer, in the order the report lists them.
#[component]
pub fn LayerCards(report: Arc<ReportData>) -> impl IntoView {
    let cards = report
        .checks
        .iter()
        .map(|c| view! { <LayerCard check=c.clone() /> })
        .collect_view();
    view! {
        <section class="cards" aria-labelledby="layers-h">
            <h3 id="layers-h">"Every layer"</h3>
            {cards}
        </section>
    }
}

#[component]
pub fn LayerCard(check: CheckData) -> impl IntoView {
    let status = check.status;
    let fix = check.fix.clone().map(|f| {
        let commands = f
            .commands
            .into_iter()
            .map(|c| view! { <Command text=c /> })
            .collect_view();
        view! {
            <div class="fix">
                <h5>"Fix: " {f.summary}</h5>
                {commands}
                {f.note.map(|n| view! { <p class="note">"Note: " {n}</p> })}
            </div>
        }
    });
    let open = matches!(status, Status::Fail | Status::Warn | Status::Unknown);
    view! {
        <details
            class=format!("card {}", status_class(Some(status)))
            data-testid=format!("layer-{}", check.layer.name())
            data-status=status.name()
            open=open
        >
            <summary>
                <span class="card-title">{check.layer.title()}</span>
                " "
                <StatusBadge status=status />
            </summary>
            <p>{check.summary.clone()}</p>
            <EvidenceList check=check.clone() />
            {fix}
        </details>
    }
}

/// Download and copy the Markdown report.
#[component]
pub fn Export(report: Arc<ReportData>) -> impl IntoView {
    let md = report.markdown.clone();
    let filename = format!(
        "vpc-reach-{}-{}.md",
        report.target_id,
        report.protocol.replace(['/', ' '], "-")
    );
    let title = report.target.clone();
    let error = RwSignal::new(None::<String>);
    let download_md = md.clone();
    view! {
        <section class="export" aria-labelledby="export-h">
            <h3 id="export-h">"Share the report"</h3>
            <p class="muted">{format!("Markdown for a ticket or chat, about {title}.")}</p>
            <div class="row">
                <button
                    type="button"
                    data-testid="export-md"
                    on:click=move |_| {
                        if let Err(e) = browser::download_text(&filename, "text/markdown", &download_md) {
                            error.set(Some(e));
                        }
                    }
                >
                    "Download .md"
                </button>
                <CopyButton text=md label="Copy Markdown" testid="copy-md" />
            </div>
            <p class="form-error">{move || error.get()}</p>
        </section>
    }
}
