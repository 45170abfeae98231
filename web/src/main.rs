//! The page's entry point.

fn main() {
    leptos::mount::mount_to_body(vpc_reach_web::app::App);
}
