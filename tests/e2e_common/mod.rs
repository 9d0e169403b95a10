//! What the end-to-end tests share beyond baton-test-support's OTLP receiver (and its
//! traces drawn as trees for exact comparison): the example's scripted flow with what it
//! must produce, the example's services run as processes through it, and child processes
//! that never outlive a test.
#![allow(dead_code)]

pub mod flow;
pub mod process;
pub mod services;
