//! The tests a Rust infrastructure repository writes for its topology.

use topoform::builder::{Instance, Topology};
use topoform::testing::{Synthesized, json};
use vendored_infra::infra;

fn clients(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("client-{i:02}")).collect()
}

fn files() -> topoform::FilesIn {
    topoform::FilesIn(env!("CARGO_MANIFEST_DIR").into())
}

#[test]
fn fifty_clients_make_fifty_instances_in_the_subnets_given() {
    let i = infra(&clients(50));
    let synth = Synthesized::from_builder(i.topology, &files()).expect("valid");
    synth.resource_count_is("AWS::EC2::Instance", 50);
    let fleet = synth.resources_of(&i.clients);
    assert!(
        fleet
            .iter()
            .filter(|r| r.resource_type == "AWS::EC2::Instance")
            .count()
            == 50
    );
    assert!(fleet.iter().any(|r| r.client == Some("client-07")));
    // Every client's instance carries its id in the tag the bootstrap
    // reads (arrays match element by element: look the tag up instead).
    let seventh = fleet
        .iter()
        .find(|r| r.client == Some("client-07") && r.resource_type == "AWS::EC2::Instance")
        .expect("client-07's instance");
    let tags = seventh.properties["Tags"].as_array().unwrap();
    assert!(
        tags.contains(&json!({ "Key": "ClientId", "Value": "client-07" })),
        "{tags:?}"
    );
}

#[test]
fn redash_keeps_its_address_and_stops_out_of_hours() {
    let i = infra(&clients(2));
    let synth = Synthesized::from_builder(i.topology, &files()).expect("valid");
    let ids = synth.logical_ids(&i.redash);
    assert!(ids.contains(&"RedashEip"), "{ids:?}");
    synth.has_resource_properties(
        "AWS::AutoScaling::ScheduledAction",
        &json!({ "Recurrence": "0 19 * * 1-5", "TimeZone": "Asia/Tokyo", "DesiredCapacity": 0 }),
    );
    // The override is there, and says so for the reviewer.
    let lt = synth
        .resource("RedashLaunchTemplate")
        .expect("its launch template");
    assert_eq!(
        lt.properties["LaunchTemplateData"]["MetadataOptions"]["HttpPutResponseHopLimit"],
        2
    );
    assert_eq!(
        lt.definition["Metadata"]["topoform"]["overrides"][0],
        "LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit"
    );
}

#[test]
fn the_committed_output_is_what_the_code_builds() {
    // A drift check, as a repository runs it in CI against its committed
    // output directory; here a fresh one.
    let output = infra(&clients(3))
        .topology
        .compile(&files())
        .into_result()
        .expect("valid");
    let dir = std::env::temp_dir().join(format!("vendored-infra-{}", std::process::id()));
    topoform::emit::write_to(&output, &dir).unwrap();
    assert!(topoform::emit::check(&output, &dir).unwrap().is_empty());
    let more = infra(&clients(4))
        .topology
        .compile(&files())
        .into_result()
        .expect("valid");
    let drift = topoform::emit::check(&more, &dir).unwrap();
    assert!(!drift.is_empty(), "a fourth client changes the output");
    // And the plan of that change, before anyone deploys it.
    let (c, plan) = infra(&clients(4)).topology.plan(&files(), &output);
    assert!(c.output.is_some());
    let plan = plan.expect("a plan");
    assert!(!plan.is_empty());
    assert!(
        plan.text(false).contains("ClientsClient04"),
        "{}",
        plan.text(false)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mistakes_are_located_at_the_line_of_rust_that_made_them() {
    let mut topo = Topology::new("analytics", "ap-northeast-1");
    let (subnets, groups) = (["subnet-0b99e52d17314979d"], ["sg-04b4e7642a8fc6efe"]);
    let bad_type = line!() + 1;
    let body = Instance::new("ami-0064e711cbc7a825e", "t3.enormous", subnets, groups);
    topo.instance("redash", body);
    let again = line!() + 1;
    topo.instance(
        "redash",
        Instance::new("ami-0064e711cbc7a825e", "t3.small", subnets, groups),
    );
    // `?` works: Errors is a std::error::Error.
    let result: Result<topoform::Output, Box<dyn std::error::Error>> =
        topo.compile(&files()).into_result().map_err(Into::into);
    let errors = result.unwrap_err().downcast::<topoform::Errors>().unwrap();
    let found: Vec<(&str, u32)> = errors
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.as_str(),
                d.primary.span.origin.expect("located").line(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("invalid-value", bad_type), ("duplicate-block", again)],
        "{errors}"
    );
    let rendered = topoform::diag::render(
        &errors.diagnostics,
        &topoform::SourceFile::new("analytics", ""),
    );
    assert!(
        rendered.contains(&format!(" --> {}:{again}:", file!())),
        "{rendered}"
    );
}
