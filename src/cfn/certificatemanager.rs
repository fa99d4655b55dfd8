//! AWS Certificate Manager: the DNS-validated certificates of sorry sites,
//! in the us-east-1 edge stack because CloudFront takes them from there only.

use serde::Serialize;

use super::{Properties, Tag};

/// `AWS::CertificateManager::Certificate`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Certificate {
    /// The first name.
    pub domain_name: String,
    /// The other names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subject_alternative_names: Vec<String>,
    /// `DNS`.
    pub validation_method: &'static str,
    /// Where each name's validation record goes.
    pub domain_validation_options: Vec<DomainValidationOption>,
    /// Tags (at least one: ACM rejects an empty list).
    pub tags: Vec<Tag>,
}

impl Properties for Certificate {
    fn resource_type(&self) -> &'static str {
        "AWS::CertificateManager::Certificate"
    }

    fn tag_lists(&self) -> Vec<usize> {
        vec![self.tags.len()]
    }
}

/// `DomainValidationOption`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainValidationOption {
    /// A name of the certificate.
    pub domain_name: String,
    /// The public hosted zone CloudFormation writes its validation record into.
    pub hosted_zone_id: String,
}
