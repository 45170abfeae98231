//! The worker's side: hands the inputs to the core and packages what it returns. No evaluation
//! happens here; this only calls `vpc_reach_core` and copies fields out for the page.

use std::net::IpAddr;

use vpc_reach_core::model::Inventory;
use vpc_reach_core::{analyze, exposure, load, render, Input, Loaded};

use crate::protocol::{
    DiagnosticData, DocumentData, InstanceSummary, LoadSummary, ReportData, Stage,
};
use crate::query::QueryForm;
use crate::view_model::exposure_rows;

/// The inputs of the last `Load`, kept so each query does not read them again.
#[derive(Debug, Default)]
pub struct Session {
    loaded: Loaded,
}

impl Session {
    /// Reads `inputs` (name, bytes), reporting each stage to `progress`.
    pub fn load(
        inputs: &[(String, Vec<u8>)],
        mut progress: impl FnMut(Stage),
    ) -> (Session, LoadSummary) {
        progress(Stage::Reading {
            inputs: inputs.len(),
            bytes: inputs.iter().map(|(_, b)| b.len()).sum(),
        });
        let borrowed: Vec<Input<'_>> = inputs
            .iter()
            .map(|(name, bytes)| Input { name, bytes })
            .collect();
        let loaded = load(&borrowed);
        progress(Stage::ListingExposure {
            instances: loaded.inventory.instances.len(),
        });
        let exposed = exposure(&loaded.inventory);
        let summary = LoadSummary {
            documents: loaded.documents.iter().map(DocumentData::from).collect(),
            diagnostics: loaded
                .diagnostics
                .iter()
                .map(DiagnosticData::from)
                .collect(),
            evidence_inputs: loaded.texts.iter().map(|(name, _)| name.clone()).collect(),
            instances: instances(&loaded.inventory),
            exposure: exposure_rows(&exposed),
            exposure_warnings: exposed.warnings,
        };
        (Session { loaded }, summary)
    }

    /// Answers the form's question; an error says what is wrong with it, or is the core's message
    /// for a query it cannot answer.
    pub fn analyze(
        &self,
        form: &QueryForm,
        mut progress: impl FnMut(Stage),
    ) -> Result<ReportData, String> {
        let query = form.to_query().map_err(|e| e.to_string())?;
        progress(Stage::Analyzing {
            target: query.target.clone(),
        });
        let report = analyze(&self.loaded, &query).map_err(|e| e.to_string())?;
        let markdown = render::markdown(&report);
        Ok(ReportData::new(&report, markdown))
    }
}

/// Every instance with the addresses the picker shows, in id order.
fn instances(inv: &Inventory) -> Vec<InstanceSummary> {
    let enis_of = inv.enis_by_instance();
    inv.instances
        .values()
        .map(|i| {
            let enis = enis_of.get(i.id.as_str()).map_or(&[][..], Vec::as_slice);
            let mut private_ips: Vec<IpAddr> = i
                .private_ip
                .into_iter()
                .chain(
                    enis.iter()
                        .flat_map(|e| e.private_ips.iter().map(|p| p.address)),
                )
                .collect();
            let mut public_ips: Vec<IpAddr> = i
                .public_ip
                .into_iter()
                .chain(enis.iter().flat_map(|e| {
                    e.private_ips
                        .iter()
                        .filter_map(|p| p.public_ip)
                        .chain(e.ipv6_addresses.iter().copied())
                }))
                .collect();
            dedup_keep_order(&mut private_ips);
            dedup_keep_order(&mut public_ips);
            InstanceSummary {
                id: i.id.as_str().to_owned(),
                name: i.name.as_ref().map(|s| s.as_str().to_owned()),
                state: i.state.name().to_owned(),
                private_ips: private_ips.iter().map(ToString::to_string).collect(),
                public_ips: public_ips.iter().map(ToString::to_string).collect(),
            }
        })
        .collect()
}

/// Removes repeats, keeping the first of each (the primary address stays first).
fn dedup_keep_order(v: &mut Vec<IpAddr>) {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|ip| seen.insert(*ip));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use vpc_reach_core::model::{Eni, Instance, InstanceState, Origin, PrivateIp};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn instance_summary_lists_every_address_once_primary_first() {
        let mut inv = Inventory::default();
        inv.instances.insert(
            "i-1".into(),
            Instance {
                id: "i-1".into(),
                name: Some("web".into()),
                state: InstanceState::Running,
                vpc_id: None,
                subnet_id: None,
                private_ip: Some(ip("10.0.0.5")),
                public_ip: Some(ip("203.0.113.5")),
                eni_ids: vec!["eni-1".into()],
                security_groups: vec![],
                platform: None,
                origin: Origin::default(),
            },
        );
        inv.enis.insert(
            "eni-1".into(),
            Eni {
                id: "eni-1".into(),
                vpc_id: None,
                subnet_id: None,
                instance_id: Some("i-1".into()),
                device_index: Some(0),
                attachment_status: None,
                groups: vec![],
                private_ips: vec![
                    PrivateIp {
                        address: ip("10.0.0.5"),
                        primary: true,
                        public_ip: Some(ip("203.0.113.5")),
                    },
                    PrivateIp {
                        address: ip("10.0.0.6"),
                        primary: false,
                        public_ip: Some(ip("198.51.100.9")),
                    },
                ],
                ipv6_addresses: vec![ip("2001:db8::5")],
                source_dest_check: None,
                interface_type: None,
                description: None,
                origin: Origin::default(),
            },
        );
        let list = instances(&inv);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name.as_deref(), Some("web"));
        assert_eq!(list[0].state, "running");
        assert_eq!(list[0].private_ips, ["10.0.0.5", "10.0.0.6"]);
        assert_eq!(
            list[0].public_ips,
            ["203.0.113.5", "198.51.100.9", "2001:db8::5"]
        );
    }

    #[test]
    fn load_reports_reading_then_exposure_with_sizes() {
        let inputs = vec![
            ("a.json".to_owned(), b"{}".to_vec()),
            ("b.txt".to_owned(), b"hello".to_vec()),
        ];
        let mut stages = Vec::new();
        let _ = Session::load(&inputs, |s| stages.push(s));
        assert_eq!(stages.len(), 2);
        assert_eq!(
            stages[0],
            Stage::Reading {
                inputs: 2,
                bytes: 7
            }
        );
        assert!(matches!(stages[1], Stage::ListingExposure { .. }));
    }

    #[test]
    fn a_form_the_core_cannot_take_is_refused_before_analysis() {
        let (session, _) = Session::load(&[], |_| {});
        let mut stages = Vec::new();
        let form = QueryForm {
            target: "i-1".into(),
            source: "not an address".into(),
            ..QueryForm::default()
        };
        let err = session.analyze(&form, |s| stages.push(s)).unwrap_err();
        assert!(err.contains("`not an address`"), "{err}");
        assert!(stages.is_empty(), "nothing was analysed");
    }
}
