//! The Rust builder as a vendoring repository uses it: diagnostics located
//! at the caller's line of Rust, mistakes caught where a block is added, the
//! escape hatch, and the testing assertions.

use topoform::FilesIn;
use topoform::builder::{Failover, Instance, Sorry, Topology, Zone};
use topoform::testing::{Synthesized, json};

fn files() -> FilesIn {
    FilesIn(".".into())
}

fn instance() -> Instance {
    Instance::new(
        "ami-0123456789abcdef0",
        "t3.small",
        ["subnet-0123456789abcdef0"],
        ["sg-0123456789abcdef0"],
    )
}

const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f";

#[test]
fn a_bad_value_is_located_at_the_line_of_rust_that_wrote_it() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    let (subnets, groups) = (["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"]);
    let line = line!() + 1;
    let body = Instance::new("ami-nope", "t3.small", subnets, groups);
    topo.instance("web", body);
    let errors = topo.compile(&files()).into_result().unwrap_err();
    let d = &errors.diagnostics[0];
    assert_eq!(d.code.as_str(), "invalid-id", "{errors}");
    let origin = d.primary.span.origin.expect("a builder location");
    assert_eq!((origin.file(), origin.line()), (file!(), line));
    // `Display`, for `?`: the location is in the one line.
    assert!(
        errors
            .to_string()
            .contains(&format!("(at {}:{line}:", file!())),
        "{errors}"
    );
    // rustc-style rendering points at the Rust, with no TOML in sight.
    let rendered =
        topoform::diag::render(&errors.diagnostics, &topoform::SourceFile::new("infra", ""));
    assert!(
        rendered.contains(&format!(" --> {}:{line}:", file!())),
        "{rendered}"
    );
}

#[test]
fn a_duplicate_name_is_refused_where_it_is_added() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    let first = line!() + 1;
    topo.instance("web", instance());
    let second = line!() + 1;
    topo.instance("web", instance().volume_gb(20));
    let errors = topo.compile(&files()).into_result().unwrap_err();
    let dup: Vec<_> = errors
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "duplicate-block")
        .collect();
    assert_eq!(dup.len(), 1, "{errors}");
    assert_eq!(dup[0].primary.span.origin.unwrap().line(), second);
    let also = dup[0].secondary.as_ref().expect("the first block");
    assert_eq!(also.span.origin.unwrap().line(), first);
}

#[test]
fn a_handle_of_another_topology_is_refused_where_it_is_used() {
    let mut other = Topology::new("other", "ap-northeast-1");
    let zone = other.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
    let mut topo = Topology::new("web", "ap-northeast-1");
    let web = topo.instance("web", instance());
    let closed = topo.sorry("closed", Sorry::new(CERT));
    let line = line!() + 1;
    topo.failover(
        "web",
        Failover::new("www.example.com", &zone, &web, &closed),
    );
    let errors = topo.compile(&files()).into_result().unwrap_err();
    let codes: Vec<&str> = errors
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.as_str())
        .collect();
    // Only the real problem: no dangling reference on top of it.
    assert_eq!(codes, ["foreign-handle"], "{errors}");
    assert_eq!(
        errors.diagnostics[0].primary.span.origin.unwrap().line(),
        line
    );
}

#[test]
fn an_override_is_written_listed_in_metadata_and_planned() {
    let build = |limit: Option<u32>| {
        let mut topo = Topology::new("web", "ap-northeast-1");
        let web = topo.instance("web", instance());
        if let Some(limit) = limit {
            topo.override_property(
                &web,
                "AWS::EC2::LaunchTemplate",
                "LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit",
                limit,
            );
        }
        topo
    };
    let synth = Synthesized::from_builder(build(Some(2)), &files()).unwrap();
    synth.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        &json!({"LaunchTemplateData": {"MetadataOptions": {"HttpPutResponseHopLimit": 2, "HttpTokens": "required"}}}),
    );
    let lt = &synth.resources_of_type("AWS::EC2::LaunchTemplate")[0];
    assert_eq!(
        lt.definition["Metadata"]["topoform"]["overrides"],
        json!(["LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit"])
    );
    // The plan of adding the override over the output without it.
    let golden = build(None).compile(&files()).into_result().unwrap();
    let (c, plan) = build(Some(2)).plan(&files(), &golden);
    assert!(c.output.is_some());
    let text = plan.expect("a plan").text(false);
    // A launch template change rolls the group: the plan says so before
    // the deploy does it.
    assert!(
        text.contains("~ WebLaunchTemplate (AWS::EC2::LaunchTemplate): update in place"),
        "{text}"
    );
    assert!(text.contains("-/+ WebGroup"), "{text}");
}

#[test]
fn an_override_that_cannot_apply_is_an_error_at_its_call() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    let web = topo.instance("web", instance());
    let no_type = line!() + 1;
    topo.override_property(&web, "AWS::S3::Bucket", "BucketName", "x");
    let bad_path = line!() + 1;
    topo.override_property(&web, "AWS::EC2::EIP", "Tags..Key", "x");
    let misspelt = line!() + 1;
    topo.override_property(&web, "AWS::EC2::LaunchTemplate", "LaunchTemplateDat.X", 1);
    let into_string = line!() + 1;
    topo.override_property(
        &web,
        "AWS::AutoScaling::AutoScalingGroup",
        "MinSize.Nested",
        1,
    );
    let errors = topo.compile(&files()).into_result().unwrap_err();
    let lines: Vec<(u32, &str)> = errors
        .diagnostics
        .iter()
        .map(|d| (d.primary.span.origin.unwrap().line(), d.code.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (no_type, "invalid-override"),
            (bad_path, "invalid-override"),
            (misspelt, "invalid-override"),
            (into_string, "invalid-override")
        ],
        "{errors}"
    );
    let typo_help = errors.diagnostics[2].help.as_deref().unwrap();
    assert_eq!(typo_help, "did you mean `LaunchTemplateData`?");
    assert!(
        errors.diagnostics[0]
            .help
            .as_deref()
            .unwrap()
            .contains("AWS::EC2::LaunchTemplate")
    );
}

#[test]
fn the_testing_api_finds_a_blocks_resources_without_internals() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    let web = topo.instance("web", instance());
    let db = topo.instance("db", instance());
    let synth = Synthesized::from_builder(topo, &files()).unwrap();
    synth.resource_count_is("AWS::AutoScaling::AutoScalingGroup", 2);
    let ids = synth.logical_ids(&web);
    assert!(
        ids.contains(&"WebGroup") && !ids.contains(&"DbGroup"),
        "{ids:?}"
    );
    assert!(synth.logical_ids(&db).contains(&"DbGroup"));
    assert_eq!(
        synth.resource("WebEip").unwrap().block,
        Some("instance.web")
    );
    assert!(
        synth
            .find_resources("AWS::EC2::EIP", &json!({"Domain": "vpc"}))
            .len()
            == 2
    );
}

#[test]
#[should_panic(expected = "expected 3 AWS::AutoScaling::AutoScalingGroup, found 1")]
fn a_failed_count_says_what_it_found() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    topo.instance("web", instance());
    Synthesized::from_builder(topo, &files())
        .unwrap()
        .resource_count_is("AWS::AutoScaling::AutoScalingGroup", 3);
}

#[test]
fn hints_name_builder_methods_not_toml_keys() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    topo.instance("web", instance());
    topo.sorry("closed", Sorry::new(CERT));
    let errors = topo.compile(&files()).into_result().unwrap_err();
    let unused = errors
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "unused-block")
        .expect("an unused sorry site");
    let help = unused.help.as_deref().unwrap();
    assert!(help.contains("`Failover::new`"), "{help}");
    assert!(!help.contains("`secondary`"), "{help}");
}

#[test]
fn a_handle_of_another_topology_with_the_same_name_is_refused_too() {
    // Production and staging built by one function: same block names.
    let build = || {
        let mut topo = Topology::new("web", "ap-northeast-1");
        let zone = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
        let web = topo.instance("web", instance());
        let closed = topo.sorry("closed", Sorry::new(CERT));
        (topo, zone, web, closed)
    };
    let (_prod, prod_zone, _, _) = build();
    let (mut staging, _, web, closed) = build();
    let line = line!() + 1;
    staging.failover(
        "web",
        Failover::new("www.example.com", &prod_zone, &web, &closed),
    );
    let errors = staging.compile(&files()).into_result().unwrap_err();
    let foreign: Vec<_> = errors
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "foreign-handle")
        .collect();
    assert_eq!(foreign.len(), 1, "{errors}");
    assert_eq!(foreign[0].primary.span.origin.unwrap().line(), line);
    // "the handle was given here": the Failover::new call, not topoform's code.
    let given = foreign[0].secondary.as_ref().unwrap().span.origin.unwrap();
    assert_eq!(given.file(), file!());
}

#[test]
fn an_override_value_may_not_hold_an_intrinsic_function() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    let web = topo.instance("web", instance());
    topo.override_property(
        &web,
        "AWS::EC2::LaunchTemplate",
        "LaunchTemplateData.InstanceType",
        json!({"Fn::If": ["Big", "t3.large", "t3.small"]}),
    );
    topo.remove_property(
        &web,
        "AWS::AutoScaling::AutoScalingGroup",
        "LaunchTemplate.LaunchTemplateId.Ref",
    );
    let errors = topo.compile(&files()).into_result().unwrap_err();
    let messages: Vec<&str> = errors
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{errors}");
    assert!(messages[0].contains("`Fn::If`"), "{errors}");
    assert!(messages[1].contains("intrinsic function"), "{errors}");
}

#[test]
fn compile_over_keeps_each_client_in_its_nested_stack() {
    // Enough clients to split, then one more whose name sorts first.
    let build = |extra: bool| {
        let mut topo = Topology::new("fleet", "ap-northeast-1");
        let mut ids: Vec<String> = (0..200).map(|i| format!("c{i:03}")).collect();
        if extra {
            ids.push("a000".to_string());
        }
        topo.fleet(
            "app",
            topoform::builder::Fleet::new(
                "ami-0123456789abcdef0",
                "t3.micro",
                ["subnet-0123456789abcdef0"],
                ["sg-0123456789abcdef0"],
                topoform::builder::Clients::ids(ids),
            ),
        );
        topo
    };
    let before = build(false).compile(&files()).into_result().unwrap();
    assert!(
        before.keys().any(|p| p.starts_with("nested/")),
        "200 clients split"
    );
    let after = build(true)
        .compile_over(&files(), &before)
        .into_result()
        .unwrap();
    // Every resource stays in the template that held it.
    let resources = |output: &topoform::Output| -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, text) in output.iter().filter(|(p, _)| p.starts_with("nested/")) {
            let t: topoform::testing::Value = serde_json::from_str(text).unwrap();
            for id in t["Resources"].as_object().unwrap().keys() {
                out.push((path.clone(), id.clone()));
            }
        }
        out
    };
    let now = resources(&after);
    for held in resources(&before) {
        assert!(now.contains(&held), "{held:?} moved");
    }
    let (_, plan) = build(true).plan(&files(), &before);
    assert!(!plan.expect("a plan").is_risky());
}

#[test]
fn a_stack_tag_set_twice_is_an_error_at_the_second_call() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    topo.instance("web", instance());
    topo.tag("Team", "a");
    let line = line!() + 1;
    topo.tag("Team", "b");
    let errors = topo.compile(&files()).into_result().unwrap_err();
    assert_eq!(errors.diagnostics.len(), 1, "{errors}");
    assert_eq!(
        errors.diagnostics[0].primary.span.origin.unwrap().line(),
        line
    );
}

#[test]
fn overrides_are_deterministic_and_measured_by_the_quotas() {
    let build = |tags: usize| {
        let mut topo = Topology::new("web", "ap-northeast-1");
        let web = topo.instance("web", instance());
        let list: Vec<_> = (0..tags)
            .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
            .collect();
        topo.override_property(&web, "AWS::EC2::EIP", "Tags", list);
        topo.override_property(
            &web,
            "AWS::EC2::LaunchTemplate",
            "LaunchTemplateData.Monitoring",
            json!({"Enabled": true}),
        );
        topo
    };
    // The same bytes, run after run.
    let a = build(3).compile(&files()).into_result().unwrap();
    let b = build(3).compile(&files()).into_result().unwrap();
    assert_eq!(a, b);
    // An override that breaks a quota is caught like any other property:
    // an EIP takes at most 50 tags.
    let errors = build(60).compile(&files()).into_result().unwrap_err();
    assert!(
        errors
            .diagnostics
            .iter()
            .any(|d| d.code.as_str() == "quota-exceeded" && d.message.contains("WebEip")),
        "{errors}"
    );
}
