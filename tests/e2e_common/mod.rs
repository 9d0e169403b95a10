//! What the end-to-end tests share: a real OTLP receiver and its traces drawn as trees for
//! exact comparison (`tests/otlp_receiver/`, shared with the reliability tests), the
//! example's scripted flow with what it must produce, and child processes that never
//! outlive a test.
#![allow(dead_code)]

pub mod flow;
pub mod process;
#[path = "../otlp_receiver/mod.rs"]
pub mod receiver;

pub use receiver::trace;
