//! The page's side of the analysis worker.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::Content;
use crate::protocol::{Request, Response};

/// The URL of the analysis worker: `worker.js` next to the page, told where the app's own JS glue
/// and WebAssembly are (the hashed names `boot.js`'s script tag carries), so the worker runs the same
/// module the page already downloaded.
pub fn worker_url() -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let base = document
        .base_uri()
        .ok()
        .flatten()
        .ok_or("the page has no base URL")?;
    let tag = document
        .query_selector("script[data-js][data-wasm]")
        .ok()
        .flatten()
        .ok_or("the page was not started by boot.js")?;
    let absolute = |attr: &str| -> Result<String, String> {
        let rel = tag.get_attribute(attr).unwrap_or_default();
        web_sys::Url::new_with_base(&rel, &base)
            .map(|u| u.href())
            .map_err(|_| format!("bad `{attr}` on the boot script"))
    };
    let url = web_sys::Url::new_with_base("worker.js", &base).map_err(|_| "bad base URL")?;
    url.search_params().set("js", &absolute("data-js")?);
    url.search_params().set("wasm", &absolute("data-wasm")?);
    Ok(url.href())
}

/// A running analysis worker. Dropping it stops the worker.
pub struct WorkerClient {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl WorkerClient {
    /// Starts the worker; `on_response` gets every reply, `on_crash` a message if the worker dies.
    pub fn spawn(
        url: &str,
        on_response: impl Fn(Response) + 'static,
        on_crash: impl Fn(String) + 'static,
    ) -> Result<WorkerClient, String> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(url, &options)
            .map_err(|e| format!("cannot start the analysis worker: {e:?}"))?;
        let on_crash = Rc::new(on_crash);
        let crash = on_crash.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let Ok(bytes) = ev.data().dyn_into::<js_sys::Uint8Array>() else {
                    crash("the analysis worker sent something unreadable".to_owned());
                    return;
                };
                match serde_json::from_slice::<Response>(&bytes.to_vec()) {
                    Ok(r) => on_response(r),
                    Err(e) => crash(format!(
                        "the analysis worker sent something unreadable: {e}"
                    )),
                }
            });
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
                ev.prevent_default();
                let msg = ev.message();
                on_crash(if msg.is_empty() {
                    "the analysis worker stopped (it could not be loaded or it crashed)".to_owned()
                } else {
                    format!("the analysis worker stopped: {msg}")
                });
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerClient {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request; for `Load`, `payloads` are the inputs in the order of its names: bytes
    /// (copied out and transferred) or the browser's own values (structured clone, no copy here).
    pub fn send(&self, request: &Request, payloads: &[&Content]) -> Result<(), String> {
        let header = serde_json::to_string(request).map_err(|e| e.to_string())?;
        let message = js_sys::Array::new();
        message.push(&JsValue::from_str(&header));
        let transfer = js_sys::Array::new();
        for content in payloads {
            match content {
                Content::Bytes(bytes) => {
                    let array = js_sys::Uint8Array::from(&bytes[..]);
                    transfer.push(&array.buffer());
                    message.push(&array);
                }
                Content::Js(value) => {
                    message.push(value);
                }
            }
        }
        self.worker
            .post_message_with_transfer(&message, &transfer)
            .map_err(|e| format!("cannot reach the analysis worker: {e:?}"))
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
