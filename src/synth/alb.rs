//! `[alb.NAME]`: an internet-facing application load balancer in front of an
//! instance's group: its security group, the target group and security
//! group its instance joins, and the HTTPS and redirecting HTTP listeners.
//!
//! The instance side (the group's `TargetGroupARNs`, `HealthCheckType: ELB`,
//! the target security group on the launch template) is in `instance`.

use super::context::Context;
use super::discover::{Check, Discovery};
use super::stack::{notifies, notify_alarm};
use crate::cfn::cloudwatch::{AlarmSource, Dimension};
use crate::cfn::ec2::{CidrRule, SecurityGroup, SecurityGroupEgress, SecurityGroupIngress};
use crate::cfn::elasticloadbalancingv2::{
    Action, Attribute, Listener, ListenerCertificate, LoadBalancer, Matcher, RedirectConfig,
    TargetGroup,
};
use crate::cfn::{Expr, Parameter, Resource, Tag};
use crate::model::Alb;
use crate::model::alb::Part;
use crate::naming::LogicalId;

/// The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only.
const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Adds a load balancer and everything around it.
pub(super) fn synth(cx: &mut Context<'_>, a: &Alb) {
    let vpc = vpc(cx, a);
    security_groups(cx, a, &vpc);
    load_balancer(cx, a);
    target_group(cx, a, &vpc);
    listeners(cx, a);
    unhealthy_alarm(cx, a);
}

/// With `notify`: a target has been unhealthy for five minutes. Auto Scaling
/// replaces an instance the load balancer finds unhealthy (its health check
/// type is `ELB`), so a person hears of one that stays so, or comes back so.
/// Targets that are absent (a scheduled stop) are not unhealthy ones.
fn unhealthy_alarm(cx: &mut Context<'_>, a: &Alb) {
    if !notifies(cx) {
        return;
    }
    let p = &a.prefix;
    notify_alarm(
        cx,
        &p.id(Part::UnhealthyAlarm),
        format!(
            "[alb.{}]: a target has failed the load balancer's health check for 5 minutes",
            a.name.as_str()
        ),
        AlarmSource::Metric {
            namespace: "AWS/ApplicationELB",
            metric_name: "UnHealthyHostCount",
            dimensions: vec![
                Dimension {
                    name: "LoadBalancer",
                    value: Expr::GetAtt(p.id(Part::LoadBalancer), "LoadBalancerFullName".into()),
                },
                Dimension {
                    name: "TargetGroup",
                    value: Expr::GetAtt(p.id(Part::TargetGroup), "TargetGroupFullName".into()),
                },
            ],
            statistic: "Maximum",
            period: 60,
        },
        5,
    );
}

/// The VPC of the subnets. Given, the deploy plan checks that the subnets
/// are in it; not given, the plan finds it from them (every subnet is in
/// exactly one VPC, and CloudFormation cannot look it up).
fn vpc(cx: &mut Context<'_>, a: &Alb) -> Expr {
    let what = format!("[alb.{}]", a.name.as_str());
    if let Some(vpc) = &a.vpc {
        cx.check(Check::SubnetsInVpc {
            what,
            vpc: vpc.clone(),
            subnets: a.subnets.clone(),
        });
        return Expr::str(vpc);
    }
    let parameter = Parameter {
        kind: "AWS::EC2::VPC::Id",
        default: None,
        allowed_pattern: None,
        description: format!("{what}: the VPC of its subnets, found by deploy.sh"),
    };
    let how = Discovery::VpcOfSubnets {
        what,
        subnets: a.subnets.clone(),
    };
    cx.discover(a.prefix.id(Part::Vpc), parameter, how)
}

/// `Name` = `STACK-NAME` + `suffix`, then the stack's tags.
fn tags(cx: &Context<'_>, a: &Alb, suffix: &str) -> Vec<Tag> {
    cx.tags_named(format!("{}{suffix}", cx.display(a.name.as_str())))
}

fn group_id(id: &LogicalId) -> Expr {
    Expr::GetAtt(id.clone(), "GroupId".into())
}

/// The load balancer's group, which admits the allow-list, and the targets'
/// group, which admits the load balancer only.
fn security_groups(cx: &mut Context<'_>, a: &Alb, vpc: &Expr) {
    let p = &a.prefix;
    let (lb_sg, target_sg) = (
        p.id(Part::LoadBalancerSecurityGroup),
        p.id(Part::TargetSecurityGroup),
    );
    let (name, target) = (a.name.as_str(), a.target.as_str());
    // The load balancer's group: HTTPS (and HTTP, which only redirects) from
    // the allow-list. Its one outbound rule, to the targets, is a separate
    // resource: inline, the two groups would refer to each other (a cycle).
    let mut ingress = Vec::new();
    for net in &a.allow {
        let cidr = format!("{}/{}", net.addr, net.bits);
        let rules = [
            (443, format!("HTTPS from {cidr}")),
            (80, format!("HTTP from {cidr}, redirected to HTTPS")),
        ];
        for (port, description) in rules {
            ingress.push(CidrRule {
                ip_protocol: "tcp",
                from_port: port,
                to_port: port,
                cidr_ip: cidr.clone(),
                description,
            });
        }
    }
    let mut lb_group = Resource::new(SecurityGroup {
        group_description: format!("Load balancer of [alb.{name}] (topoform)"),
        vpc_id: vpc.clone(),
        security_group_ingress: ingress,
        security_group_egress: vec![no_traffic()],
        tags: tags(cx, a, "-lb"),
    })
    .skip_rule("SECURITY_GROUP_EGRESS_PORT_RANGE_RULE", NO_TRAFFIC_REASON);
    if a.allow.iter().any(|net| net.bits == 0) {
        lb_group = lb_group
            .skip_check(
                "CKV_AWS_260",
                "Port 80 only answers a 301 redirect to HTTPS: the HTTP listener forwards nothing.",
            )
            .skip_rule(
                "EC2_SECURITY_GROUP_INGRESS_OPEN_TO_WORLD_RULE",
                "An internet-facing load balancer whose allow list is the whole internet, as the topology says; 443 and a redirecting 80 only.",
            );
    }
    if a.allow.iter().any(|net| net.bits != 32) {
        lb_group = lb_group.skip_rule(
            "SECURITY_GROUP_INGRESS_CIDR_NON_32_RULE",
            "The topology's allow list is networks (CIDRs), by design; 443 and a redirecting 80 only.",
        );
    }
    cx.add(&lb_sg, lb_group);
    cx.add(
        &p.id(Part::LoadBalancerEgress),
        Resource::new(SecurityGroupEgress {
            group_id: group_id(&lb_sg),
            ip_protocol: "tcp",
            from_port: a.port,
            to_port: a.port,
            destination_security_group_id: group_id(&target_sg),
            description: format!("To [instance.{target}] on port {}", a.port),
        }),
    );

    // The targets' group, added to the instance's launch template next to the
    // user's own groups: it admits the load balancer and nothing else, and
    // opens no outbound traffic, so the user's groups keep deciding that.
    let target_group = Resource::new(SecurityGroup {
        group_description: format!("Traffic from [alb.{name}] to [instance.{target}] (topoform)"),
        vpc_id: vpc.clone(),
        security_group_ingress: Vec::new(),
        security_group_egress: vec![no_traffic()],
        tags: tags(cx, a, "-targets"),
    })
    .skip_rule("SECURITY_GROUP_EGRESS_PORT_RANGE_RULE", NO_TRAFFIC_REASON);
    cx.add(&target_sg, target_group);
    cx.add(
        &p.id(Part::TargetIngress),
        Resource::new(SecurityGroupIngress {
            group_id: group_id(&target_sg),
            ip_protocol: "tcp",
            from_port: a.port,
            to_port: a.port,
            source_security_group_id: group_id(&lb_sg),
            description: format!("From [alb.{name}] on port {}", a.port),
        }),
    );
}

fn load_balancer(cx: &mut Context<'_>, a: &Alb) {
    let resource = Resource::new(LoadBalancer {
        kind: "application",
        scheme: "internet-facing",
        ip_address_type: "ipv4",
        subnets: a.subnets.clone(),
        security_groups: vec![group_id(&a.prefix.id(Part::LoadBalancerSecurityGroup))],
        // Headers that are not valid HTTP never reach the instance.
        load_balancer_attributes: vec![Attribute {
            key: "routing.http.drop_invalid_header_fields.enabled",
            value: "true".into(),
        }],
        tags: tags(cx, a, ""),
    })
    .skip_check("CKV_AWS_91", ACCESS_LOGS_REASON)
    .skip_rule("ELBV2_ACCESS_LOGGING_RULE", ACCESS_LOGS_REASON);
    cx.add(&a.prefix.id(Part::LoadBalancer), resource);
    cx.output(
        &a.prefix.id(Part::DnsName),
        format!("[alb.{}]: the load balancer's DNS name", a.name.as_str()),
        Expr::GetAtt(a.prefix.id(Part::LoadBalancer), "DNSName".into()),
        true,
    );
}

fn target_group(cx: &mut Context<'_>, a: &Alb, vpc: &Expr) {
    let resource = Resource::new(TargetGroup {
        target_type: "instance",
        port: a.port,
        // Inside the VPC, between the load balancer and the instance: TLS
        // ends at the load balancer.
        protocol: "HTTP",
        vpc_id: vpc.clone(),
        health_check_enabled: true,
        health_check_protocol: "HTTP",
        health_check_path: a.health_path.clone(),
        health_check_interval_seconds: 15,
        health_check_timeout_seconds: 5,
        healthy_threshold_count: 2,
        unhealthy_threshold_count: 3,
        matcher: Matcher {
            http_code: "200-399",
        },
        // One instance: a short drain is enough, and a replaced instance
        // leaves the target group quickly.
        target_group_attributes: vec![Attribute {
            key: "deregistration_delay.timeout_seconds",
            value: "30".into(),
        }],
        tags: tags(cx, a, ""),
    });
    cx.add(&a.prefix.id(Part::TargetGroup), resource);
}

/// HTTPS forwards to the target group; HTTP only redirects to HTTPS.
fn listeners(cx: &mut Context<'_>, a: &Alb) {
    let p = &a.prefix;
    let lb = p.id(Part::LoadBalancer);
    let https = Listener {
        load_balancer_arn: Expr::Ref(lb.clone()),
        port: 443,
        protocol: "HTTPS",
        ssl_policy: Some(SSL_POLICY),
        certificates: vec![ListenerCertificate {
            certificate_arn: a.certificate.clone(),
        }],
        default_actions: vec![Action {
            kind: "forward",
            target_group_arn: Some(Expr::Ref(p.id(Part::TargetGroup))),
            redirect_config: None,
        }],
    };
    cx.add(&p.id(Part::HttpsListener), Resource::new(https));
    let http = Listener {
        load_balancer_arn: Expr::Ref(lb),
        port: 80,
        protocol: "HTTP",
        ssl_policy: None,
        certificates: Vec::new(),
        default_actions: vec![Action {
            kind: "redirect",
            target_group_arn: None,
            redirect_config: Some(RedirectConfig {
                protocol: "HTTPS",
                port: "443",
                status_code: "HTTP_301",
            }),
        }],
    };
    cx.add(
        &p.id(Part::HttpListener),
        Resource::new(http)
            .skip_rule("ELBV2_LISTENER_PROTOCOL_RULE", REDIRECT_REASON)
            .skip_rule("ELBV2_LISTENER_SSL_POLICY_RULE", REDIRECT_REASON),
    );
}

/// Why the load balancer has no access logs.
const ACCESS_LOGS_REASON: &str = "Access logs need an S3 bucket with the regional ELB log delivery policy, which the topology language does not describe yet; CloudWatch metrics and target health remain.";

/// Why the HTTP listener is neither HTTPS nor has a TLS policy.
const REDIRECT_REASON: &str =
    "Port 80 only answers a 301 redirect to HTTPS: the HTTP listener forwards nothing.";

/// Why the groups' one inline egress rule has an odd port range.
const NO_TRAFFIC_REASON: &str = "The placeholder rule that replaces the default allow-all egress (ICMP 252/86 to 255.255.255.255/32) matches no traffic.";

/// An outbound rule that matches no traffic. A security group with no
/// `SecurityGroupEgress` gets an allow-all rule; naming this one instead
/// leaves only the rules added on purpose (the AWS CDK uses the same rule).
fn no_traffic() -> CidrRule {
    CidrRule {
        ip_protocol: "icmp",
        from_port: 252,
        to_port: 86,
        cidr_ip: "255.255.255.255/32".into(),
        description: "Disallow all traffic".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::synth::fleet::tests::{SHOP, template};

    #[test]
    fn the_load_balancer_terminates_tls_and_redirects_http() {
        let t = template(SHOP);
        let r = &t["Resources"];
        let lb = &r["FrontLoadBalancer"]["Properties"];
        assert_eq!(lb["Scheme"], "internet-facing");
        assert_eq!(lb["Type"], "application");
        assert_eq!(lb["Subnets"].as_array().unwrap().len(), 2);
        assert!(lb["LoadBalancerAttributes"].as_array().unwrap().contains(
            &json!({"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"})
        ));
        let https = &r["FrontHttpsListener"]["Properties"];
        assert_eq!(https["Port"], 443);
        assert_eq!(https["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert_eq!(
            https["DefaultActions"],
            json!([{"Type": "forward", "TargetGroupArn": {"Ref": "FrontTargetGroup"}}])
        );
        let http = &r["FrontHttpListener"]["Properties"];
        assert_eq!(http["Port"], 80);
        assert_eq!(
            http["DefaultActions"][0]["RedirectConfig"],
            json!({"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"})
        );
        let tg = &r["FrontTargetGroup"]["Properties"];
        assert_eq!(tg["Port"], 8080);
        assert_eq!(tg["HealthCheckPath"], "/health");
        assert_eq!(tg["VpcId"], "vpc-0123456789abcdef0");
    }

    #[test]
    fn security_groups_admit_only_the_allow_list_and_the_load_balancer() {
        let t = template(SHOP);
        let r = &t["Resources"];
        let lb_sg = &r["FrontLoadBalancerSecurityGroup"]["Properties"];
        let ports: Vec<(u64, &str)> = lb_sg["SecurityGroupIngress"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["FromPort"].as_u64().unwrap(),
                    i["CidrIp"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(ports, [(443, "0.0.0.0/0"), (80, "0.0.0.0/0")]);
        // The inline egress rule matches nothing: the only way out is the
        // separate rule to the targets.
        assert_eq!(
            lb_sg["SecurityGroupEgress"][0]["CidrIp"],
            "255.255.255.255/32"
        );
        let egress = &r["FrontLoadBalancerEgress"]["Properties"];
        assert_eq!(
            egress["DestinationSecurityGroupId"],
            json!({"Fn::GetAtt": ["FrontTargetSecurityGroup", "GroupId"]})
        );
        assert_eq!(
            (egress["FromPort"].clone(), egress["ToPort"].clone()),
            (json!(8080), json!(8080))
        );
        let ingress = &r["FrontTargetIngress"]["Properties"];
        assert_eq!(
            ingress["SourceSecurityGroupId"],
            json!({"Fn::GetAtt": ["FrontLoadBalancerSecurityGroup", "GroupId"]})
        );
        assert_eq!(ingress["FromPort"], 8080);
        let target_sg = &r["FrontTargetSecurityGroup"]["Properties"];
        assert!(target_sg.get("SecurityGroupIngress").is_none());
        assert_eq!(
            target_sg["SecurityGroupEgress"][0]["CidrIp"],
            "255.255.255.255/32"
        );
    }

    #[test]
    fn the_instance_group_joins_the_target_group() {
        let t = template(SHOP);
        let r = &t["Resources"];
        let group = &r["WebGroup"]["Properties"];
        assert_eq!(
            group["TargetGroupARNs"],
            json!([{"Ref": "FrontTargetGroup"}])
        );
        assert_eq!(group["HealthCheckType"], "ELB");
        assert_eq!(
            r["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"]["NetworkInterfaces"][0]["Groups"],
            json!([
                "sg-04b4e7642a8fc6efe",
                {"Fn::GetAtt": ["FrontTargetSecurityGroup", "GroupId"]}
            ])
        );

        // Without a load balancer, the group is as before.
        let alone = &SHOP[..SHOP.find("[alb.front]").unwrap()];
        let t = template(alone);
        let group = &t["Resources"]["WebGroup"]["Properties"];
        assert!(group.get("TargetGroupARNs").is_none());
        assert_eq!(group["HealthCheckType"], "EC2");
    }
}
