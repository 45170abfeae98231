//! The browser app (placeholder until the web issue).

fn main() {}
