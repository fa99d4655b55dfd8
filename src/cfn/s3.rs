//! Amazon S3: a sorry site's private bucket, the policy that lets only its
//! CloudFront distribution read it, and the bucket its access logs expire in.

use serde::Serialize;

use super::iam::PolicyDocument;
use super::{Expr, Properties, Tag, tag_list_if_any};

resource_types! {
    BucketPolicy = "AWS::S3::BucketPolicy",
}

/// `AWS::S3::Bucket`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    /// Public access block.
    pub public_access_block_configuration: PublicAccessBlock,
    /// Ownership.
    pub ownership_controls: OwnershipControls,
    /// Default encryption.
    pub bucket_encryption: BucketEncryption,
    /// Server access logging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_configuration: Option<LoggingConfiguration>,
    /// Expiry of objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle_configuration: Option<LifecycleConfiguration>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl Properties for Bucket {
    fn resource_type(&self) -> &'static str {
        "AWS::S3::Bucket"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
}

/// `LoggingConfiguration`: where S3 writes server access logs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoggingConfiguration {
    /// Log bucket.
    pub destination_bucket_name: Expr,
    /// Key prefix.
    pub log_file_prefix: &'static str,
}

/// `LifecycleConfiguration`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleConfiguration {
    /// Rules.
    pub rules: Vec<LifecycleRule>,
}

/// A lifecycle rule that expires every object after some days.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleRule {
    /// Rule id.
    pub id: &'static str,
    /// `Enabled`.
    pub status: &'static str,
    /// Days until expiry.
    pub expiration_in_days: u32,
    /// Clean up failed uploads too.
    pub abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload,
}

/// `AbortIncompleteMultipartUpload`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AbortIncompleteMultipartUpload {
    /// Days after initiation.
    pub days_after_initiation: u32,
}

/// `PublicAccessBlockConfiguration`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlock {
    /// true.
    pub block_public_acls: bool,
    /// true.
    pub block_public_policy: bool,
    /// true.
    pub ignore_public_acls: bool,
    /// true.
    pub restrict_public_buckets: bool,
}

/// `OwnershipControls`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipControls {
    /// Rules.
    pub rules: Vec<OwnershipRule>,
}

/// An ownership rule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipRule {
    /// `BucketOwnerEnforced`.
    pub object_ownership: &'static str,
}

/// `BucketEncryption`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketEncryption {
    /// Rules.
    pub server_side_encryption_configuration: Vec<EncryptionRule>,
}

/// An encryption rule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionRule {
    /// Default.
    pub server_side_encryption_by_default: EncryptionDefault,
}

/// `ServerSideEncryptionByDefault`.
#[derive(Debug, Serialize)]
pub struct EncryptionDefault {
    /// `AES256`.
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: &'static str,
}

/// `AWS::S3::BucketPolicy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketPolicy {
    /// Bucket.
    pub bucket: Expr,
    /// Document.
    pub policy_document: PolicyDocument,
}
