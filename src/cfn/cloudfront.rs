//! Amazon CloudFront: a sorry site's distribution, the Origin Access Control
//! it reads its bucket with, and the CloudFront Function that answers every
//! path with the page and enforces the allow-list at the edge.

use serde::Serialize;

use super::{Expr, Properties, Tag, tag_list_if_any};

resource_types! {
    OriginAccessControl = "AWS::CloudFront::OriginAccessControl",
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

impl Properties for Function {
    fn resource_type(&self) -> &'static str {
        "AWS::CloudFront::Function"
    }

    fn function_code(&self) -> Option<&str> {
        Some(&self.function_code)
    }
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

impl Properties for Distribution {
    fn resource_type(&self) -> &'static str {
        "AWS::CloudFront::Distribution"
    }

    fn tag_lists(&self) -> Vec<usize> {
        tag_list_if_any(&self.tags)
    }
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
