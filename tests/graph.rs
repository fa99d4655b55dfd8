//! `topoform graph`: one snapshot per fixture holds its Mermaid and its DOT
//! diagram; every reference of the topology is an arrow.

use std::path::Path;

use topoform::graph::Format;
use topoform::source::FilesIn;

#[test]
fn every_fixture_draws_every_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<_> = std::fs::read_dir(root.join("fixtures/ok"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let files = FilesIn(root.join("fixtures/ok"));
        let (_, mermaid) = topoform::graph::graph_toml(&text, &files, Format::Mermaid);
        let (_, dot) = topoform::graph::graph_toml(&text, &files, Format::Dot);
        let (mermaid, dot) = (mermaid.unwrap(), dot.unwrap());
        // Each reference written in the topology is one arrow in each, and
        // each block with a primary and a secondary one dashed arrow more.
        let (topo, _) = topoform::front::toml::parse(&text);
        let blocks = topo.blocks();
        let refs: usize = blocks.iter().map(|b| b.refs.len()).sum();
        let failovers = blocks
            .iter()
            .filter(|b| {
                let has = |p: &str| b.slots.iter().any(|s| s.path == p);
                has("primary") && has("secondary")
            })
            .count();
        assert_eq!(mermaid.matches(" -->|").count(), refs, "{}", path.display());
        assert_eq!(
            mermaid.matches(" -.->|").count(),
            failovers,
            "{}",
            path.display()
        );
        assert_eq!(
            dot.matches(" -> ").count(),
            refs + failovers,
            "{}",
            path.display()
        );
        assert_eq!(
            dot.matches("style=dashed").count(),
            failovers,
            "{}",
            path.display()
        );
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("graph@{name}"), format!("{mermaid}\n{dot}"));
        });
    }
}

#[test]
fn an_invalid_topology_draws_nothing() {
    let (c, drawn) =
        topoform::graph::graph_toml("[stack]\nname = 1\n", &FilesIn(".".into()), Format::Mermaid);
    assert!(drawn.is_none());
    assert!(
        c.diagnostics
            .iter()
            .any(topoform::diag::Diagnostic::is_error)
    );
}
