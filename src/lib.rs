//! topoform compiles a compact topology description into AWS CloudFormation
//! JSON, EC2 user-data scripts, sorry pages and a deploy plan.
//!
//! The pipeline, one module per stage:
//!
//! 1. front end: [`front::toml`] (a `*.topo.toml` file) or [`front::dsl`]
//!    (the typed Rust builder) → [`spec::Topology`], what the user wrote;
//! 2. [`validate`] → [`model::Model`], complete and resolved, or every
//!    problem as a [`diag::Diagnostic`] with its span;
//! 3. [`synth`] → typed [`cfn::Template`]s and rendered texts (pure, no I/O);
//! 4. [`quota`]: the AWS limits that only the synthesized output can tell,
//!    and [`shard`]: the split of a template too large for one stack into
//!    nested stacks;
//! 5. [`plan`] → `deploy.sh`, which deploys what was synthesized;
//! 6. [`emit`] → an [`emit::Output`] (path → bytes), written atomically or
//!    checked against a directory.
//!
//! [`preview`] (`topoform plan`) compares the output with the golden files
//! of a directory, in the topology's terms; [`impact`] tells what a template
//! change does to the running stack
//! (update, restart, replacement), from CloudFormation's resource schemas.
//!
//! [`kind`] lists the block kinds that every stage is organised by. The
//! library never prints, reads the environment or exits: the `topoform`
//! binary (`cli`) does.

/// topoform's version, and the git commit it was built from when it was
/// built from its own checkout (`0.1.0 (commit 0123456789ab)`).
pub const VERSION: &str = env!("TOPOFORM_VERSION");

pub mod cfn;
#[doc(hidden)]
pub mod cli;
pub mod diag;
pub mod emit;
pub mod front;
pub mod graph;
pub mod impact;
pub mod init;
pub mod kind;
pub mod layout;
pub mod model;
pub mod naming;
mod par;
pub mod plan;
pub mod preview;
pub mod quota;
pub mod shard;
pub mod source;
pub mod spec;
pub mod synth;
mod templates;
mod tz;
pub mod userdata;
pub mod validate;

pub use diag::{Code, Diagnostic};
pub use emit::Output;
pub use source::{Files, FilesIn, SourceFile};

/// The result of a compilation: the output when there was no error, and every
/// diagnostic (errors and warnings), sorted by position.
#[derive(Debug)]
#[must_use = "a compilation holds the diagnostics: check them, or use `into_result`"]
pub struct Compilation {
    /// Every file to write, when the input had no error.
    pub output: Option<Output>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compilation {
    /// The output, or every diagnostic as one error, for `?`. Warnings of a
    /// compilation that made output are dropped: read `diagnostics` first
    /// to keep them.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let text = "[stack]\nname = \"web\"\nregion = \"ap-northeast-1\"\n\n[instance.web]\nami = \"ami-0123456789abcdef0\"\ntype = \"t3.micro\"\nsubnets = [\"subnet-0123456789abcdef0\"]\nsecurity_groups = [\"sg-0123456789abcdef0\"]\n";
    /// let output = topoform::compile_toml(text, &topoform::source::FilesIn(".".into())).into_result()?;
    /// assert!(output.contains_key("web.template.json"));
    /// let broken = topoform::compile_toml("[stack]\nname = 1\n", &topoform::source::FilesIn(".".into()));
    /// assert!(broken.into_result().unwrap_err().to_string().contains("error[wrong-type]"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_result(self) -> Result<Output, diag::Errors> {
        match self.output {
            Some(output) => Ok(output),
            None => Err(diag::Errors {
                diagnostics: self.diagnostics,
            }),
        }
    }
}

/// Compiles TOML topology text. `files` reads the files it names.
pub fn compile_toml(text: &str, files: &dyn Files) -> Compilation {
    compile_toml_model(text, files, &Output::new()).0
}

/// Compiles TOML topology text to replace `previous` (the output directory's
/// files, as [`emit::read_previous`] or [`emit::read`] reads them): a
/// topology split into nested stacks keeps every block in the stack that
/// held it (see [`shard`]).
pub fn compile_toml_over(text: &str, files: &dyn Files, previous: &Output) -> Compilation {
    compile_toml_model(text, files, previous).0
}

/// What deploying the output of TOML topology text over `golden` (the
/// output directory's files, as [`emit::read`] reads them) would do: the
/// compilation, and when it succeeded, the preview.
pub fn plan_toml(
    text: &str,
    files: &dyn Files,
    golden: &Output,
) -> (Compilation, Option<preview::Preview>) {
    let (c, model) = compile_toml_model(text, files, golden);
    let preview = match (&c.output, model) {
        (Some(output), Some(model)) => Some(preview::compare(&model, golden, output)),
        _ => None,
    };
    (c, preview)
}

/// Compiles `text` and draws it (`topoform graph`): the compilation's
/// diagnostics, and the diagram when the topology is valid.
pub fn graph_toml(
    text: &str,
    files: &dyn Files,
    format: graph::Format,
) -> (Compilation, Option<String>) {
    let (c, model) = compile_toml_model(text, files, &Output::new());
    let drawn = match (&c.output, model) {
        (Some(output), Some(model)) => {
            // The spec is dropped before synthesis; the references are read
            // again from the text, which parsed cleanly to get here.
            let (topo, _) = front::toml::parse(text);
            Some(graph::render(&topo, &model, output, format))
        }
        _ => None,
    };
    (c, drawn)
}

/// [`compile_toml`], and the model when the output was made.
fn compile_toml_model(
    text: &str,
    files: &dyn Files,
    previous: &Output,
) -> (Compilation, Option<model::Model>) {
    // 1. front end. Text that is not TOML has no blocks to validate; shape
    // errors do not stop validation of the rest.
    let (topo, mut diagnostics) = front::toml::parse(text);
    if diagnostics.iter().any(|d| d.code == Code::TomlSyntax) {
        diag::sort(&mut diagnostics);
        return (
            Compilation {
                output: None,
                diagnostics,
            },
            None,
        );
    }
    let read_whole = !diagnostics.iter().any(Diagnostic::is_error);
    // 2. validate. The spec is not needed after it, and at 10,000 blocks it
    // is tens of megabytes: it goes before synthesis begins.
    let validated = validate::validate(&topo, files);
    drop(topo);
    let (mut c, model) = compile(validated, read_whole, previous);
    diagnostics.append(&mut c.diagnostics);
    diag::sort(&mut diagnostics);
    c.diagnostics = diagnostics;
    (c, model)
}

/// Compiles a topology from either front end (stages 2 to 6).
pub fn compile_spec(topo: &spec::Topology, files: &dyn Files) -> Compilation {
    compile(validate::validate(topo, files), true, &Output::new()).0
}

/// Stages 3 to 6, after validation (stage 2: every problem, and the model
/// of the sound blocks); `read_whole` says whether the front end read every
/// key. The model comes back when the output was made.
fn compile(
    validated: (Option<model::Model>, Vec<Diagnostic>),
    read_whole: bool,
    previous: &Output,
) -> (Compilation, Option<model::Model>) {
    let (model, mut diagnostics) = validated;
    let whole = read_whole && !diagnostics.iter().any(Diagnostic::is_error);
    let made = model.and_then(|model| {
        // 3. synth.
        let mut artifacts = synth::synth(&model);
        // 4. quotas and the split. Single resources are measured on their
        // typed properties; the main template is split into nested stacks
        // when it breaks a template quota, and the templates are measured
        // after. With errors elsewhere the model holds only the sound
        // blocks, and what it overflows the whole topology overflows too:
        // those errors are reported now, the rest once the topology is whole.
        let mut quotas = quota::resources(&model, &artifacts.templates);
        let split = match shard::Placement::read(&model, previous) {
            Ok(placement) => shard::split(
                &model,
                &mut artifacts.templates,
                &placement,
                shard::Limits::AWS,
            ),
            Err(d) => vec![d],
        };
        let split_failed = split.iter().any(Diagnostic::is_error);
        quotas.extend(split);
        // Each template is serialized once, here, and dropped once measured:
        // the quotas and the plan read the sizes, and emit writes these bytes.
        let main_outputs = artifacts
            .templates
            .get(&layout::main_template(&model.stack.name))
            .is_some_and(|t| !t.outputs.is_empty());
        let (rendered, measured) =
            emit::render_templates(std::mem::take(&mut artifacts.templates), |path, t, text| {
                quota::template(&model, path, t, text.len(), !split_failed)
            });
        quotas.extend(measured);
        diagnostics.extend(quotas.into_iter().filter(|d| whole || d.is_error()));
        if !whole || diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        // 5. plan, 6. emit.
        let deploy = plan::deploy_script(&model, &artifacts, &rendered, main_outputs);
        artifacts
            .files
            .insert(layout::DEPLOY_SCRIPT.to_string(), deploy);
        Some((emit::render_with(&artifacts, rendered), model))
    });
    diag::sort(&mut diagnostics);
    let (output, model) = match made {
        Some((output, model)) => (Some(output), Some(model)),
        None => (None, None),
    };
    (
        Compilation {
            output,
            diagnostics,
        },
        model,
    )
}

impl front::dsl::Topology {
    /// Validates and compiles the topology; `files` reads the files it names
    /// (`setup`, `page`, `clients_file`). Defined here, with the pipeline,
    /// so that the front end does not depend on the stages after it.
    pub fn compile(self, files: &dyn Files) -> Compilation {
        compile_spec(&self.build(), files)
    }
}
