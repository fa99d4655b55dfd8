//! The edge stack (`STACK-edge.template.json`, us-east-1): the certificates of
//! sorry sites with `certificate = "new"`. CloudFront takes certificates from
//! us-east-1 only, whatever the main stack's region.
//!
//! Each certificate is DNS-validated through the hosted zone of each of its
//! names (CloudFormation writes the validation records) and its ARN is an
//! output. The main template takes it as the parameter of the same logical ID;
//! the deploy plan deploys this stack first and passes the output on. No
//! Lambda-backed cross-region reference is involved.

use crate::cfn::certificatemanager::{self, DomainValidationOption};
use crate::cfn::{Expr, Output, Resource, Tag, Template};
use crate::model::{Certificate, Model, Sorry};
use crate::naming::Part;

use super::add;

/// The only region CloudFront takes certificates from.
pub(crate) const EDGE_REGION: &str = "us-east-1";

/// The edge template, when some sorry site needs a new certificate.
pub(super) fn template(model: &Model, stack_tags: &[Tag]) -> Option<Template> {
    let sites: Vec<(&Sorry, &[(String, String)])> = model
        .sorries
        .values()
        .filter_map(|s| match &s.certificate {
            Certificate::New { validation } => Some((s, validation.as_slice())),
            Certificate::Arn(_) => None,
        })
        .collect();
    if sites.is_empty() {
        return None;
    }
    let zone_ids = sites
        .iter()
        .flat_map(|(_, validation)| validation.iter().map(|(_, zone)| zone.clone()))
        .collect::<Vec<_>>();
    let stack = &model.stack.name;
    let mut t = super::new_template(
        model,
        Some(format!(
            "Edge stack of {stack}: ACM certificates for CloudFront, which takes them from us-east-1 only"
        )),
        EDGE_REGION,
        zone_ids,
    );
    for (s, validation) in sites {
        certificate(&mut t, stack, s, validation, stack_tags);
    }
    Some(t)
}

/// Adds one sorry site's certificate and its ARN output.
fn certificate(
    t: &mut Template,
    stack: &str,
    s: &Sorry,
    validation: &[(String, String)],
    stack_tags: &[Tag],
) {
    debug_assert!(
        validation.iter().map(|(name, _)| name).eq(s.aliases.iter()),
        "bug in topoform: [sorry.{}] validation names differ from its aliases",
        s.name.as_str()
    );
    let mut names = validation.iter().map(|(name, _)| name.clone());
    let domain_name = names.next().unwrap_or_else(|| {
        panic!(
            "bug in topoform: [sorry.{}] has a new certificate but no alias",
            s.name.as_str()
        )
    });
    let id = s.prefix.id(Part::Certificate);
    let tags = std::iter::once(Tag::new("Name", format!("{stack}-{}", s.name.as_str())))
        .chain(stack_tags.iter().cloned())
        .collect();
    add(
        t,
        &id,
        Resource::new(certificatemanager::Certificate {
            domain_name,
            subject_alternative_names: names.collect(),
            validation_method: "DNS",
            domain_validation_options: validation
                .iter()
                .map(|(name, zone)| DomainValidationOption {
                    domain_name: name.clone(),
                    hosted_zone_id: zone.clone(),
                })
                .collect(),
            tags,
        }),
    );
    t.outputs.insert(
        s.prefix.id(Part::CertificateArn),
        Output {
            description: format!(
                "[sorry.{}]: certificate ARN, the main stack's parameter of the same name",
                s.name.as_str()
            ),
            value: Expr::Ref(id),
        },
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::model::{Name, Page, Stack, Zone};
    use crate::naming::{LogicalId, Prefix};

    fn sorry(name: &str, certificate: Certificate, aliases: &[&str]) -> Sorry {
        Sorry {
            name: Name(name.into()),
            prefix: Prefix::of(name).unwrap(),
            certificate,
            page: Page::Builtin {
                title: "t".into(),
                message: "m".into(),
            },
            allow: Vec::new(),
            status: 503,
            aliases: aliases.iter().map(|a| (*a).to_string()).collect(),
            access_logs: false,
        }
    }

    fn model(sorries: Vec<Sorry>) -> Model {
        Model {
            stack: Stack {
                name: "shop".into(),
                region: "ap-northeast-1".into(),
                description: None,
                tags: BTreeMap::new(),
                notify: None,
            },
            zones: BTreeMap::from([
                (
                    Name("public".into()),
                    Zone {
                        id: "Z111111111111".into(),
                        domain: "example.com".into(),
                        private: false,
                    },
                ),
                (
                    Name("other".into()),
                    Zone {
                        id: "Z222222222222".into(),
                        domain: "example.org".into(),
                        private: false,
                    },
                ),
            ]),
            instances: BTreeMap::new(),
            failovers: BTreeMap::new(),
            sorries: sorries.into_iter().map(|s| (s.name.clone(), s)).collect(),
            albs: BTreeMap::new(),
            fleets: BTreeMap::new(),
            backups: BTreeMap::new(),
            tasks: BTreeMap::new(),
            origins: crate::model::Origins::default(),
        }
    }

    #[test]
    fn no_edge_stack_without_a_new_certificate() {
        assert!(template(&model(Vec::new()), &[]).is_none());
        let arn = "arn:aws:acm:us-east-1:123456789012:certificate/x";
        let m = model(vec![sorry(
            "closed",
            Certificate::Arn(arn.into()),
            &["www.example.com"],
        )]);
        assert!(template(&m, &[]).is_none());
    }

    #[test]
    fn one_certificate_per_new_site_with_its_arn_as_output() {
        let new = Certificate::New {
            validation: vec![
                ("shop.example.org".into(), "Z222222222222".into()),
                ("www.example.com".into(), "Z111111111111".into()),
            ],
        };
        let arn = Certificate::Arn("arn:aws:acm:us-east-1:123456789012:certificate/x".into());
        let m = model(vec![
            sorry("maintenance", new, &["shop.example.org", "www.example.com"]),
            sorry("closed", arn, &["old.example.com"]),
        ]);
        let t = template(&m, &[]).expect("edge template");
        assert_eq!(t.metadata.topoform.region, "us-east-1");
        assert_eq!(
            t.metadata.topoform.zones,
            BTreeMap::from([
                ("Z111111111111".to_string(), "example.com".to_string()),
                ("Z222222222222".to_string(), "example.org".to_string()),
            ])
        );
        assert_eq!(t.resources.len(), 1);
        let cert = &t.resources[&LogicalId::fixed("MaintenanceCertificate")];
        assert_eq!(cert.kind, "AWS::CertificateManager::Certificate");
        let json = serde_json::to_value(cert).unwrap();
        let p = &json["Properties"];
        assert_eq!(p["DomainName"], "shop.example.org");
        assert_eq!(p["SubjectAlternativeNames"], json!(["www.example.com"]));
        assert_eq!(p["ValidationMethod"], "DNS");
        assert_eq!(
            p["DomainValidationOptions"],
            json!([
                {"DomainName": "shop.example.org", "HostedZoneId": "Z222222222222"},
                {"DomainName": "www.example.com", "HostedZoneId": "Z111111111111"},
            ])
        );
        assert_eq!(
            p["Tags"],
            json!([{"Key": "Name", "Value": "shop-maintenance"}])
        );
        let output = &t.outputs[&LogicalId::fixed("MaintenanceCertificateArn")];
        assert_eq!(
            output.value,
            Expr::Ref(LogicalId::fixed("MaintenanceCertificate"))
        );
        assert!(t.parameters.is_empty());
    }

    #[test]
    fn single_name_has_no_alternative_names() {
        let new = Certificate::New {
            validation: vec![("www.example.com".into(), "Z111111111111".into())],
        };
        let m = model(vec![sorry("closed", new, &["www.example.com"])]);
        let t = template(&m, &[]).unwrap();
        let cert =
            serde_json::to_value(&t.resources[&LogicalId::fixed("ClosedCertificate")]).unwrap();
        assert!(cert["Properties"].get("SubjectAlternativeNames").is_none());
    }
}
