//! The page: a few signals for the inputs and the question, one worker that turns them into a
//! report, and components that render it.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser;
use crate::client::{worker_url, WorkerClient};
use crate::example;
use crate::protocol::{LoadSummary, ReportData, Request, Response};
use crate::query::QueryForm;
use crate::ui;
use crate::view_model::default_target;

/// One picked, dropped, pasted or built-in input.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub name: String,
    pub content: Content,
}

/// What an input holds.
#[derive(Debug, Clone)]
pub enum Content {
    /// Bytes in the app's own memory (the example, remembered inputs).
    Bytes(Arc<[u8]>),
    /// Picked files (a `Uint8Array`) and large pastes (a string), kept as the browser's own
    /// values: the page never copies them into WebAssembly (tens of milliseconds a megabyte on the
    /// main thread); the worker gets them by structured clone and reads them there.
    Js(SendWrapper<JsValue>),
}

impl Content {
    /// The size in bytes (UTF-16 code units for a pasted string: the same for ASCII JSON).
    pub fn len(&self) -> usize {
        match self {
            Content::Bytes(b) => b.len(),
            Content::Js(v) => match v.dyn_ref::<js_sys::JsString>() {
                Some(s) => s.length() as usize,
                None => v
                    .dyn_ref::<js_sys::Uint8Array>()
                    .map_or(0, |a| a.length() as usize),
            },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text (lossy UTF-8), copied into the app: only for "remember on this device".
    pub fn to_text(&self) -> String {
        match self {
            Content::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Content::Js(v) => v.as_string().unwrap_or_else(|| {
                v.dyn_ref::<js_sys::Uint8Array>()
                    .map(|a| String::from_utf8_lossy(&a.to_vec()).into_owned())
                    .unwrap_or_default()
            }),
        }
    }
}

/// Everything the page shows derives from these signals.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The paste box's text.
    pub paste: RwSignal<String>,
    pub files: RwSignal<Vec<InputFile>>,
    pub form: RwSignal<QueryForm>,
    pub instance_filter: RwSignal<String>,
    /// What the core made of the inputs (`None` before anything is read).
    pub summary: RwSignal<Option<Arc<LoadSummary>>>,
    pub analysis: RwSignal<Option<Arc<ReportData>>>,
    /// The core could not answer the query (e.g. unknown instance).
    pub analysis_error: RwSignal<Option<String>>,
    /// What the worker is doing, while it works.
    pub busy: RwSignal<Option<String>>,
    /// The worker could not start or stopped.
    pub worker_error: RwSignal<Option<String>>,
    pub remember: RwSignal<bool>,
    /// A one-line message about the last action (e.g. a file could not be read).
    pub notice: RwSignal<Option<String>>,
    /// Bumped to tell the paste box to show `paste` (after Load example, Clear, restore).
    pub paste_reset: RwSignal<u32>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            paste: RwSignal::new(String::new()),
            files: RwSignal::new(Vec::new()),
            form: RwSignal::new(QueryForm::default()),
            instance_filter: RwSignal::new(String::new()),
            summary: RwSignal::new(None),
            analysis: RwSignal::new(None),
            analysis_error: RwSignal::new(None),
            busy: RwSignal::new(None),
            worker_error: RwSignal::new(None),
            remember: RwSignal::new(false),
            notice: RwSignal::new(None),
            paste_reset: RwSignal::new(0),
        }
    }

    /// Replaces the paste box's text.
    pub fn set_paste(&self, text: String) {
        self.paste.set(text);
        self.paste_reset.update(|n| *n = n.wrapping_add(1));
    }

    /// Loads the built-in example and asks about its instance on SSH.
    pub fn load_example(&self) {
        self.files.set(
            example::FILES
                .iter()
                .map(|(name, text)| InputFile {
                    name: (*name).to_owned(),
                    content: Content::Bytes(Arc::from(text.as_bytes())),
                })
                .collect(),
        );
        self.set_paste(String::new());
        self.instance_filter.set(String::new());
        self.form.set(QueryForm {
            target: example::TARGET.to_owned(),
            ..QueryForm::default()
        });
    }

    /// Adds files, replacing any already there with the same name.
    pub fn add_files(&self, new: Vec<InputFile>) {
        self.files.update(|files| {
            for f in new {
                files.retain(|old| old.name != f.name);
                files.push(f);
            }
        });
    }

    /// The inputs to send: the files, then the paste box (as `paste`) if it holds anything.
    fn inputs(&self) -> Vec<InputFile> {
        let mut v = self.files.get_untracked();
        let paste = self.paste.get_untracked();
        if !paste.trim().is_empty() {
            v.push(InputFile {
                name: "paste".to_owned(),
                content: Content::Bytes(Arc::from(paste.into_bytes())),
            });
        }
        v
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// Sends requests to the worker and routes its answers to the signals; only the latest request of
/// each kind counts.
#[derive(Clone, Copy)]
struct Controller {
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    next_id: StoredValue<u64>,
    latest_load: StoredValue<u64>,
    latest_analyze: StoredValue<u64>,
}

impl Controller {
    fn new() -> Controller {
        Controller {
            client: StoredValue::new_local(None),
            next_id: StoredValue::new(1),
            latest_load: StoredValue::new(0),
            latest_analyze: StoredValue::new(0),
        }
    }

    fn start(self, st: AppState) {
        let url = match worker_url() {
            Ok(u) => u,
            Err(e) => {
                st.worker_error.set(Some(e));
                return;
            }
        };
        let client = WorkerClient::spawn(
            &url,
            move |r| self.on_response(st, r),
            move |msg| {
                st.busy.set(None);
                st.worker_error.set(Some(msg));
            },
        );
        match client {
            Ok(c) => self.client.set_value(Some(c)),
            Err(e) => st.worker_error.set(Some(e)),
        }
    }

    fn id(self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id.wrapping_add(1));
        id
    }

    fn send(self, st: AppState, request: &Request, payloads: &[&Content]) {
        let sent = self.client.with_value(|c| match c {
            Some(c) => c.send(request, payloads),
            None => Err("the analysis worker is not running".to_owned()),
        });
        if let Err(e) = sent {
            st.busy.set(None);
            st.worker_error.set(Some(e));
        }
    }

    fn load(self, st: AppState) {
        let inputs = st.inputs();
        let id = self.id();
        self.latest_load.set_value(id);
        if inputs.is_empty() {
            // Nothing to read: forget the last result without asking the worker.
            self.latest_analyze.set_value(self.id());
            st.summary.set(None);
            st.analysis.set(None);
            st.analysis_error.set(None);
            st.busy.set(None);
            return;
        }
        st.busy.set(Some("Reading your input…".to_owned()));
        let names: Vec<String> = inputs.iter().map(|f| f.name.clone()).collect();
        let payloads: Vec<&Content> = inputs.iter().map(|f| &f.content).collect();
        self.send(st, &Request::Load { id, names }, &payloads);
    }

    /// Asks the current question. `explicit` (the Analyze button) explains why nothing happens.
    fn analyze(self, st: AppState, explicit: bool) {
        if st.summary.get_untracked().is_none() {
            if explicit {
                st.analysis_error.set(Some(
                    "paste or pick your describe-* output first".to_owned(),
                ));
            }
            return;
        }
        let form = st.form.get_untracked();
        if let Err(e) = form.to_query() {
            if explicit {
                st.analysis_error.set(Some(e.to_string()));
            }
            return;
        }
        let id = self.id();
        self.latest_analyze.set_value(id);
        st.busy.set(Some("Checking…".to_owned()));
        self.send(st, &Request::Analyze { id, form }, &[]);
    }

    fn on_response(self, st: AppState, r: Response) {
        let id = r.id();
        let current = id == self.latest_load.get_value() || id == self.latest_analyze.get_value();
        match r {
            Response::Progress { stage, .. } if current => st.busy.set(Some(stage.describe())),
            Response::Loaded { summary, .. } if id == self.latest_load.get_value() => {
                let target = st.form.with_untracked(|f| f.target.clone());
                let known = summary.instances.iter().any(|i| i.id == target);
                if !known && !summary.instances.is_empty() {
                    if let Some(t) = default_target(&summary.instances) {
                        st.form.update(|f| {
                            f.target = t;
                            f.address.clear();
                        });
                    }
                }
                st.busy.set(None);
                st.summary.set(Some(Arc::new(summary)));
            }
            Response::Analyzed { result, .. } if id == self.latest_analyze.get_value() => {
                st.busy.set(None);
                match result {
                    Ok(a) => {
                        st.analysis_error.set(None);
                        st.analysis.set(Some(Arc::from(a)));
                    }
                    Err(e) => {
                        st.analysis.set(None);
                        st.analysis_error.set(Some(e));
                    }
                }
            }
            Response::Failed { message, .. } => {
                st.busy.set(None);
                st.worker_error.set(Some(message));
            }
            // An answer to a request that has since been replaced.
            _ => {}
        }
    }
}

const STORAGE_KEY: &str = "vpc-reach:v1";

/// What "Remember on this device" keeps.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    paste: String,
    /// `(name, text)`; files are kept as text.
    files: Vec<(String, String)>,
    form: QueryForm,
}

fn restore(st: AppState) {
    let Some(text) = browser::storage_get(STORAGE_KEY) else {
        return;
    };
    match serde_json::from_str::<Saved>(&text) {
        Ok(saved) => {
            st.remember.set(true);
            st.files.set(
                saved
                    .files
                    .into_iter()
                    .map(|(name, text)| InputFile {
                        name,
                        content: Content::Bytes(Arc::from(text.into_bytes())),
                    })
                    .collect(),
            );
            st.set_paste(saved.paste);
            st.form.set(saved.form);
        }
        Err(_) => {
            let _ = browser::storage_remove(STORAGE_KEY);
        }
    }
}

fn save(st: AppState) {
    let saved = Saved {
        paste: st.paste.get_untracked(),
        files: st
            .files
            .get_untracked()
            .iter()
            .map(|f| (f.name.clone(), f.content.to_text()))
            .collect(),
        form: st.form.get_untracked(),
    };
    let result = serde_json::to_string(&saved)
        .map_err(|e| e.to_string())
        .and_then(|text| browser::storage_set(STORAGE_KEY, &text));
    if let Err(e) = result {
        st.notice.set(Some(format!(
            "could not remember this on the device ({e}); it is probably too large for local storage"
        )));
    }
}

/// Runs `f` once `delay` after the last call (a fresh call cancels the pending one).
#[derive(Clone, Copy)]
struct Debounce(StoredValue<Option<TimeoutHandle>, LocalStorage>);

impl Debounce {
    fn new() -> Debounce {
        Debounce(StoredValue::new_local(None))
    }

    fn call(self, delay: Duration, f: impl FnOnce() + 'static) {
        if let Some(h) = self.0.try_update_value(Option::take).flatten() {
            h.clear();
        }
        self.0.set_value(set_timeout_with_handle(f, delay).ok());
    }
}

#[component]
pub fn App() -> impl IntoView {
    let st = AppState::new();
    provide_context(st);
    let ctl = Controller::new();
    ctl.start(st);
    restore(st);

    // Inputs changed: read them again (after typing pauses).
    let load_later = Debounce::new();
    Effect::new(move |_| {
        st.paste.track();
        st.files.track();
        load_later.call(Duration::from_millis(250), move || ctl.load(st));
    });

    // New inputs or a new question: ask again.
    let analyze_later = Debounce::new();
    Effect::new(move |_| {
        st.form.track();
        if st.summary.with(Option::is_some) {
            analyze_later.call(Duration::from_millis(80), move || ctl.analyze(st, false));
        }
    });

    // Remember on this device: write only while the toggle is on; turning it off erases.
    let save_later = Debounce::new();
    Effect::new(move |was_on: Option<bool>| {
        let on = st.remember.get();
        if on {
            st.paste.track();
            st.files.track();
            st.form.track();
            save_later.call(Duration::from_millis(500), move || save(st));
        } else if was_on == Some(true) {
            save_later.call(Duration::from_millis(0), || {});
            if let Err(e) = browser::storage_remove(STORAGE_KEY) {
                st.notice.set(Some(format!("could not forget: {e}")));
            }
        }
        on
    });

    let on_analyze = Callback::new(move |()| {
        st.analysis_error.set(None);
        ctl.analyze(st, true);
    });

    view! {
        <ui::layout::Header remember=st.remember />
        <main>
            <ui::inputs::InputsPanel />
            <ui::documents::DocumentsPanel summary=st.summary />
            <ui::question::QuestionPanel on_analyze=on_analyze />
            <ui::report::ReportPanel
                analysis=st.analysis
                error=st.analysis_error
                worker_error=st.worker_error
            />
            <ui::exposure::ExposurePanel summary=st.summary />
        </main>
        <ui::layout::Footer />
    }
}
