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

use crate::cfn::ec2::UserData;
use crate::cfn::{Resource, Template};
use crate::kind::{Kind, for_each_block_kind};
use crate::model::{Model, Name};
use crate::naming::LogicalId;

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
    /// What a later [`resynth`] of some blocks takes as made already.
    pub known: Known,
}

/// What a synthesis made once for many blocks, which making some of them
/// again ([`resynth`]) takes as it is: the user-data of each script.
#[derive(Debug, Default)]
pub struct Known {
    user_data: BTreeMap<String, UserData>,
}

/// Called before the first block and after each block of a per-client kind
/// ([`Kind::is_per_client`]) with the main template and the resources the
/// block set aside (none until it returns `true`, which sets aside those
/// of the next per-client blocks rather than adding them to the main
/// template); what it does not keep it adds to the main template. The
/// split takes them, measured, once it knows the template will be split,
/// and [`resynth`] makes them again when their nested stack is written. At
/// 10,000 clients, holding every typed resource until then was half of
/// the memory.
pub type OnBlock<'a> = &'a mut dyn FnMut(&mut Template, Vec<(LogicalId, Resource)>) -> bool;

macro_rules! kinds {
    ($($variant:ident: $module:ident, $field:ident;)*) => {
        /// Compiles a validated model.
        pub fn synth(model: &Model) -> Artifacts {
            synth_with(model, None)
        }

        /// [`synth`], handing each per-client block to `on_block` as soon
        /// as it is made.
        pub fn synth_with(model: &Model, mut on_block: Option<OnBlock<'_>>) -> Artifacts {
            let mut cx = Context::new(model);
            stack::synth(&mut cx);
            // Asked once before any block: the first may be set aside too.
            let mut diverting = on_block.as_mut().is_some_and(|f| f(&mut cx.main, Vec::new()));
            $(
                for block in model.$field.values() {
                    let per_client = Kind::$variant.is_per_client();
                    cx.divert(per_client && diverting);
                    $module::synth(&mut cx, block);
                    if let Some(f) = on_block.as_mut().filter(|_| per_client) {
                        let made = cx.take_diverted();
                        diverting = f(&mut cx.main, made);
                    }
                }
            )*
            cx.divert(false);
            stack::finish(&mut cx);
            cx.finish()
        }

        /// The main-template resources of the blocks `blocks` (`(kind,
        /// name)`, each in the model), made again as [`synth`] made them,
        /// in ID order: the same model and what that synthesis made for all
        /// blocks (`known`) make the same resources. What else the blocks
        /// add (parameters, outputs, checks, files) the first synthesis has.
        pub fn resynth(
            model: &Model,
            known: &Known,
            blocks: &[(Kind, &str)],
        ) -> Vec<(LogicalId, Resource)> {
            let mut cx = Context::new(model).knowing(&known.user_data);
            cx.divert(true);
            for &(kind, name) in blocks {
                let name = Name(name.to_string());
                match kind {
                    $(Kind::$variant => {
                        let block = model.$field.get(&name).unwrap_or_else(|| {
                            unreachable!("bug in topoform: no block {}.{} to make again", kind.name(), name.as_str())
                        });
                        $module::synth(&mut cx, block);
                    })*
                    Kind::Stack => unreachable!("bug in topoform: the stack is not made again"),
                }
            }
            let mut made = cx.take_diverted();
            made.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            if let Some(twice) = made.windows(2).find(|w| w[0].0 == w[1].0) {
                panic!("bug in topoform: logical ID {} synthesized twice", twice[0].0);
            }
            made
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
