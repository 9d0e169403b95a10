//! `k8s.*` from the variables a pod spec sets through the downward API. There is no
//! standard name for them: baton reads the `K8S_`-prefixed names (`K8S_POD_NAME`, …),
//! and inside a pod (where Kubernetes sets `KUBERNETES_SERVICE_HOST`) also the short
//! forms of the Kubernetes documentation's examples (`POD_NAME`, `POD_NAMESPACE`,
//! `NODE_NAME`, …), which outside a pod too often mean something else. Read through
//! baton's env layer, so `Builder::from_env_map` sees them.

use opentelemetry::KeyValue;

use crate::env::Vars;
use crate::error::InitError;

/// Each attribute with its prefixed variable and its short form.
const ATTRIBUTES: [(&str, &str, &str); 5] = [
    ("k8s.pod.name", "K8S_POD_NAME", "POD_NAME"),
    ("k8s.pod.uid", "K8S_POD_UID", "POD_UID"),
    ("k8s.namespace.name", "K8S_NAMESPACE_NAME", "POD_NAMESPACE"),
    ("k8s.node.name", "K8S_NODE_NAME", "NODE_NAME"),
    ("k8s.container.name", "K8S_CONTAINER_NAME", "CONTAINER_NAME"),
];

/// Set by Kubernetes in every container of a pod.
const IN_A_POD: &str = "KUBERNETES_SERVICE_HOST";

pub(super) fn detect(vars: &Vars<'_>) -> Result<Vec<KeyValue>, InitError> {
    let in_pod = vars.get(IN_A_POD)?.is_some();
    let mut out = Vec::new();
    for (key, prefixed, short) in ATTRIBUTES {
        let value = match vars.get(prefixed)? {
            Some(v) => Some(v),
            None if in_pod => vars.get(short)?,
            None => None,
        };
        if let Some(value) = value {
            out.push(KeyValue::new(key, value));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    fn detected(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        let env = MapEnv::of(pairs);
        detect(&Vars::new(&env))
            .unwrap()
            .into_iter()
            .map(|kv| (kv.key.to_string(), kv.value.as_str().into_owned()))
            .collect()
    }

    #[test]
    fn prefixed_names_anywhere_short_names_only_in_a_pod() {
        let pod = [
            ("POD_NAME", "users-7d9f"),
            ("POD_NAMESPACE", "shop"),
            ("NODE_NAME", "node-3"),
            ("K8S_POD_UID", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ];
        assert_eq!(
            detected(&pod),
            [(
                "k8s.pod.uid".to_owned(),
                "1b4e28ba-2fa1-11d2-883f-0016d3cca427".to_owned()
            )]
        );
        let mut in_pod = pod.to_vec();
        in_pod.push(("KUBERNETES_SERVICE_HOST", "10.0.0.1"));
        in_pod.push(("K8S_NODE_NAME", "node-4"));
        let kv = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(
            detected(&in_pod),
            [
                kv("k8s.pod.name", "users-7d9f"),
                kv("k8s.pod.uid", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
                kv("k8s.namespace.name", "shop"),
                kv("k8s.node.name", "node-4"),
            ]
        );
        assert!(detected(&[]).is_empty());
    }
}
