//! `host.name`, `host.arch`, `os.type` and `os.description`, from the standard library's
//! constants and a few small files; no system call and no dependency.

use std::sync::OnceLock;

use opentelemetry::KeyValue;

/// `host.name` and `host.arch`.
pub(super) fn host() -> Vec<KeyValue> {
    let mut out = Vec::new();
    if let Some(name) = host_name() {
        out.push(KeyValue::new("host.name", name.to_owned()));
    }
    out.push(KeyValue::new("host.arch", arch(std::env::consts::ARCH)));
    out
}

/// `os.type`, and `os.description` where it can be read.
pub(super) fn os() -> Vec<KeyValue> {
    let mut out = vec![KeyValue::new("os.type", os_type(std::env::consts::OS))];
    if let Some(description) = os_description() {
        out.push(KeyValue::new("os.description", description.to_owned()));
    }
    out
}

/// The conventions' `host.arch` value for a Rust target architecture; others as Rust
/// names them.
fn arch(rust: &'static str) -> &'static str {
    match rust {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm32",
        "x86" => "x86",
        "powerpc" => "ppc32",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        other => other,
    }
}

/// The conventions' `os.type` value for a Rust target OS; others as Rust names them.
fn os_type(rust: &'static str) -> &'static str {
    match rust {
        "macos" | "ios" => "darwin",
        "dragonfly" => "dragonflybsd",
        "illumos" | "solaris" => "solaris",
        other => other,
    }
}

/// The distribution's name (`PRETTY_NAME` of `/etc/os-release`) and the kernel's release,
/// such as `Debian GNU/Linux 12 (bookworm) (Linux 6.1.0-18-amd64)`.
fn os_description() -> Option<&'static str> {
    static DESCRIPTION: OnceLock<Option<String>> = OnceLock::new();
    DESCRIPTION
        .get_or_init(|| {
            let release = std::fs::read_to_string("/etc/os-release")
                .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
                .ok();
            let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok();
            describe(release.as_deref(), kernel.as_deref())
        })
        .as_deref()
}

/// `os.description` from the text of os-release(5) and the kernel release.
fn describe(os_release: Option<&str>, kernel: Option<&str>) -> Option<String> {
    let name = os_release.and_then(|text| {
        text.lines().find_map(|line| {
            let value = line.trim().strip_prefix("PRETTY_NAME=")?;
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            (!value.is_empty()).then(|| value.to_owned())
        })
    });
    let kernel = kernel
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| format!("Linux {k}"));
    match (name, kernel) {
        (Some(name), Some(kernel)) => Some(format!("{name} ({kernel})")),
        (name, kernel) => name.or(kernel),
    }
}

/// The host name from the kernel (Linux), `/etc/hostname`, or `HOSTNAME`/`COMPUTERNAME`.
fn host_name() -> Option<&'static str> {
    static NAME: OnceLock<Option<String>> = OnceLock::new();
    NAME.get_or_init(|| {
        let from_file = |path: &str| std::fs::read_to_string(path).ok();
        let from_env = |name: &str| std::env::var(name).ok();
        [
            from_file("/proc/sys/kernel/hostname"),
            from_file("/etc/hostname"),
            from_env("HOSTNAME"),
            from_env("COMPUTERNAME"),
        ]
        .into_iter()
        .flatten()
        .map(|name| name.trim().to_owned())
        .find(|name| !name.is_empty())
    })
    .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_names_become_the_conventions_values() {
        assert_eq!(arch("x86_64"), "amd64");
        assert_eq!(arch("aarch64"), "arm64");
        assert_eq!(arch("riscv64"), "riscv64");
        assert_eq!(os_type("linux"), "linux");
        assert_eq!(os_type("macos"), "darwin");
        assert_eq!(os_type("windows"), "windows");
        assert_eq!(os_type("dragonfly"), "dragonflybsd");
    }

    #[test]
    fn the_description_names_the_distribution_and_the_kernel() {
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n";
        assert_eq!(
            describe(Some(debian), Some("6.1.0-18-amd64\n")).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm) (Linux 6.1.0-18-amd64)")
        );
        assert_eq!(
            describe(Some("NAME=x\n"), Some("6.8.0")).as_deref(),
            Some("Linux 6.8.0")
        );
        assert_eq!(
            describe(Some("PRETTY_NAME='Alpine Linux v3.20'"), None).as_deref(),
            Some("Alpine Linux v3.20")
        );
        assert_eq!(describe(None, None), None);
    }
}
