//! One builder topology with several mistakes, rendered as a user sees it:
//! each diagnostic points at the line of this file that made it. (A file of
//! its own, so that its line numbers move only when it does.)

use topoform::FilesIn;
use topoform::builder::{Instance, Sorry, Topology};

#[test]
fn a_builder_diagnostic_renders_with_the_rust_location() {
    let mut topo = Topology::new("web", "ap-northeast-1");
    topo.instance(
        "web",
        Instance::new(
            "ami-0123",
            "t3.small",
            ["subnet-0123456789abcdef0"],
            ["sg-12"],
        ),
    );
    topo.instance(
        "web",
        Instance::new(
            "ami-0123456789abcdef0",
            "t3.small",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
        ),
    );
    topo.sorry(
        "closed",
        Sorry::new(
            "arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f",
        ),
    );
    let db = topo.instance(
        "db",
        Instance::new(
            "ami-0123456789abcdef0",
            "t3.small",
            ["subnet-0123456789abcdef0"],
            ["sg-0123456789abcdef0"],
        ),
    );
    topo.override_property(&db, "AWS::S3::Bucket", "BucketName", "db-logs");
    let errors = topo
        .compile(&FilesIn(".".into()))
        .into_result()
        .unwrap_err();
    let rendered =
        topoform::diag::render(&errors.diagnostics, &topoform::SourceFile::new("web", ""));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("builder-diagnostics", rendered);
    });
}
