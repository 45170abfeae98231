//! The analysis worker: runs the core off the page's thread so the page stays responsive.
//! Built by trunk as a `data-type="worker"` binary; see `vpc_reach_web::protocol` for the messages.

#[cfg(target_arch = "wasm32")]
fn main() {
    vpc_reach_web::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the analysis worker runs only in a browser (wasm32)");
}
