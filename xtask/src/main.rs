//! `cargo xtask`: project tasks (placeholder).

fn main() {}
