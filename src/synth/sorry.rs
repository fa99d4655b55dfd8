//! A `[sorry]` site: a private bucket, served only through CloudFront with
//! Origin Access Control; a CloudFront Function answers every path with the
//! page and enforces the allow-list at the edge.

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
use crate::cfn::{Expr, Output, Parameter, Pseudo, Resource, Tag, Template};
use crate::model::{Certificate, Sorry};
use crate::naming::{LogicalId, Part};
use crate::userdata;

use super::add;

/// The managed CachingOptimized cache policy.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/// Adds a sorry site to `t`.
pub(super) fn site(t: &mut Template, s: &Sorry, stack_tags: &[Tag]) {
    let p = &s.prefix;
    let (bucket, oac, function, distribution) = (
        p.id(Part::Bucket),
        p.id(Part::OriginAccessControl),
        p.id(Part::Function),
        p.id(Part::Distribution),
    );
    let what = format!("[sorry.{}]", s.name.as_str());
    let unique_name = || {
        Expr::sub()
            .pseudo(Pseudo::StackName)
            .lit(&format!("-{}", s.name.as_str()))
            .build()
    };

    let logs = s.access_logs.then(|| log_bucket(t, s, &bucket, stack_tags));
    let mut bucket_resource = Resource::new(Bucket {
        logging_configuration: logs.as_ref().map(|l| LoggingConfiguration {
            destination_bucket_name: Expr::Ref(l.clone()),
            log_file_prefix: "s3/",
        }),
        ..private_bucket("BucketOwnerEnforced", stack_tags)
    })
    .skip_check("CKV_AWS_21", "The page is regenerated from the topology and uploaded by deploy.sh; versions would only block deletion.")
    .skip_check("CKV_AWS_145", "SSE-S3 suffices for a public sorry page; SSE-KMS would need a key policy for CloudFront.")
    .skip_check("CKV2_AWS_62", "Nothing consumes events of a bucket that only holds the sorry page.");
    if logs.is_none() {
        bucket_resource = bucket_resource.skip_check(
            "CKV_AWS_18",
            "Access logs are off by default (access_logs = true turns them on): the bucket holds one generated public page.",
        );
    }
    // Deletion decided on purpose: the bucket holds the uploaded page, which
    // would make stack deletion fail. It is retained; deleting it is one
    // `aws s3 rb --force` once the stack is gone.
    bucket_resource.deletion_policy = Some("Retain");
    bucket_resource.update_replace_policy = Some("Retain");
    add(t, &bucket, bucket_resource);

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
                .reference(&distribution)
                .build(),
        ],
    );
    add(
        t,
        &p.id(Part::BucketPolicy),
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

    add(
        t,
        &oac.clone(),
        Resource::new(OriginAccessControl {
            origin_access_control_config: OacConfig {
                name: unique_name(),
                description: format!("{what}: CloudFront reads the private sorry bucket"),
                origin_access_control_origin_type: "s3",
                signing_behavior: "always",
                signing_protocol: "sigv4",
            },
        }),
    );
    add(
        t,
        &function.clone(),
        Resource::new(Function {
            name: unique_name(),
            auto_publish: true,
            function_config: FunctionConfig {
                comment: format!("{what}: every path answers the sorry page"),
                runtime: "cloudfront-js-2.0",
            },
            function_code: userdata::sorry_function(s),
        }),
    );

    let certificate = match &s.certificate {
        Certificate::Arn(arn) => Expr::str(arn),
        // Created by the us-east-1 edge stack; deploy.sh passes its ARN in.
        Certificate::New { .. } => {
            let param = p.id(Part::CertificateArn);
            t.parameters.insert(
                param.clone(),
                Parameter {
                    kind: "String",
                    default: None,
                    description: format!(
                        "{what}: ARN of the certificate the edge stack created in us-east-1"
                    ),
                },
            );
            Expr::Ref(param)
        }
    };
    let origin_id = "sorry-bucket".to_string();
    let mut distribution_resource = Resource::new(Distribution {
            distribution_config: DistributionConfig {
                comment: format!("{what} (topoform)"),
                enabled: true,
                aliases: s.aliases.clone(),
                http_version: "http2and3",
                // The allow-list is IPv4; with it, viewers must come over IPv4.
                ipv6_enabled: s.allow.is_empty(),
                price_class: "PriceClass_All",
                origins: vec![Origin {
                    id: origin_id.clone(),
                    domain_name: Expr::GetAtt(bucket.clone(), "RegionalDomainName"),
                    origin_access_control_id: Expr::GetAtt(oac, "Id"),
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
                        function_arn: Expr::GetAtt(function, "FunctionMetadata.FunctionARN"),
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
                logging: logs.as_ref().map(|l| DistributionLogging {
                    bucket: Expr::GetAtt(l.clone(), "RegionalDomainName"),
                    prefix: "cloudfront/",
                    include_cookies: false,
                }),
                viewer_certificate: ViewerCertificate {
                    acm_certificate_arn: certificate,
                    ssl_support_method: "sni-only",
                    minimum_protocol_version: "TLSv1.2_2021",
                },
            },
            tags: stack_tags.to_vec(),
        })
        .skip_check("CKV_AWS_68", "A WAF web ACL costs more than the sorry page it would protect; the allow-list runs in a CloudFront Function.")
        .skip_check("CKV_AWS_310", "Origin failover needs a second origin; the sorry site is itself the failover target.")
        .skip_check("CKV_AWS_374", "Geo restriction is not wanted: the sorry page answers every viewer that may see it.");
    if logs.is_none() {
        distribution_resource = distribution_resource.skip_check(
            "CKV_AWS_86",
            "Access logs are off by default (access_logs = true turns them on) for a static sorry page.",
        );
    }
    add(t, &distribution, distribution_resource);

    t.outputs.insert(
        p.id(Part::BucketName),
        Output {
            description: format!("{what}: bucket that deploy.sh uploads the page to"),
            value: Expr::Ref(bucket),
        },
    );
    t.outputs.insert(
        p.id(Part::DistributionId),
        Output {
            description: format!("{what}: distribution that deploy.sh invalidates"),
            value: Expr::Ref(distribution),
        },
    );
}

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

/// Days the access logs are kept.
const LOG_DAYS: u32 = 90;

/// `access_logs = true`: a bucket for the site bucket's S3 server access
/// logs (`s3/`) and the distribution's standard logs (`cloudfront/`),
/// expiring after 90 days. CloudFront standard logging writes through ACLs,
/// so this bucket keeps them (BucketOwnerPreferred) while the site bucket
/// has none. Returns the log bucket's logical ID.
fn log_bucket(t: &mut Template, s: &Sorry, site: &LogicalId, stack_tags: &[Tag]) -> LogicalId {
    let id = s.prefix.id(Part::LogBucket);
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
        ..private_bucket("BucketOwnerPreferred", stack_tags)
    })
    .skip_check(
        "CKV_AWS_18",
        "This is the log bucket: logging its own access would loop.",
    )
    .skip_check(
        "CKV_AWS_21",
        "Access logs expire after 90 days; versions would only keep them longer.",
    )
    .skip_check(
        "CKV_AWS_145",
        "S3 server access logs can only be delivered to SSE-S3 buckets.",
    )
    .skip_check("CKV2_AWS_62", "Nothing consumes events of the log bucket.");
    // Retained like the site bucket: it holds logs, which block deletion.
    resource.deletion_policy = Some("Retain");
    resource.update_replace_policy = Some("Retain");
    add(t, &id, resource);

    let mut from_site = Condition::new();
    from_site
        .entry("ArnLike")
        .or_default()
        .insert("aws:SourceArn", vec![Expr::GetAtt(site.clone(), "Arn")]);
    from_site
        .entry("StringEquals")
        .or_default()
        .insert("aws:SourceAccount", vec![Expr::Pseudo(Pseudo::AccountId)]);
    add(
        t,
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
            Expr::GetAtt(bucket.clone(), "Arn"),
            Expr::sub().attr(bucket, "Arn").lit("/*").build(),
        ],
        condition,
    }
}
