//! Entry point of the one WebAssembly module: in a page it mounts the app; loaded by the analysis
//! worker (`worker.js`) it serves analysis requests instead.

fn main() {
    #[cfg(target_arch = "wasm32")]
    if web_sys::window().is_none() {
        vpc_reach_web::worker::run();
        return;
    }
    leptos::mount::mount_to_body(vpc_reach_web::app::App);
}
