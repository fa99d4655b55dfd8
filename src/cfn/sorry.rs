//! Sorry sites: S3 bucket and policy, CloudFront OAC, function and distribution.

use serde::Serialize;

use super::{Expr, PolicyDocument, Tag};

resource_types! {
    Bucket = "AWS::S3::Bucket",
    BucketPolicy = "AWS::S3::BucketPolicy",
    OriginAccessControl = "AWS::CloudFront::OriginAccessControl",
    Function = "AWS::CloudFront::Function",
    Distribution = "AWS::CloudFront::Distribution",
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

/// CloudFront standard logging.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DistributionLogging {
    /// The log bucket's domain name.
    pub bucket: Expr,
    /// Key prefix.
    pub prefix: &'static str,
    /// Cookies are not logged.
    pub include_cookies: bool,
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

/// `AWS::CloudFront::OriginAccessControl`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OriginAccessControl {
    /// Config.
    pub origin_access_control_config: OacConfig,
}

/// `OriginAccessControlConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OacConfig {
    /// Name (unique per account).
    pub name: Expr,
    /// Description.
    pub description: String,
    /// `s3`.
    pub origin_access_control_origin_type: &'static str,
    /// `always`.
    pub signing_behavior: &'static str,
    /// `sigv4`.
    pub signing_protocol: &'static str,
}

/// `AWS::CloudFront::Function`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Function {
    /// Name (unique per account).
    pub name: Expr,
    /// Publish on create/update.
    pub auto_publish: bool,
    /// Config.
    pub function_config: FunctionConfig,
    /// JavaScript source.
    pub function_code: String,
}

/// `FunctionConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionConfig {
    /// Comment.
    pub comment: String,
    /// `cloudfront-js-2.0`.
    pub runtime: &'static str,
}

/// `AWS::CloudFront::Distribution`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Distribution {
    /// Config.
    pub distribution_config: DistributionConfig,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `DistributionConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DistributionConfig {
    /// Comment.
    pub comment: String,
    /// Enabled.
    pub enabled: bool,
    /// Alternate domain names.
    pub aliases: Vec<String>,
    /// `http2and3`.
    pub http_version: &'static str,
    /// IPv6.
    #[serde(rename = "IPV6Enabled")]
    pub ipv6_enabled: bool,
    /// `PriceClass_All` etc.
    pub price_class: &'static str,
    /// Origins.
    pub origins: Vec<Origin>,
    /// Default behavior.
    pub default_cache_behavior: CacheBehavior,
    /// Error responses.
    pub custom_error_responses: Vec<CustomErrorResponse>,
    /// Certificate.
    pub viewer_certificate: ViewerCertificate,
    /// Standard logging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<DistributionLogging>,
}

/// An origin.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Origin {
    /// Id.
    pub id: String,
    /// Bucket regional domain name.
    pub domain_name: Expr,
    /// OAC id.
    pub origin_access_control_id: Expr,
    /// S3 origin config (empty OAI).
    pub s3_origin_config: S3OriginConfig,
}

/// `S3OriginConfig`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3OriginConfig {
    /// Empty: OAC replaces the legacy OAI.
    pub origin_access_identity: &'static str,
}

/// `DefaultCacheBehavior`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CacheBehavior {
    /// Origin id.
    pub target_origin_id: String,
    /// `redirect-to-https`.
    pub viewer_protocol_policy: &'static str,
    /// Managed cache policy id.
    pub cache_policy_id: &'static str,
    /// Compression.
    pub compress: bool,
    /// Methods.
    pub allowed_methods: Vec<&'static str>,
    /// Functions.
    pub function_associations: Vec<FunctionAssociation>,
}

/// A function association.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionAssociation {
    /// `viewer-request`.
    pub event_type: &'static str,
    /// Function ARN.
    #[serde(rename = "FunctionARN")]
    pub function_arn: Expr,
}

/// A custom error response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomErrorResponse {
    /// Origin error code.
    pub error_code: u16,
    /// Status sent to the viewer.
    pub response_code: u16,
    /// Page path.
    pub response_page_path: &'static str,
    /// Seconds to cache the error.
    #[serde(rename = "ErrorCachingMinTTL")]
    pub error_caching_min_ttl: u32,
}

/// `ViewerCertificate`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ViewerCertificate {
    /// ACM ARN.
    pub acm_certificate_arn: Expr,
    /// `sni-only`.
    pub ssl_support_method: &'static str,
    /// `TLSv1.2_2021`.
    pub minimum_protocol_version: &'static str,
}
