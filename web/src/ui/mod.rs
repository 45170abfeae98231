//! Components. They read signals and render; the only logic is what the user sees where.

pub mod documents;
pub mod exposure;
pub mod inputs;
pub mod layout;
pub mod question;
pub mod report;
pub mod widgets;
