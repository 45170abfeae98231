//! Thin wrappers over browser APIs: downloads, the clipboard, reading picked files, local storage.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the browser refused".to_owned())
}

fn window() -> Result<web_sys::Window, String> {
    web_sys::window().ok_or_else(|| "no window".to_owned())
}

/// The page's base URL (`document.baseURI`).
pub fn page_url() -> Option<String> {
    window().ok()?.document()?.base_uri().ok()?
}

/// Offers `text` as a file download named `filename`.
pub fn download_text(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let document = window()?.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error)?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(js_error)
}

/// Puts `text` on the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = window()?.navigator().clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(js_error)
}

/// The bytes of a picked or dropped file, as the browser's own array (not copied into the app).
pub async fn read_file(file: &web_sys::File) -> Result<js_sys::Uint8Array, String> {
    let buf = JsFuture::from(file.array_buffer())
        .await
        .map_err(js_error)?;
    Ok(js_sys::Uint8Array::new(&buf))
}

// The same browser objects as web-sys's, with methods that return strings as the browser's own
// values: web-sys copies them into the app as UTF-8, which for a large paste stalls the page.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type RawDataTransfer;
    #[wasm_bindgen(method, catch, js_name = getData)]
    fn get_data(this: &RawDataTransfer, format: &str) -> Result<js_sys::JsString, JsValue>;

    type RawTextArea;
    #[wasm_bindgen(method, getter)]
    fn value(this: &RawTextArea) -> js_sys::JsString;
}

/// The pasted text of a paste event, uncopied.
pub fn pasted_text(ev: &web_sys::ClipboardEvent) -> Option<js_sys::JsString> {
    ev.clipboard_data()?
        .unchecked_ref::<RawDataTransfer>()
        .get_data("text/plain")
        .ok()
}

/// A text box's value, uncopied.
pub fn textarea_value(el: &web_sys::HtmlTextAreaElement) -> js_sys::JsString {
    el.unchecked_ref::<RawTextArea>().value()
}

/// The files in a `FileList`, in order.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

fn storage() -> Result<web_sys::Storage, String> {
    window()?
        .local_storage()
        .map_err(js_error)?
        .ok_or_else(|| "this browser has no local storage".to_owned())
}

pub fn storage_get(key: &str) -> Option<String> {
    storage().ok()?.get_item(key).ok()?
}

pub fn storage_set(key: &str, value: &str) -> Result<(), String> {
    storage()?.set_item(key, value).map_err(js_error)
}

pub fn storage_remove(key: &str) -> Result<(), String> {
    storage()?.remove_item(key).map_err(js_error)
}
