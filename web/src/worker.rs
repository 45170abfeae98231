//! The worker's message loop (the JS glue around [`crate::session::Session`]).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::{Request, Response, Stage};
use crate::session::Session;

/// Installs the message handler on the worker's global scope.
pub fn run() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let session: Rc<RefCell<Session>> = Rc::default();
    let reply_scope = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            // Answers go as UTF-8 bytes in a transferred buffer: a JS string would be converted
            // from and to UTF-16 on each side, megabytes of it on the page's thread.
            let post = |r: &Response| {
                if let Ok(bytes) = serde_json::to_vec(r) {
                    let array = js_sys::Uint8Array::from(&bytes[..]);
                    let transfer = js_sys::Array::of1(&array.buffer());
                    // A failed post means the page is gone; there is no one left to tell.
                    let _ = reply_scope.post_message_with_transfer(&array, &transfer);
                }
            };
            let message: js_sys::Array = ev.data().unchecked_into();
            let header = message.get(0).as_string().unwrap_or_default();
            let request = match serde_json::from_str::<Request>(&header) {
                Ok(r) => r,
                Err(e) => {
                    post(&Response::Failed {
                        id: 0,
                        message: format!("unreadable request: {e}"),
                    });
                    return;
                }
            };
            let id = request.id();
            let progress = |stage: Stage| post(&Response::Progress { id, stage });
            match request {
                Request::Load { names, .. } => {
                    let inputs: Vec<(String, Vec<u8>)> = names
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| {
                            // Bytes, or a large paste as the page's own string.
                            let value = message.get(i as u32 + 1);
                            let bytes = match value.as_string() {
                                Some(text) => text.into_bytes(),
                                None => value
                                    .dyn_into::<js_sys::Uint8Array>()
                                    .map(|a| a.to_vec())
                                    .unwrap_or_default(),
                            };
                            (name, bytes)
                        })
                        .collect();
                    let (new_session, summary) = Session::load(&inputs, progress);
                    *session.borrow_mut() = new_session;
                    post(&Response::Loaded { id, summary });
                }
                Request::Analyze { form, .. } => {
                    let result = session.borrow().analyze(&form, progress).map(Box::new);
                    post(&Response::Analyzed { id, result });
                }
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}
