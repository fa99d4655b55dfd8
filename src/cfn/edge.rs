//! The us-east-1 edge stack: ACM certificates for CloudFront.

use serde::Serialize;

use super::Tag;

resource_types! {
    Certificate = "AWS::CertificateManager::Certificate",
}

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

/// `DomainValidationOption`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainValidationOption {
    /// A name of the certificate.
    pub domain_name: String,
    /// The public hosted zone CloudFormation writes its validation record into.
    pub hosted_zone_id: String,
}
