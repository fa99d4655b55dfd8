//! `[sorry.NAME]`: a private bucket, served only through CloudFront with
//! Origin Access Control; a CloudFront Function answers every path with the
//! page and enforces the allow-list at the edge. With `certificate = "new"`,
//! the certificate is made in the us-east-1 edge template (CloudFront takes
//! certificates from us-east-1 only, whatever the main stack's region),
//! DNS-validated through the zone of each of its names; its ARN is an edge
//! output that the deploy plan passes to the main stack as the parameter of
//! the same logical ID. No Lambda-backed cross-region reference is involved.

use super::context::{self, Context};
use crate::cfn::certificatemanager::{Certificate as AcmCertificate, DomainValidationOption};
use crate::cfn::cloudfront::{
    CacheBehavior, CustomErrorResponse, Distribution, DistributionConfig, DistributionLogging,
    Function, FunctionAssociation, FunctionConfig, OacConfig, Origin, OriginAccessControl,
    S3OriginConfig, ViewerCertificate,
};
use crate::cfn::iam::{Condition, Effect, PolicyDocument, Principal, Statement};
use crate::cfn::s3::{
    AbortIncompleteMultipartUpload, Bucket, BucketEncryption, BucketPolicy, EncryptionDefault,
    EncryptionRule, LifecycleConfiguration, LifecycleRule, LoggingConfiguration, OwnershipControls,
    OwnershipRule, PublicAccessBlock,
};
use crate::cfn::{Expr, Output, Parameter, Pseudo, Resource, Tag};
use crate::layout;
use crate::model::Sorry;
use crate::model::sorry::{Certificate, Part};
use crate::naming::LogicalId;
use crate::userdata;

/// Retained when the stack is deleted or the resource removed, deleted when
/// the stack's first create rolls back (`UpdateReplacePolicy` has no such
/// value: there it is `Retain`).
const RETAIN_EXCEPT_ON_CREATE: &str = "RetainExceptOnCreate";

/// The managed CachingOptimized cache policy.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/// Days the access logs are kept.
const LOG_DAYS: u32 = 90;

/// Adds a sorry site, and writes its page.
pub(super) fn synth(cx: &mut Context<'_>, s: &Sorry) {
    let logs = s.access_logs.then(|| log_bucket(cx, s));
    bucket(cx, s, logs.as_ref());
    edge_function(cx, s);
    let certificate = certificate(cx, s);
    distribution(cx, s, logs.as_ref(), certificate);
    let p = &s.prefix;
    let what = what(s);
    cx.output(
        &p.id(Part::BucketName),
        format!("{what}: bucket that deploy.sh uploads the page to"),
        Expr::Ref(p.id(Part::Bucket)),
        false,
    );
    cx.output(
        &p.id(Part::DistributionId),
        format!("{what}: distribution that deploy.sh invalidates"),
        Expr::Ref(p.id(Part::Distribution)),
        false,
    );
    cx.output(
        &p.id(Part::DomainName),
        format!("{what}: the distribution's domain name, which the failover records alias"),
        Expr::GetAtt(p.id(Part::Distribution), "DomainName".into()),
        false,
    );
    cx.file(layout::sorry_page(s.name.as_str()), userdata::sorry_page(s));
}

/// `[sorry.NAME]`, in descriptions.
fn what(s: &Sorry) -> String {
    format!("[sorry.{}]", s.name.as_str())
}

/// `STACK-NAME`, unique per account: the function's and the OAC's name.
fn unique_name(s: &Sorry) -> Expr {
    Expr::sub()
        .pseudo(Pseudo::StackName)
        .lit(format!("-{}", s.name.as_str()))
        .build()
}

/// The private bucket that holds the page, and its policy: TLS only, and
/// reads by this distribution only.
fn bucket(cx: &mut Context<'_>, s: &Sorry, logs: Option<&LogicalId>) {
    let bucket = s.prefix.id(Part::Bucket);
    let mut resource = Resource::new(Bucket {
        logging_configuration: logs.map(|l| LoggingConfiguration {
            destination_bucket_name: Expr::Ref(l.clone()),
            log_file_prefix: "s3/",
        }),
        ..private_bucket("BucketOwnerEnforced", &cx.stack_tags)
    })
    .skip_check("CKV_AWS_21", SITE_VERSIONS_REASON)
    .skip_rule("S3_BUCKET_VERSIONING_ENABLED", SITE_VERSIONS_REASON)
    .skip_check(
        "CKV_AWS_145",
        "SSE-S3 suffices for a public sorry page; SSE-KMS would need a key policy for CloudFront.",
    )
    .skip_check(
        "CKV2_AWS_62",
        "Nothing consumes events of a bucket that only holds the sorry page.",
    )
    .skip_rule("S3_BUCKET_NO_PUBLIC_RW_ACL", NO_ACL_REASON);
    if logs.is_none() {
        resource = resource
            .skip_check("CKV_AWS_18", SITE_LOGS_REASON)
            .skip_rule("S3_BUCKET_LOGGING_ENABLED", SITE_LOGS_REASON);
    }
    // Deletion decided on purpose: the bucket holds the uploaded page, which
    // would make stack deletion fail. It is retained; deleting it is one
    // `aws s3 rb --force` once the stack is gone. Except when the stack's
    // first create fails: then it is empty, and a retained bucket would be
    // an orphan that every retry adds to (`deploy.sh` deletes such a stack).
    resource.deletion_policy = Some(RETAIN_EXCEPT_ON_CREATE);
    resource.update_replace_policy = Some("Retain");
    cx.add(&bucket, resource);

    let objects = Expr::sub().attr(&bucket, "Arn").lit("/*").build();
    let mut from_distribution = Condition::new();
    from_distribution.entry("StringEquals").or_default().insert(
        "AWS:SourceArn",
        vec![
            Expr::sub()
                .lit("arn:")
                .pseudo(Pseudo::Partition)
                .lit(":cloudfront::")
                .pseudo(Pseudo::AccountId)
                .lit(":distribution/")
                .reference(&s.prefix.id(Part::Distribution))
                .build(),
        ],
    );
    cx.add(
        &s.prefix.id(Part::BucketPolicy),
        Resource::new(BucketPolicy {
            bucket: Expr::Ref(bucket.clone()),
            policy_document: PolicyDocument::new(vec![
                tls_only(&bucket),
                Statement {
                    sid: "AllowThisDistributionOnly".into(),
                    effect: Effect::Allow,
                    principal: Some(Principal::Service("cloudfront.amazonaws.com")),
                    action: vec!["s3:GetObject"],
                    resource: vec![objects],
                    condition: from_distribution,
                },
            ]),
        }),
    );
}

/// The Origin Access Control and the CloudFront Function.
fn edge_function(cx: &mut Context<'_>, s: &Sorry) {
    let what = what(s);
    cx.add(
        &s.prefix.id(Part::OriginAccessControl),
        Resource::new(OriginAccessControl {
            origin_access_control_config: OacConfig {
                name: unique_name(s),
                description: format!("{what}: CloudFront reads the private sorry bucket"),
                origin_access_control_origin_type: "s3",
                signing_behavior: "always",
                signing_protocol: "sigv4",
            },
        }),
    );
    cx.add(
        &s.prefix.id(Part::Function),
        Resource::new(Function {
            name: unique_name(s),
            auto_publish: true,
            function_config: FunctionConfig {
                comment: format!("{what}: every path answers the sorry page"),
                runtime: "cloudfront-js-2.0",
            },
            function_code: userdata::sorry_function(s),
        }),
    );
}

/// The distribution's certificate: the ARN given, or the parameter the
/// deploy plan fills in from the edge stack, whose certificate this adds.
fn certificate(cx: &mut Context<'_>, s: &Sorry) -> Expr {
    let validation = match &s.certificate {
        Certificate::Arn(arn) => return Expr::str(arn),
        Certificate::New { validation } => validation,
    };
    let param = s.prefix.id(Part::CertificateArn);
    cx.main.parameters.insert(
        param.clone(),
        Parameter {
            kind: "String",
            default: None,
            allowed_pattern: None,
            description: format!(
                "{}: ARN of the certificate the edge stack created in us-east-1",
                what(s)
            ),
        },
    );
    edge_certificate(cx, s, validation);
    Expr::Ref(param)
}

/// Adds the site's certificate and its ARN output to the edge template.
fn edge_certificate(cx: &mut Context<'_>, s: &Sorry, validation: &[(String, String)]) {
    debug_assert!(
        validation.iter().map(|(name, _)| name).eq(s.aliases.iter()),
        "bug in topoform: {} validation names differ from its aliases",
        what(s)
    );
    let mut names = validation.iter().map(|(name, _)| name.clone());
    let domain_name = names.next().unwrap_or_else(|| {
        panic!(
            "bug in topoform: {} has a new certificate but no alias",
            what(s)
        )
    });
    let id = s.prefix.id(Part::Certificate);
    let tags = cx.tags_named(cx.display(s.name.as_str()));
    let model = cx.model;
    let edge = cx.edge();
    for (_, zone) in validation {
        context::writes_into(edge, model, zone);
    }
    context::add(
        edge,
        &id,
        Resource::new(AcmCertificate {
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
    edge.outputs.insert(
        s.prefix.id(Part::CertificateArn),
        Output {
            description: format!(
                "{}: certificate ARN, the main stack's parameter of the same name",
                what(s)
            ),
            value: Expr::Ref(id),
            export: None,
        },
    );
}

/// The distribution: every path of the private bucket, through the function.
fn distribution(cx: &mut Context<'_>, s: &Sorry, logs: Option<&LogicalId>, certificate: Expr) {
    let p = &s.prefix;
    let origin_id = "sorry-bucket".to_string();
    let mut resource = Resource::new(Distribution {
            distribution_config: DistributionConfig {
                comment: format!("{} (topoform)", what(s)),
                enabled: true,
                aliases: s.aliases.clone(),
                http_version: "http2and3",
                // The allow-list is IPv4; with it, viewers must come over IPv4.
                ipv6_enabled: s.allow.is_empty(),
                price_class: "PriceClass_All",
                origins: vec![Origin {
                    id: origin_id.clone(),
                    domain_name: Expr::GetAtt(p.id(Part::Bucket), "RegionalDomainName".into()),
                    origin_access_control_id: Expr::GetAtt(p.id(Part::OriginAccessControl), "Id".into()),
                    s3_origin_config: S3OriginConfig { origin_access_identity: "" },
                }],
                default_cache_behavior: CacheBehavior {
                    target_origin_id: origin_id,
                    viewer_protocol_policy: "redirect-to-https",
                    cache_policy_id: CACHING_OPTIMIZED,
                    compress: true,
                    allowed_methods: vec!["GET", "HEAD"],
                    function_associations: vec![FunctionAssociation {
                        event_type: "viewer-request",
                        function_arn: Expr::GetAtt(p.id(Part::Function), "FunctionMetadata.FunctionARN".into()),
                    }],
                },
                // The function sends every request to a missing key; S3 answers
                // 403 (404 if ListBucket were ever granted), and both become the page.
                custom_error_responses: [403, 404]
                    .into_iter()
                    .map(|code| CustomErrorResponse {
                        error_code: code,
                        response_code: s.status,
                        response_page_path: "/index.html",
                        error_caching_min_ttl: 10,
                    })
                    .collect(),
                logging: logs.map(|l| DistributionLogging {
                    bucket: Expr::GetAtt(l.clone(), "RegionalDomainName".into()),
                    prefix: "cloudfront/",
                    include_cookies: false,
                }),
                viewer_certificate: ViewerCertificate {
                    acm_certificate_arn: certificate,
                    ssl_support_method: "sni-only",
                    minimum_protocol_version: "TLSv1.2_2021",
                },
            },
            tags: cx.stack_tags.clone(),
        })
        .skip_check("CKV_AWS_68", "A WAF web ACL costs more than the sorry page it would protect; the allow-list runs in a CloudFront Function.")
        .skip_check("CKV_AWS_310", "Origin failover needs a second origin; the sorry site is itself the failover target.")
        .skip_check("CKV_AWS_374", "Geo restriction is not wanted: the sorry page answers every viewer that may see it.");
    if logs.is_none() {
        resource = resource
            .skip_check("CKV_AWS_86", DISTRIBUTION_LOGS_REASON)
            .skip_rule("CLOUDFRONT_ACCESSLOGS_ENABLED", DISTRIBUTION_LOGS_REASON);
    }
    cx.add(&p.id(Part::Distribution), resource);
}

/// Why the site bucket keeps no versions.
const SITE_VERSIONS_REASON: &str = "The page is regenerated from the topology and uploaded by deploy.sh; versions would only block deletion.";
/// Why the site bucket logs no access by default.
const SITE_LOGS_REASON: &str = "Access logs are off by default (access_logs = true turns them on): the bucket holds one generated public page.";
/// Why the distribution logs no access by default.
const DISTRIBUTION_LOGS_REASON: &str =
    "Access logs are off by default (access_logs = true turns them on) for a static sorry page.";
/// Why the log bucket logs no access.
const LOG_BUCKET_LOGS_REASON: &str = "This is the log bucket: logging its own access would loop.";
/// Why the log bucket keeps no versions.
const LOG_VERSIONS_REASON: &str =
    "Access logs expire after 90 days; versions would only keep them longer.";
/// Why no bucket sets the legacy `AccessControl` the rule reads.
const NO_ACL_REASON: &str = "Public access is blocked and no ACL grants it; the rule reads the legacy AccessControl property, which cfn-lint (W3045) rejects.";

/// A private, encrypted bucket with public access blocked.
fn private_bucket(object_ownership: &'static str, stack_tags: &[Tag]) -> Bucket {
    Bucket {
        public_access_block_configuration: PublicAccessBlock {
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
        },
        ownership_controls: OwnershipControls {
            rules: vec![OwnershipRule { object_ownership }],
        },
        bucket_encryption: BucketEncryption {
            server_side_encryption_configuration: vec![EncryptionRule {
                server_side_encryption_by_default: EncryptionDefault {
                    sse_algorithm: "AES256",
                },
            }],
        },
        logging_configuration: None,
        lifecycle_configuration: None,
        tags: stack_tags.to_vec(),
    }
}

/// `access_logs = true`: a bucket for the site bucket's S3 server access
/// logs (`s3/`) and the distribution's standard logs (`cloudfront/`),
/// expiring after 90 days. CloudFront standard logging writes through ACLs,
/// so this bucket keeps them (BucketOwnerPreferred) while the site bucket
/// has none. Returns the log bucket's logical ID.
fn log_bucket(cx: &mut Context<'_>, s: &Sorry) -> LogicalId {
    let id = s.prefix.id(Part::LogBucket);
    let site = s.prefix.id(Part::Bucket);
    let mut resource = Resource::new(Bucket {
        lifecycle_configuration: Some(LifecycleConfiguration {
            rules: vec![LifecycleRule {
                id: "expire-access-logs",
                status: "Enabled",
                expiration_in_days: LOG_DAYS,
                abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload {
                    days_after_initiation: 7,
                },
            }],
        }),
        ..private_bucket("BucketOwnerPreferred", &cx.stack_tags)
    })
    .skip_check("CKV_AWS_18", LOG_BUCKET_LOGS_REASON)
    .skip_rule("S3_BUCKET_LOGGING_ENABLED", LOG_BUCKET_LOGS_REASON)
    .skip_check("CKV_AWS_21", LOG_VERSIONS_REASON)
    .skip_rule("S3_BUCKET_VERSIONING_ENABLED", LOG_VERSIONS_REASON)
    .skip_rule("S3_BUCKET_NO_PUBLIC_RW_ACL", NO_ACL_REASON)
    .skip_check(
        "CKV_AWS_145",
        "S3 server access logs can only be delivered to SSE-S3 buckets.",
    )
    .skip_check("CKV2_AWS_62", "Nothing consumes events of the log bucket.");
    // Retained like the site bucket: it holds logs, which block deletion.
    resource.deletion_policy = Some(RETAIN_EXCEPT_ON_CREATE);
    resource.update_replace_policy = Some("Retain");
    cx.add(&id, resource);

    let mut from_site = Condition::new();
    from_site
        .entry("ArnLike")
        .or_default()
        .insert("aws:SourceArn", vec![Expr::GetAtt(site, "Arn".into())]);
    from_site
        .entry("StringEquals")
        .or_default()
        .insert("aws:SourceAccount", vec![Expr::Pseudo(Pseudo::AccountId)]);
    cx.add(
        &s.prefix.id(Part::LogBucketPolicy),
        Resource::new(BucketPolicy {
            bucket: Expr::Ref(id.clone()),
            policy_document: PolicyDocument::new(vec![
                tls_only(&id),
                Statement {
                    sid: "S3ServerAccessLogsOfTheSiteBucket".into(),
                    effect: Effect::Allow,
                    principal: Some(Principal::Service("logging.s3.amazonaws.com")),
                    action: vec!["s3:PutObject"],
                    resource: vec![Expr::sub().attr(&id, "Arn").lit("/s3/*").build()],
                    condition: from_site,
                },
            ]),
        }),
    );
    id
}

/// Denies every request to `bucket` that does not use TLS.
fn tls_only(bucket: &LogicalId) -> Statement {
    let mut condition = Condition::new();
    condition
        .entry("Bool")
        .or_default()
        .insert("aws:SecureTransport", vec![Expr::str("false")]);
    Statement {
        sid: "DenyInsecureTransport".into(),
        effect: Effect::Deny,
        principal: Some(Principal::Anyone),
        action: vec!["s3:*"],
        resource: vec![
            Expr::GetAtt(bucket.clone(), "Arn".into()),
            Expr::sub().attr(bucket, "Arn").lit("/*").build(),
        ],
        condition,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    use serde_json::json;

    use crate::synth::tests::{WEB, templates};

    const ARN: &str =
        "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f";

    /// Stack `shop` with two public zones, an instance, sorry sites
    /// `maintenance` (`certificate` as given) and `closed` (an existing
    /// certificate), and the failovers named in `failovers`:
    /// `(name, record, zone, sorry site)`.
    fn topology(certificate: &str, failovers: &[(&str, &str, &str, &str)]) -> String {
        let mut t = format!(
            r#"[stack]
name = "shop"
region = "ap-northeast-1"

[zone.com]
id = "Z111111111111"
domain = "example.com"

[zone.org]
id = "Z222222222222"
domain = "example.org"
{WEB}
[sorry.maintenance]
certificate = "{certificate}"

[sorry.closed]
certificate = "{ARN}"
"#
        );
        for (name, record, zone, site) in failovers {
            let _ = write!(
                t,
                "\n[failover.{name}]\nrecord = \"{record}\"\nzone = \"zone.{zone}\"\nprimary = \"instance.web\"\nsecondary = \"sorry.{site}\"\n"
            );
        }
        t
    }

    #[test]
    fn no_edge_stack_without_a_new_certificate() {
        let t = templates(&topology(
            ARN,
            &[
                ("www", "www.example.com", "com", "closed"),
                ("shop", "shop.example.org", "org", "maintenance"),
            ],
        ));
        assert_eq!(t.keys().collect::<Vec<_>>(), ["shop.template.json"]);
    }

    #[test]
    fn one_certificate_per_new_site_with_its_arn_as_output() {
        let t = templates(&topology(
            "new",
            &[
                ("www", "www.example.com", "com", "maintenance"),
                ("shop", "shop.example.org", "org", "maintenance"),
                ("old", "old.example.com", "com", "closed"),
            ],
        ));
        let edge = &t["shop-edge.template.json"];
        assert_eq!(edge["Metadata"]["topoform"]["region"], "us-east-1");
        assert_eq!(
            edge["Metadata"]["topoform"]["zones"],
            json!({"Z111111111111": "example.com", "Z222222222222": "example.org"})
        );
        let resources = edge["Resources"].as_object().unwrap();
        assert_eq!(
            resources.keys().collect::<Vec<_>>(),
            ["MaintenanceCertificate"]
        );
        let cert = &resources["MaintenanceCertificate"];
        assert_eq!(cert["Type"], "AWS::CertificateManager::Certificate");
        let p = &cert["Properties"];
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
        assert_eq!(
            edge["Outputs"]["MaintenanceCertificateArn"]["Value"],
            json!({"Ref": "MaintenanceCertificate"})
        );
        assert!(edge.get("Parameters").is_none());
        // The main stack takes the ARN as the parameter of the same name.
        let main = &t["shop.template.json"];
        assert_eq!(
            main["Parameters"]["MaintenanceCertificateArn"]["Type"],
            "String"
        );
        let viewer = &main["Resources"]["MaintenanceDistribution"]["Properties"]["DistributionConfig"]
            ["ViewerCertificate"];
        assert_eq!(
            viewer["AcmCertificateArn"],
            json!({"Ref": "MaintenanceCertificateArn"})
        );
        let aliases: BTreeMap<&str, &serde_json::Value> = ["Maintenance", "Closed"]
            .iter()
            .map(|s| {
                (
                    *s,
                    &main["Resources"][format!("{s}Distribution")]["Properties"]
                        ["DistributionConfig"]["Aliases"],
                )
            })
            .collect();
        assert_eq!(
            *aliases["Maintenance"],
            json!(["shop.example.org", "www.example.com"])
        );
        assert_eq!(*aliases["Closed"], json!(["old.example.com"]));
    }

    #[test]
    fn single_name_has_no_alternative_names() {
        let t = templates(&topology(
            "new",
            &[
                ("www", "www.example.com", "com", "maintenance"),
                ("old", "old.example.com", "com", "closed"),
            ],
        ));
        let cert = &t["shop-edge.template.json"]["Resources"]["MaintenanceCertificate"];
        assert!(cert["Properties"].get("SubjectAlternativeNames").is_none());
    }
}
