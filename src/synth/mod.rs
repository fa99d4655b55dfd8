//! Synthesis: model → artifacts. Pure: no I/O, no failure on user input.
//!
//! 1. `[stack] notify` becomes the alarm topic (`stack`);
//! 2. every block becomes its resources, kind by kind in the order of
//!    `for_each_block_kind!`, one file per kind (`instance`: a group of
//!    one, its launch template, IAM and Elastic IP; `failover`: its records
//!    and health check; `sorry`: its bucket, function, distribution and, for
//!    `certificate = "new"`, its certificate in the us-east-1 edge template;
//!    …), sharing the helpers of `shared`;
//! 3. the texts (user-data, pages) are rendered from templates as they go.
//!
//! Every logical ID comes from `naming`, every resource from the typed
//! vocabulary of `cfn`, every path from `layout`.

mod context;
pub mod discover;
pub mod overrides;
mod shared;
mod stack;

// One module per block kind (see `for_each_block_kind!`). They
// are declared here, not by that macro, so that tools that read the source
// without expanding macros (rustfmt, cargo-mutants) see them; a kind missing
// here is a compile error where the macro below names it.
mod alb;
mod backup;
mod failover;
mod fleet;
mod instance;
mod sorry;
mod task;
mod zone;

use std::collections::BTreeMap;

use crate::cfn::Template;
use crate::kind::for_each_block_kind;
use crate::model::Model;

use context::Context;

/// Everything a topology compiles to, before serialization.
#[derive(Debug)]
pub struct Artifacts {
    /// Templates by file name (`STACK.template.json`).
    pub templates: BTreeMap<String, Template>,
    /// Text files by relative path (`userdata/NAME.sh`, …).
    pub files: BTreeMap<String, String>,
    /// What the deploy plan finds out or checks before it deploys.
    pub discoveries: discover::Discoveries,
}

macro_rules! kinds {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        /// Compiles a validated model.
        pub fn synth(model: &Model) -> Artifacts {
            let mut cx = Context::new(model);
            stack::synth(&mut cx);
            $(
                for block in model.$field.values() {
                    $module::synth(&mut cx, block);
                }
            )*
            stack::finish(&mut cx);
            cx.finish()
        }
    };
}
for_each_block_kind!(kinds);

#[cfg(test)]
pub(crate) mod tests {
    //! Synthesis tests build their model from topology text, as users do,
    //! so that a new field in the model breaks no test.

    use serde_json::Value;

    use crate::model::Model;
    use crate::source::Files;

    /// An instance `web`, as many tests need one.
    pub(crate) const WEB: &str = r#"
[instance.web]
ami = "ami-0064e711cbc7a825e"
type = "t3.small"
subnets = ["subnet-0b99e52d17314979d"]
security_groups = ["sg-04b4e7642a8fc6efe"]
"#;

    /// A failover `www` from instance `web` (see [`WEB`]) to a sorry site
    /// `down`, in zone `public` (`example.net`).
    pub(crate) const FAILOVER: &str = r#"
[zone.public]
id = "Z2OPSZONE00001"
domain = "example.net"

[sorry.down]
certificate = "arn:aws:acm:us-east-1:123456789012:certificate/2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809"

[failover.www]
record = "www.example.net"
zone = "zone.public"
primary = "instance.web"
secondary = "sorry.down"
"#;

    /// A fleet `clients` of one client, `acme`.
    pub(crate) const CLIENTS: &str = r#"
[fleet.clients]
ami = "ami-0064e711cbc7a825e"
type = "t3.small"
subnets = ["subnet-0b99e52d17314979d"]
security_groups = ["sg-04b4e7642a8fc6efe"]
clients = ["acme"]
"#;

    /// No file can be read.
    struct NoFiles;

    impl Files for NoFiles {
        fn read(&self, path: &str) -> Result<String, String> {
            Err(format!("no file {path}"))
        }
    }

    /// The model of `toml`, which must be valid.
    pub(crate) fn model(toml: &str) -> Model {
        let (topo, front) = crate::front::toml::parse(toml);
        let (model, diags) = crate::validate::validate(&topo, &NoFiles);
        assert!(front.is_empty() && diags.is_empty(), "{front:?} {diags:?}");
        model.expect("a valid topology has a model")
    }

    /// What every `fixtures/ok/*.toml` synthesizes to, by fixture path.
    pub(crate) fn fixtures() -> Vec<(std::path::PathBuf, super::Artifacts)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let (topo, _) = crate::front::toml::parse(&std::fs::read_to_string(&path).unwrap());
            let (model, _) = crate::validate::validate(&topo, &crate::FilesIn(dir.clone()));
            out.push((path, super::synth(&model.unwrap())));
        }
        out
    }

    /// Every template `toml` compiles to, as JSON, by file name.
    pub(crate) fn templates(toml: &str) -> std::collections::BTreeMap<String, Value> {
        super::synth(&model(toml))
            .templates
            .iter()
            .map(|(name, t)| (name.clone(), serde_json::from_str(&t.to_json()).unwrap()))
            .collect()
    }

    /// The main template's resources, as JSON.
    pub(crate) fn resources(toml: &str) -> Value {
        let stack = model(toml).stack.name;
        templates(toml)[&crate::layout::main_template(&stack)]["Resources"].clone()
    }
}
