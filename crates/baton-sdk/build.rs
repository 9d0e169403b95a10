//! Records the compiler's version for the `process.runtime.*` resource attributes.

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    println!("cargo:rustc-env=BATON_RUSTC_VERSION={version}");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
