//! `[sorry.NAME]`: the sorry site a failover falls back to.

use super::{Ipv4Net, Name};
use crate::naming::{Prefix, parts};

/// The sorry page's content.
#[derive(Clone, Debug)]
pub enum Page {
    /// A user-provided HTML file's text.
    File(String),
    /// The built-in page.
    Builtin {
        /// Title.
        title: String,
        /// Message.
        message: String,
    },
}

/// A sorry site's certificate.
#[derive(Clone, Debug)]
pub enum Certificate {
    /// An existing ACM certificate in us-east-1.
    Arn(String),
    /// Created and DNS-validated by the us-east-1 edge stack, for every alias.
    New {
        /// Hosted zone id per alias, for DNS validation, sorted by alias.
        validation: Vec<(String, String)>,
    },
}

/// The sorry site.
#[derive(Clone, Debug)]
pub struct Sorry {
    /// Block name.
    pub name: Name,
    /// Logical ID prefix.
    pub prefix: Prefix,
    /// The distribution's certificate.
    pub certificate: Certificate,
    /// The page.
    pub page: Page,
    /// Viewer allow-list (empty: everyone).
    pub allow: Vec<Ipv4Net>,
    /// HTTP status of every response.
    pub status: u16,
    /// Every failover record that points here, sorted.
    pub aliases: Vec<String>,
    /// Keep S3 and CloudFront access logs (90 days) in a log bucket.
    pub access_logs: bool,
}

parts! {
    /// What a `[sorry]` produces (in the main template, and its certificate
    /// in the edge template).
    pub Part {
        /// The bucket holding the page.
        Bucket = "Bucket",
        /// Its policy.
        BucketPolicy = "BucketPolicy",
        /// CloudFront's Origin Access Control.
        OriginAccessControl = "OriginAccessControl",
        /// The CloudFront Function.
        Function = "Function",
        /// The output of the distribution's domain name.
        DomainName = "DomainName",
        /// The distribution.
        Distribution = "Distribution",
        /// Output: the bucket's name.
        BucketName = "BucketName",
        /// Output: the distribution's id.
        DistributionId = "DistributionId",
        /// The edge stack's certificate (`certificate = "new"`).
        Certificate = "Certificate",
        /// Its ARN: an edge output and a main parameter.
        CertificateArn = "CertificateArn",
        /// The access log bucket (`access_logs = true`).
        LogBucket = "LogBucket",
        /// Its policy.
        LogBucketPolicy = "LogBucketPolicy",
    }
}
