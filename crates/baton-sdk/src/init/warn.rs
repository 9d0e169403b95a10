//! Warnings about ignored values: printed once per process on standard error, and kept on
//! the [`Guard`](crate::Guard) for callers who want them.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Prints each distinct message once, however many times (and for however many in-process
/// services) it is reported.
pub(crate) fn print_once(messages: &[String]) {
    static PRINTED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let printed = PRINTED.get_or_init(|| Mutex::new(HashSet::new()));
    let mut printed = printed
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for message in messages {
        if printed.insert(message.clone()) {
            eprintln!("baton: warning: {message}");
        }
    }
}
