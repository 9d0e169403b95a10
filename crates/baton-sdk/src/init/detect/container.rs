//! `container.id`: the 64-hex-digit id a container runtime names its container by, found
//! in `/proc/self/cgroup` (cgroup v1, and v2 when the process sees the host's cgroup
//! namespace: the last path segment, such as `/docker/<id>` or
//! `…/cri-containerd-<id>.scope`), or else in `/proc/self/mountinfo` (cgroup v2 with a
//! private namespace, where the cgroup file shows only `0::/`: the runtime's directory of
//! the container's `/etc/hostname`, such as `/var/lib/docker/containers/<id>/hostname`).
//! Both files are read once and scanned in linear time; anything else finds nothing.

use std::sync::OnceLock;

use opentelemetry::KeyValue;

pub(super) fn detect() -> Option<KeyValue> {
    static ID: OnceLock<Option<String>> = OnceLock::new();
    let id = ID.get_or_init(|| {
        let read = |path| std::fs::read_to_string(path).ok();
        container_id(
            read("/proc/self/cgroup").as_deref(),
            read("/proc/self/mountinfo").as_deref(),
        )
    });
    id.as_ref()
        .map(|id| KeyValue::new("container.id", id.clone()))
}

/// The id from the two files' text, the cgroup file first.
fn container_id(cgroup: Option<&str>, mountinfo: Option<&str>) -> Option<String> {
    cgroup
        .and_then(from_cgroup)
        .or_else(|| mountinfo.and_then(from_mountinfo))
}

/// cgroup lines are `hierarchy:controllers:path`; the id is the path's last segment, with
/// a runtime's prefix (`docker-`, `cri-containerd-`, `crio-`, `libpod-`) and `.scope`
/// suffix removed.
fn from_cgroup(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let path = line.splitn(3, ':').nth(2)?;
        let last = path.rsplit('/').next()?;
        let last = last.strip_suffix(".scope").unwrap_or(last);
        let id = last.rsplit('-').next()?;
        is_id(id).then(|| id.to_owned())
    })
}

/// mountinfo's fourth field is the mounted path inside its filesystem: for the
/// container's `/etc/hostname`, a directory of the runtime named by the id. A pod
/// sandbox's hostname (containerd's `sandboxes/<id>`) names the sandbox, not this
/// container, and is skipped.
fn from_mountinfo(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let root = line.split(' ').nth(3)?;
        if !root.ends_with("/hostname") || root.contains("/sandboxes/") {
            return None;
        }
        root.split('/').rev().find(|s| is_id(s)).map(str::to_owned)
    })
}

fn is_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/cgroup/",
                $name
            ))
        };
    }

    const DOCKER: &str = "3f6e5d2c1b0a99887766554433221100ffeeddccbbaa00998877665544332211";
    const KUBE: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    const CRI: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn cgroup_v1() {
        let id = |cgroup| container_id(Some(cgroup), None);
        assert_eq!(id(fixture!("v1_docker.cgroup")).as_deref(), Some(DOCKER));
        assert_eq!(id(fixture!("v1_kubepods.cgroup")).as_deref(), Some(KUBE));
    }

    #[test]
    fn cgroup_v2() {
        // The host's cgroup namespace: the path names the container.
        assert_eq!(
            container_id(Some(fixture!("v2_systemd_cri.cgroup")), None).as_deref(),
            Some(CRI)
        );
        // A private namespace: only `0::/`, so the id comes from mountinfo.
        let private = Some(fixture!("v2_private_ns.cgroup"));
        assert_eq!(
            container_id(private, Some(fixture!("v2_docker.mountinfo"))).as_deref(),
            Some(DOCKER)
        );
        assert_eq!(
            container_id(private, Some(fixture!("v2_podman.mountinfo"))).as_deref(),
            Some(KUBE)
        );
        // containerd's hostname is the sandbox's: no container id.
        assert_eq!(
            container_id(private, Some(fixture!("v2_containerd.mountinfo"))),
            None
        );
    }

    #[test]
    fn outside_a_container_nothing_is_found() {
        let host = "4:memory:/user.slice\n1:name=systemd:/init.scope\n0::/user.slice/user-1000.slice/session-3.scope\n";
        assert_eq!(
            container_id(Some(host), Some("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n")),
            None
        );
        assert_eq!(container_id(None, None), None);
        // A 63-digit or non-hex last segment is not an id.
        assert_eq!(
            container_id(Some(&format!("1:cpu:/docker/{}", &DOCKER[1..])), None),
            None
        );
        assert_eq!(
            container_id(Some(&format!("1:cpu:/docker/{}g", &DOCKER[1..])), None),
            None
        );
    }
}
