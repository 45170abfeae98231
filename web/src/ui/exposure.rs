//! Every internet-exposed address and what is open on it, as a sortable table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::protocol::LoadSummary;
use crate::view_model::{sort_rows, SortKey};

#[component]
pub fn ExposurePanel(summary: RwSignal<Option<Arc<LoadSummary>>>) -> impl IntoView {
    move || {
        summary.get().map(|s| {
            view! {
                <section class="panel" aria-labelledby="exposure-h">
                    <h2 id="exposure-h">"Exposure: everything open to the internet"</h2>
                    <ExposureTable summary=s />
                </section>
            }
        })
    }
}

/// Rows rendered before "Show all" (thousands of rows would stall the page).
const ROW_LIMIT: usize = 200;

#[component]
pub fn ExposureTable(summary: Arc<LoadSummary>) -> impl IntoView {
    let sort = RwSignal::new((SortKey::Risk, true));
    let show_all = RwSignal::new(false);
    let rows = summary.exposure.clone();
    let total = rows.len();
    let empty = rows.is_empty();
    let warnings = summary.exposure_warnings.clone();
    let headers = SortKey::ALL
        .into_iter()
        .map(|(key, title)| {
            let aria = move || match sort.get() {
                (k, true) if k == key => "ascending",
                (k, false) if k == key => "descending",
                _ => "none",
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <button
                        type="button"
                        class="sort"
                        data-testid=format!("sort-{}", title.to_ascii_lowercase().replace(' ', "-"))
                        on:click=move |_| {
                            sort.update(|(k, asc)| {
                                if *k == key {
                                    *asc = !*asc;
                                } else {
                                    *k = key;
                                    *asc = true;
                                }
                            })
                        }
                    >
                        {title}
                        <span aria-hidden="true">
                            {move || match sort.get() {
                                (k, true) if k == key => " ▲",
                                (k, false) if k == key => " ▼",
                                _ => "",
                            }}
                        </span>
                    </button>
                </th>
            }
        })
        .collect_view();
    let body = move || {
        let (key, asc) = sort.get();
        let mut rows = rows.clone();
        sort_rows(&mut rows, key, asc);
        let limit = if show_all.get() {
            usize::MAX
        } else {
            ROW_LIMIT
        };
        rows.into_iter()
            .take(limit)
            .map(|r| {
                let risky = r.risk.is_some();
                let instance = if r.name.is_empty() {
                    r.instance.clone()
                } else {
                    format!("{} ({})", r.name, r.instance)
                };
                let unknown = (!r.unknown.is_empty())
                    .then(|| view! { <div class="muted">{format!("incomplete: {}", r.unknown.join(", "))}</div> });
                view! {
                    <tr class:risky=risky data-risky=if risky { "true" } else { "false" }>
                        <td>{instance}{unknown}</td>
                        <td><code>{r.address}</code></td>
                        <td>{r.protocol}</td>
                        <td>{r.ports}</td>
                        <td>{r.sources}</td>
                        <td>
                            {r.risk.map(|risk| {
                                view! {
                                    <span class="risk">
                                        <span class="mark" aria-hidden="true">"⚠"</span>
                                        " "
                                        {risk}
                                    </span>
                                }
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div data-testid="exposure">
            {empty.then(|| view! { <p>"No instance address is reachable from the internet in this input."</p> })}
            <table class="exposure" class:hidden=empty>
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            <Show when=move || { total > ROW_LIMIT && !show_all.get() }>
                <button type="button" class="secondary" data-testid="exposure-all" on:click=move |_| show_all.set(true)>
                    {format!("Show all {total} rows (the first {ROW_LIMIT} are listed)")}
                </button>
            </Show>
            {(!warnings.is_empty())
                .then(|| {
                    view! {
                        <ul class="warnings">
                            {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}
