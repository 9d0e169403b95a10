//! `service.instance.id`, `process.*` and `process.runtime.*`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use opentelemetry::KeyValue;

/// The version line of the compiler that built baton-sdk (`rustc 1.88.0 (…)`), from the
/// build script; empty when it could not be read.
const RUSTC_VERSION: &str = env!("BATON_RUSTC_VERSION");

/// `service.instance.id`: one random version 4 UUID for the life of the process.
pub(super) fn instance_id() -> KeyValue {
    static ID: OnceLock<String> = OnceLock::new();
    KeyValue::new("service.instance.id", ID.get_or_init(random_uuid).clone())
}

/// 128 random bits from the standard library's per-process random hash keys (seeded by
/// the OS), shaped as a version 4, variant 1 UUID.
fn random_uuid() -> String {
    let word = |n: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(n);
        hasher.write_u32(std::process::id());
        hasher.finish()
    };
    let bits = (u128::from(word(1)) << 64) | u128::from(word(2));
    uuid_v4(bits)
}

/// `bits` as the text of a version 4 UUID (version and variant bits set).
fn uuid_v4(bits: u128) -> String {
    let b = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let hex = format!("{b:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The process's own attributes.
pub(super) fn process() -> Vec<KeyValue> {
    let mut out = vec![KeyValue::new("process.pid", i64::from(std::process::id()))];
    if let Some(exe) = executable_name() {
        out.push(KeyValue::new("process.executable.name", exe.to_owned()));
    }
    out.push(KeyValue::new("process.runtime.name", "rust"));
    if let Some(version) = RUSTC_VERSION.split_whitespace().nth(1) {
        out.push(KeyValue::new("process.runtime.version", version.to_owned()));
        out.push(KeyValue::new("process.runtime.description", RUSTC_VERSION));
    }
    out
}

/// The executable's file name.
pub(crate) fn executable_name() -> Option<&'static str> {
    static NAME: OnceLock<Option<String>> = OnceLock::new();
    NAME.get_or_init(|| {
        let path = std::env::current_exe()
            .ok()
            .or_else(|| std::env::args_os().next().map(Into::into))?;
        Some(path.file_name()?.to_string_lossy().into_owned())
    })
    .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_version_4_and_variant_1() {
        assert_eq!(uuid_v4(0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4(u128::MAX), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = random_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(["8", "9", "a", "b"].contains(&&id[19..20]), "{id}");
        assert_ne!(random_uuid(), id, "each call draws new bits");
    }

    #[test]
    fn the_runtime_is_the_compiler_that_built_this() {
        let attrs = process();
        let get = |k: &str| {
            attrs
                .iter()
                .find(|kv| kv.key.as_str() == k)
                .map(|kv| kv.value.as_str().into_owned())
        };
        assert_eq!(get("process.runtime.name").as_deref(), Some("rust"));
        let description = get("process.runtime.description").unwrap();
        assert!(description.starts_with("rustc "), "{description}");
        let version = get("process.runtime.version").unwrap();
        assert!(description.contains(&version));
        assert!(version.split('.').count() >= 3, "{version}");
    }
}
