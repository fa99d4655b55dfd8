//! A `[fleet]`: one launch template shared by every client, and per client
//! an IAM role that can read only that client's parameters (and write only
//! that client's record), its instance profile and a plain EC2 instance. With
//! `hours`, EventBridge Scheduler starts and stops the instances through its
//! universal EC2 targets: no Lambda.
//!
//! Why a role per client: every client boots the same user-data, so what
//! keeps client A from reading client B's parameters must be IAM itself, and
//! IAM cannot map a shared role's caller to its client: the credentials carry
//! no instance tags (`ec2:SourceInstanceARN` names the instance, not the
//! client), and the client tag is only a tag, which the instance could not
//! prove anyway. One role per client scopes each to `/FLEET/CLIENT/…`.

use std::collections::BTreeMap;

use crate::cfn::ec2::{
    BlockDeviceMapping, Ebs, Instance as Ec2Instance, LaunchTemplate, LaunchTemplateData,
    LaunchTemplateSpec, MetadataOptions, Monitoring, TagSpecification,
};
use crate::cfn::iam::{
    Condition, Effect, InlinePolicy, InstanceProfile, Policy, PolicyDocument, Role, Statement,
};
use crate::cfn::scheduler::{FlexibleTimeWindow, RetryPolicy, Schedule, ScheduleTarget};
use crate::cfn::{Expr, Pseudo, Resource, Tag, Template};
use crate::model::{Client, Fleet, Hours, Model, Target};
use crate::naming::{LogicalId, Part};
use crate::userdata::TAGS;

use super::add;
use super::compute::{arn_ec2, image, instance_role, upsert_statement};

/// The root device of the fleet's launch template.
const ROOT_DEVICE: &str = "/dev/xvda";

/// Adds a fleet's shared launch template, its clients' IAM and instances,
/// and its schedule to `t`. `script` is the fleet's user-data.
pub(super) fn fleet(t: &mut Template, model: &Model, f: &Fleet, script: &str, stack_tags: &[Tag]) {
    let name = f.name.as_str();
    let display = format!("{}-{name}", model.stack.name);
    let with_name = |name: String| {
        std::iter::once(Tag::new("Name", name))
            .chain(stack_tags.iter().cloned())
            .collect::<Vec<_>>()
    };

    let lt = f.prefix.id(Part::LaunchTemplate);
    let image = image(t, &f.prefix, &f.ami, &format!("[fleet.{name}]"));
    add(
        t,
        &lt,
        Resource::new(LaunchTemplate {
            launch_template_data: LaunchTemplateData {
                image_id: image,
                instance_type: f.instance_type.clone(),
                iam_instance_profile: None,
                metadata_options: MetadataOptions::imdsv2_with_tags(),
                monitoring: Monitoring { enabled: true },
                network_interfaces: Vec::new(),
                security_group_ids: f.security_groups.clone(),
                block_device_mappings: vec![BlockDeviceMapping {
                    device_name: ROOT_DEVICE.into(),
                    ebs: Ebs {
                        volume_type: "gp3",
                        volume_size: None,
                        encrypted: true,
                        delete_on_termination: true,
                    },
                }],
                // Instances are tagged by their own resource (one name per
                // client); the template names their volumes.
                tag_specifications: vec![TagSpecification {
                    resource_type: "volume",
                    tags: with_name(display.clone()),
                }],
                user_data: Expr::Base64(Box::new(Expr::str(script))),
            },
        }),
    );

    let mut instances = Vec::new();
    for c in &f.clients {
        instances.push(client(t, model, f, c, &lt, &with_name));
    }
    if let Some(h) = &f.hours {
        schedule(t, f, h, &instances, &with_name(display));
    }
}

/// Adds one client's role, policy, profile and instance; returns the
/// instance's logical ID.
fn client(
    t: &mut Template,
    model: &Model,
    f: &Fleet,
    c: &Client,
    lt: &LogicalId,
    with_name: &dyn Fn(String) -> Vec<Tag>,
) -> LogicalId {
    let p = &c.prefix;
    let (role, policy, profile, instance) = (
        p.id(Part::Role),
        p.id(Part::Policy),
        p.id(Part::InstanceProfile),
        p.id(Part::Instance),
    );
    let what = format!("client {} of [fleet.{}]", c.id, f.name.as_str());
    let display = format!("{}-{}-{}", model.stack.name, f.name.as_str(), c.id);

    add(
        t,
        &role,
        Resource::new(instance_role(
            format!("Instance role of {what} (topoform)"),
            with_name(display.clone()),
        )),
    );
    let statements = client_statements(model, f, c);
    let has_policy = !statements.is_empty();
    if has_policy {
        add(
            t,
            &policy,
            Resource::new(Policy {
                policy_name: format!("topoform-{}-{}", f.name.as_str(), c.id),
                policy_document: PolicyDocument::new(statements),
                roles: vec![Expr::Ref(role.clone())],
            }),
        );
    }
    add(
        t,
        &profile,
        Resource::new(InstanceProfile {
            roles: vec![Expr::Ref(role)],
        }),
    );

    // What the user-data reads through IMDS, and what backups and tasks
    // select the fleet's instances by.
    let mut tags = with_name(display);
    tags.push(Tag::new(f.tag.as_str(), c.id.as_str()));
    tags.push(super::target_tag(model, &Target::Fleet(f.name.clone())));
    if let (Some(zone_id), Some(record)) = (&f.dns_zone_id, &c.record) {
        tags.push(Tag::new(TAGS.dns_zone_id, zone_id.as_str()));
        tags.push(Tag::new(TAGS.dns_record, record.as_str()));
        tags.push(Tag::new(TAGS.dns_ip, "private"));
    }
    tags.sort_by(|a, b| a.key.cmp(&b.key));

    let mut resource = Resource::new(Ec2Instance {
        launch_template: LaunchTemplateSpec {
            launch_template_id: Expr::Ref(lt.clone()),
            version: Expr::GetAtt(lt.clone(), "LatestVersionNumber"),
        },
        subnet_id: c.subnet.clone(),
        iam_instance_profile: Expr::Ref(profile),
        tags,
    });
    // IAM is eventually consistent: boot only once the policy is attached,
    // or the first-boot reads fail.
    if has_policy {
        resource = resource.depends_on(&policy);
    }
    add(t, &instance, resource);
    instance
}

/// The client role's own statements: exactly the calls its script makes.
fn client_statements(model: &Model, f: &Fleet, c: &Client) -> Vec<Statement> {
    let mut out = Vec::new();
    // Only when the script reads them: without a bootstrap command nothing
    // does. SecureString values under the AWS managed key aws/ssm need no
    // kms statement: that key's policy lets Parameter Store decrypt for any
    // principal of the account allowed to read the parameter. A customer
    // managed key would need kms:Decrypt on it.
    if f.bootstrap.is_some() && !f.parameters.is_empty() {
        out.push(Statement {
            sid: "ReadOwnParameters".into(),
            effect: Effect::Allow,
            principal: None,
            action: vec!["ssm:GetParameter"],
            resource: f
                .parameters
                .iter()
                .map(|param| {
                    Expr::sub()
                        .lit("arn:")
                        .pseudo(Pseudo::Partition)
                        .lit(":ssm:")
                        .pseudo(Pseudo::Region)
                        .lit(":")
                        .pseudo(Pseudo::AccountId)
                        .lit(&format!(":parameter/{}/{}/{param}", f.name.as_str(), c.id))
                        .build()
                })
                .collect(),
            condition: BTreeMap::new(),
        });
    }
    if let (Some(zone_id), Some(record)) = (&f.dns_zone_id, &c.record) {
        out.push(upsert_statement(model, zone_id, &[record.as_str()]));
    }
    out
}

/// Adds the start and stop schedules and the role they act with.
fn schedule(t: &mut Template, f: &Fleet, h: &Hours, instances: &[LogicalId], tags: &[Tag]) {
    let name = f.name.as_str();
    let role = f.prefix.id(Part::SchedulerRole);
    let mut condition = Condition::new();
    condition
        .entry("StringEquals")
        .or_default()
        .insert("aws:SourceAccount", vec![Expr::Pseudo(Pseudo::AccountId)]);
    add(
        t,
        &role,
        Resource::new(Role {
            description: format!("Starts and stops the instances of [fleet.{name}] (topoform)"),
            assume_role_policy_document: PolicyDocument::new(vec![Statement::assumed_by(
                "SchedulerAssumesRole",
                "scheduler.amazonaws.com",
                condition,
            )]),
            managed_policy_arns: Vec::new(),
            // Volumes are encrypted with the account's default EBS key. Were
            // that a customer managed key, starting would also need
            // kms:CreateGrant on it.
            policies: vec![InlinePolicy {
                policy_name: format!("topoform-{name}-schedule"),
                policy_document: PolicyDocument::new(vec![Statement {
                    sid: "StartStopFleetInstances".into(),
                    effect: Effect::Allow,
                    principal: None,
                    action: vec!["ec2:StartInstances", "ec2:StopInstances"],
                    resource: instances
                        .iter()
                        .map(|i| arn_ec2().lit("instance/").reference(i).build())
                        .collect(),
                    condition: BTreeMap::new(),
                }]),
            }],
            tags: tags.to_vec(),
        }),
    );

    // {"InstanceIds":["${AInstance}",...]}: instance ids need no JSON escaping.
    let mut input = Expr::sub().lit(r#"{"InstanceIds":["#);
    for (n, i) in instances.iter().enumerate() {
        input = input
            .lit(if n == 0 { "\"" } else { ",\"" })
            .reference(i)
            .lit("\"");
    }
    let input = input.lit("]}").build();

    for (part, verb, action, (hour, minute)) in [
        (Part::Start, "Starts", "startInstances", h.start),
        (Part::Stop, "Stops", "stopInstances", h.stop),
    ] {
        add(
            t,
            &f.prefix.id(part),
            Resource::new(Schedule {
                description: format!(
                    "{verb} the instances of [fleet.{name}] at {hour:02}:{minute:02} {} {} (topoform)",
                    h.named_days(),
                    h.timezone
                ),
                schedule_expression: format!("cron({minute} {hour} ? * {} *)", h.named_days()),
                schedule_expression_timezone: h.timezone.clone(),
                flexible_time_window: FlexibleTimeWindow { mode: "OFF" },
                state: "ENABLED",
                target: ScheduleTarget {
                    arn: Expr::sub()
                        .lit("arn:")
                        .pseudo(Pseudo::Partition)
                        .lit(&format!(":scheduler:::aws-sdk:ec2:{action}"))
                        .build(),
                    role_arn: Expr::GetAtt(role.clone(), "Arn"),
                    input: input.clone(),
                    // A start or stop that is an hour late is no longer
                    // wanted: the next one may be due.
                    retry_policy: RetryPolicy {
                        maximum_event_age_in_seconds: 3600,
                        maximum_retry_attempts: 10,
                    },
                },
            }),
        );
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use crate::model::{
        Alb, Ami, Client, Eip, Fleet, Hours, Instance, Ipv4Net, Model, Name, Stack, Zone,
    };
    use crate::naming::Prefix;

    fn name(s: &str) -> Name {
        Name(s.into())
    }

    fn prefix(s: &str) -> Prefix {
        Prefix::of(s).unwrap()
    }

    /// A stack with an instance behind a load balancer and a three-client
    /// fleet with parameters, private DNS and business hours.
    pub(in crate::synth) fn model() -> Model {
        let zones = [
            ("internal", "Z0INTERNAL1", "corp.internal", true),
            ("public", "Z2BEP1Z1Q3YA66", "example.com", false),
        ]
        .into_iter()
        .map(|(n, id, domain, private)| {
            (
                name(n),
                Zone {
                    id: id.into(),
                    domain: domain.into(),
                    private,
                },
            )
        })
        .collect();
        let web = Instance {
            name: name("web"),
            prefix: prefix("web"),
            ami: Ami::Ssm(
                "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64".into(),
            ),
            instance_type: "t3.small".into(),
            subnets: vec!["subnet-0a1b2c3d4e5f60718".into()],
            security_groups: vec!["sg-04b4e7642a8fc6efe".into()],
            eip: Eip::None,
            hours: None,
            dns: None,
            owned_primary: None,
            collects_metrics: false,
            albs: vec![name("front")],
            volume_gb: None,
            root_device: "/dev/xvda".into(),
            setup: None,
        };
        let front = Alb {
            name: name("front"),
            prefix: prefix("front"),
            vpc: "vpc-0123456789abcdef0".into(),
            subnets: vec![
                "subnet-0a1b2c3d4e5f60718".into(),
                "subnet-0b1b2c3d4e5f60718".into(),
            ],
            certificate: "arn:aws:acm:ap-northeast-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f".into(),
            target: name("web"),
            port: 8080,
            health_path: "/health".into(),
            allow: vec![Ipv4Net {
                addr: [0, 0, 0, 0].into(),
                bits: 0,
            }],
        };
        let subnets = ["subnet-0c1b2c3d4e5f60718", "subnet-0d1b2c3d4e5f60718"];
        let clients = ["acme", "globex", "initech"]
            .iter()
            .enumerate()
            .map(|(n, id)| Client {
                id: (*id).into(),
                prefix: prefix(&format!("app-{id}")),
                subnet: subnets[n % 2].into(),
                record: Some(format!("{id}.corp.internal")),
            })
            .collect();
        let app = Fleet {
            name: name("app"),
            prefix: prefix("app"),
            ami: Ami::Id("ami-0064e711cbc7a825e".into()),
            instance_type: "t3.micro".into(),
            subnets: subnets.iter().map(|s| (*s).to_string()).collect(),
            security_groups: vec!["sg-0a4b4e7642a8fc6ef".into()],
            clients,
            tag: "ClientId".into(),
            dns_zone_id: Some("Z0INTERNAL1".into()),
            parameters: vec!["DB_PASSWORD".into(), "API_KEY".into()],
            bootstrap: Some(vec![
                "/home/hoge/scripts/bootstrap.sh".into(),
                "--all".into(),
            ]),
            hours: Some(Hours {
                days: vec![(1, 5)],
                start: (9, 0),
                stop: (19, 30),
                timezone: "Asia/Tokyo".into(),
            }),
        };
        Model {
            stack: Stack {
                name: "shop".into(),
                region: "ap-northeast-1".into(),
                description: None,
                tags: BTreeMap::from([("team".into(), "web".into())]),
                notify: None,
            },
            zones,
            instances: BTreeMap::from([(name("web"), web)]),
            failovers: BTreeMap::new(),
            sorries: BTreeMap::new(),
            albs: BTreeMap::from([(name("front"), front)]),
            fleets: BTreeMap::from([(name("app"), app)]),
            backups: BTreeMap::new(),
            tasks: BTreeMap::new(),
            origins: crate::model::Origins::default(),
        }
    }

    /// The main template of `model`, as JSON.
    pub(in crate::synth) fn template(model: &Model) -> Value {
        let artifacts = crate::synth::synth(model);
        serde_json::to_value(&artifacts.templates[&format!("{}.template.json", model.stack.name)])
            .unwrap()
    }

    fn sub(v: &Value) -> &str {
        v["Fn::Sub"].as_str().unwrap()
    }

    #[test]
    fn each_client_reads_exactly_its_own_parameters_and_record() {
        let t = template(&model());
        let r = &t["Resources"];
        for (client, other) in [
            ("Acme", "globex"),
            ("Globex", "initech"),
            ("Initech", "acme"),
        ] {
            let policy = &r[format!("App{client}Policy")]["Properties"];
            assert_eq!(
                policy["Roles"],
                json!([{"Ref": format!("App{client}Role")}])
            );
            let statements = policy["PolicyDocument"]["Statement"].as_array().unwrap();
            assert_eq!(statements.len(), 2, "{statements:?}");
            let ssm = &statements[0];
            assert_eq!(ssm["Action"], json!(["ssm:GetParameter"]));
            let id = client.to_ascii_lowercase();
            let arns: Vec<&str> = ssm["Resource"]
                .as_array()
                .unwrap()
                .iter()
                .map(sub)
                .collect();
            assert_eq!(
                arns,
                ["DB_PASSWORD", "API_KEY"].map(|p| format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/app/{id}/{p}"
                ))
            );
            let route53 = &statements[1];
            assert_eq!(
                route53["Action"],
                json!(["route53:ChangeResourceRecordSets"])
            );
            let all = &route53["Condition"]["ForAllValues:StringEquals"];
            assert_eq!(
                all["route53:ChangeResourceRecordSetsNormalizedRecordNames"],
                json!([format!("{id}.corp.internal")])
            );
            assert_eq!(
                all["route53:ChangeResourceRecordSetsRecordTypes"],
                json!(["A"])
            );
            assert_eq!(
                all["route53:ChangeResourceRecordSetsActions"],
                json!(["UPSERT"])
            );
            assert!(
                !policy.to_string().contains(other),
                "{client} mentions {other}"
            );
        }
    }

    #[test]
    fn client_instances_share_the_launch_template_and_carry_their_tags() {
        let t = template(&model());
        let r = &t["Resources"];
        let lt = &r["AppLaunchTemplate"]["Properties"]["LaunchTemplateData"];
        assert_eq!(lt["MetadataOptions"]["HttpTokens"], "required");
        assert_eq!(lt["MetadataOptions"]["InstanceMetadataTags"], "enabled");
        assert_eq!(lt["BlockDeviceMappings"][0]["Ebs"]["Encrypted"], true);
        assert!(lt.get("IamInstanceProfile").is_none());
        let script = crate::userdata::fleet_script(&model().fleets[&name("app")]);
        assert_eq!(lt["UserData"]["Fn::Base64"], script.as_str());

        let acme = &r["AppAcmeInstance"];
        assert_eq!(acme["DependsOn"], json!(["AppAcmePolicy"]));
        let p = &acme["Properties"];
        assert_eq!(
            p["LaunchTemplate"]["LaunchTemplateId"],
            json!({"Ref": "AppLaunchTemplate"})
        );
        assert_eq!(
            p["IamInstanceProfile"],
            json!({"Ref": "AppAcmeInstanceProfile"})
        );
        assert_eq!(p["SubnetId"], "subnet-0c1b2c3d4e5f60718");
        assert_eq!(
            r["AppGlobexInstance"]["Properties"]["SubnetId"],
            "subnet-0d1b2c3d4e5f60718"
        );
        let tags: BTreeMap<&str, &str> = p["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
            .collect();
        assert_eq!(
            tags,
            BTreeMap::from([
                ("ClientId", "acme"),
                ("Name", "shop-app-acme"),
                ("team", "web"),
                ("topoform:dns-ip", "private"),
                ("topoform:dns-record", "acme.corp.internal"),
                ("topoform:dns-zone-id", "Z0INTERNAL1"),
                ("topoform:fleet", "shop-app"),
            ])
        );
    }

    #[test]
    fn the_schedule_starts_and_stops_exactly_the_fleet() {
        let t = template(&model());
        let r = &t["Resources"];
        let input = r#"{"InstanceIds":["${AppAcmeInstance}","${AppGlobexInstance}","${AppInitechInstance}"]}"#;
        for (id, expression, action) in [
            (
                "AppStartAction",
                "cron(0 9 ? * MON-FRI *)",
                "startInstances",
            ),
            (
                "AppStopAction",
                "cron(30 19 ? * MON-FRI *)",
                "stopInstances",
            ),
        ] {
            let p = &r[id]["Properties"];
            assert_eq!(r[id]["Type"], "AWS::Scheduler::Schedule");
            assert_eq!(p["ScheduleExpression"], expression);
            assert_eq!(p["ScheduleExpressionTimezone"], "Asia/Tokyo");
            assert_eq!(p["FlexibleTimeWindow"]["Mode"], "OFF");
            assert_eq!(
                sub(&p["Target"]["Arn"]),
                format!("arn:${{AWS::Partition}}:scheduler:::aws-sdk:ec2:{action}")
            );
            assert_eq!(sub(&p["Target"]["Input"]), input);
            assert_eq!(
                p["Target"]["RoleArn"],
                json!({"Fn::GetAtt": ["AppSchedulerRole", "Arn"]})
            );
        }
        let role = &r["AppSchedulerRole"]["Properties"];
        let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(
            trust["Principal"],
            json!({"Service": "scheduler.amazonaws.com"})
        );
        assert_eq!(
            trust["Condition"]["StringEquals"]["aws:SourceAccount"],
            json!([{"Ref": "AWS::AccountId"}])
        );
        let allow = &role["Policies"][0]["PolicyDocument"]["Statement"][0];
        assert_eq!(
            allow["Action"],
            json!(["ec2:StartInstances", "ec2:StopInstances"])
        );
        let arns: Vec<&str> = allow["Resource"]
            .as_array()
            .unwrap()
            .iter()
            .map(sub)
            .collect();
        assert_eq!(
            arns,
            ["Acme", "Globex", "Initech"].map(|c| format!(
                "arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:instance/${{App{c}Instance}}"
            ))
        );
    }

    #[test]
    fn without_bootstrap_dns_or_hours_a_client_has_no_policy() {
        let mut m = model();
        let f = m.fleets.get_mut(&name("app")).unwrap();
        f.bootstrap = None;
        f.dns_zone_id = None;
        f.hours = None;
        for c in &mut f.clients {
            c.record = None;
        }
        let t = template(&m);
        let r = t["Resources"].as_object().unwrap();
        assert!(!r.contains_key("AppAcmePolicy"));
        assert!(!r.contains_key("AppSchedulerRole"));
        assert!(!r.contains_key("AppStartAction"));
        assert!(r["AppAcmeInstance"].get("DependsOn").is_none());
        let script = crate::userdata::fleet_script(&m.fleets[&name("app")]);
        assert!(!script.contains("get-parameter"), "{script}");
        assert!(!script.contains("register_dns"), "{script}");
        assert!(!script.contains("run_bootstrap"), "{script}");
    }

    #[test]
    fn the_script_reads_the_parameters_and_quotes_the_bootstrap_words() {
        let mut f = model().fleets[&name("app")].clone();
        let script = crate::userdata::fleet_script(&f);
        assert!(
            script.contains("readonly PARAMETERS=(DB_PASSWORD API_KEY)\n"),
            "{script}"
        );
        assert!(script.contains(r#"--name "/$NAME/$CLIENT/$1" --with-decryption"#));
        assert!(script.contains("readonly BOOTSTRAP=(/home/hoge/scripts/bootstrap.sh --all)\n"));
        assert!(script.contains("CLIENT=$(required_tag ClientId '^[a-z0-9-]+$')"));
        assert!(script.contains("  register_dns\n  run_bootstrap\n"));
        f.bootstrap = Some(vec!["run".into(), "it's $(here)".into()]);
        let script = crate::userdata::fleet_script(&f);
        assert!(
            script.contains(r"readonly BOOTSTRAP=(run 'it'\''s $(here)')"),
            "{script}"
        );
    }
}
