//! Resource detectors, as the semantic conventions name their attributes: what the
//! process can learn about where it runs, cheaply, once. Each is lowest in precedence
//! (`OTEL_RESOURCE_ATTRIBUTES` and the builder win) and can be turned off with
//! [`Builder::without_detector`](crate::Builder::without_detector).

mod container;
mod host;
mod k8s;
mod process;

use opentelemetry::KeyValue;

pub(crate) use process::executable_name;

use crate::env::Vars;
use crate::error::InitError;

/// One resource detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceDetector {
    /// `service.instance.id`: a random UUID (version 4), one per process.
    ServiceInstance,
    /// `host.name` and `host.arch`.
    Host,
    /// `os.type` and `os.description`.
    Os,
    /// `process.pid`, `process.executable.name` and `process.runtime.{name,version,description}`.
    Process,
    /// `container.id`, from `/proc/self/cgroup` (cgroup v1, and v2 paths that name the
    /// container) or else `/proc/self/mountinfo` (cgroup v2).
    Container,
    /// `k8s.pod.name`, `k8s.pod.uid`, `k8s.namespace.name`, `k8s.node.name` and
    /// `k8s.container.name`, from the variables a pod spec usually sets through the
    /// downward API (see [`Builder::without_detector`](crate::Builder::without_detector)).
    Kubernetes,
}

impl ResourceDetector {
    /// Every detector, in the order their attributes are added.
    pub const ALL: [ResourceDetector; 6] = [
        ResourceDetector::ServiceInstance,
        ResourceDetector::Host,
        ResourceDetector::Os,
        ResourceDetector::Process,
        ResourceDetector::Container,
        ResourceDetector::Kubernetes,
    ];
}

/// The attributes of every detector not in `off`.
pub(crate) fn detect(
    vars: &Vars<'_>,
    off: &[ResourceDetector],
) -> Result<Vec<KeyValue>, InitError> {
    let mut out = Vec::new();
    for detector in ResourceDetector::ALL {
        if off.contains(&detector) {
            continue;
        }
        match detector {
            ResourceDetector::ServiceInstance => out.push(process::instance_id()),
            ResourceDetector::Host => out.extend(host::host()),
            ResourceDetector::Os => out.extend(host::os()),
            ResourceDetector::Process => out.extend(process::process()),
            ResourceDetector::Container => out.extend(container::detect()),
            ResourceDetector::Kubernetes => out.extend(k8s::detect(vars)?),
        }
    }
    Ok(out)
}
