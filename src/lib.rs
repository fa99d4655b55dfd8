//! topoform compiles a compact topology description into AWS CloudFormation
//! JSON, EC2 user-data scripts, sorry pages and a deploy plan (`deploy.sh`).
//!
//! A topology is written in TOML (`*.topo.toml`, compiled by the `topoform`
//! command or [`compile_toml`]) or built in Rust with [`builder`], the
//! TOML language's typed twin for infrastructure repositories that vendor
//! this crate. Both compile to the same bytes.
//!
//! # From the builder to files on disk
//!
//! ```
//! use topoform::builder::{Failover, Hours, Instance, Sorry, Topology, Zone};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut topo = Topology::new("redash", "ap-northeast-1");
//! topo.tag("Team", "analytics").notify("ops@example.com");
//! let public = topo.zone("public", Zone::new("Z2BEP1Z1Q3YA66", "example.com"));
//! let redash = topo.instance(
//!     "redash",
//!     Instance::new(
//!         "ami-0064e711cbc7a825e",
//!         "t3.small",
//!         ["subnet-0b99e52d17314979d"],
//!         ["sg-04b4e7642a8fc6efe"],
//!     )
//!     .hours(Hours::new("MON-FRI", "09:00", "19:00", "Asia/Tokyo")),
//! );
//! let closed = topo.sorry(
//!     "closed",
//!     Sorry::new("arn:aws:acm:us-east-1:123456789012:certificate/6ddf6b39-4bba-43ca-b22a-3a694598b97f"),
//! );
//! topo.failover("redash", Failover::new("redash.example.com", &public, &redash, &closed));
//!
//! // `files` reads what the topology names (a `setup` script, a sorry `page`).
//! let files = topoform::FilesIn("infra".into());
//! let dir = std::env::temp_dir().join(format!("topoform-doc-{}", std::process::id()));
//! // Over an earlier output, `compile_over` keeps each block in the nested
//! // stack that held it (moving a resource between stacks replaces it).
//! let previous = topoform::emit::read_previous(&dir)?;
//! let output = topo.compile_over(&files, &previous).into_result()?;
//!
//! topoform::emit::write_to(&output, &dir)?; // atomically: all files or none
//! assert!(dir.join("redash.template.json").is_file() && dir.join("deploy.sh").is_file());
//! // A drift check for CI: what is on disk is what the code builds.
//! assert!(topoform::emit::check(&output, &dir)?.is_empty());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! A mistake the types cannot catch is a [`Diagnostic`] located at the line
//! of Rust that made it; [`Compilation::into_result`] gathers them into
//! [`Errors`], a `std::error::Error` for `?`:
//!
//! ```
//! use topoform::builder::{Instance, Topology};
//!
//! let mut topo = Topology::new("web", "ap-northeast-1");
//! topo.instance("web", Instance::new("ami-0123", "t3.small", ["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"]));
//! let errors = topo.compile(&topoform::FilesIn(".".into())).into_result().unwrap_err();
//! // One line per diagnostic (`Display`) …
//! assert!(errors.to_string().starts_with("error[invalid-id]: invalid AMI id `ami-0123`"));
//! // … or rustc's layout, pointing at the Rust.
//! let rendered = errors.render_builder();
//! assert!(rendered.contains(&format!(" --> {}:", file!())));
//! ```
//!
//! # Tests
//!
//! [`testing`] finds a compilation's resources by type and by the block that
//! made them, and matches their properties partially, as AWS CDK's
//! assertions do. [`builder::Topology::override_property`] is the escape
//! hatch for a property topoform does not expose, and
//! [`builder::Topology::plan`] says what a change would do to the running
//! stack before `deploy.sh` does it.
//!
//! # Features
//!
//! - `cli` (default): the `topoform` command. A repository that vendors the
//!   crate for its builder sets `default-features = false` and builds none
//!   of it (no clap).
//!
//! The pipeline is `front end → spec → validate → model → synth → emit`;
//! `ARCHITECTURE.md` describes it. Its stages are private: the supported
//! API is what this page lists, and `docs/public-api.txt` in the repository
//! is every public item, kept current by CI.

/// topoform's version, and the git commit it was built from when it was
/// built from its own checkout (`0.1.0 (commit 0123456789ab)`).
pub const VERSION: &str = env!("TOPOFORM_VERSION");

// The supported API: the builder, compilation, the output and its
// write/check, diagnostics and the testing assertions. `docs/public-api.txt`
// lists every public item, and CI fails when it changes unreviewed.
pub mod diag;
pub mod emit;
pub mod testing;

/// The typed Rust builder: the TOML language's twin, for Rust repositories
/// that vendor the crate (see the crate-level example).
pub use front::dsl as builder;

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;

/// The pipeline's stages. They are private: with the `internals` feature,
/// which only topoform's own integration tests enable, they are public and
/// hidden, and nothing in them follows semver. Inside them `pub` means "for
/// the other stages"; the boundary of the supported API is this file and
/// `docs/public-api.txt`, not `unreachable_pub`.
macro_rules! stages {
    ($($(#[$attr:meta])* $name:ident;)*) => {$(
        $(#[$attr])*
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        $(#[$attr])*
        #[cfg(not(feature = "internals"))]
        #[allow(unreachable_pub)]
        mod $name;
    )*};
}
stages! {
    cfn;
    front;
    #[cfg(feature = "cli")]
    graph;
    impact;
    #[cfg(feature = "cli")]
    init;
    kind;
    layout;
    model;
    naming;
    plan;
    preview;
    quota;
    shard;
    source;
    spec;
    synth;
    userdata;
    validate;
}
mod json;
mod par;
mod templates;
mod tz;

pub use diag::{Code, Diagnostic, Errors, Severity};
pub use emit::Output;
pub use source::{Files, FilesIn, LineCol, MAX_FILE_BYTES, SourceFile, Span};

/// The result of a compilation: the output when there was no error, and every
/// diagnostic (errors and warnings), sorted by position.
#[derive(Debug)]
#[must_use = "a compilation holds the diagnostics: check them, or use `into_result`"]
#[non_exhaustive]
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
    /// let output = topoform::compile_toml(text, &topoform::FilesIn(".".into())).into_result()?;
    /// assert!(output.contains_key("web.template.json"));
    /// let broken = topoform::compile_toml("[stack]\nname = 1\n", &topoform::FilesIn(".".into()));
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
/// held it: moving a resource between stacks would replace it.
pub fn compile_toml_over(text: &str, files: &dyn Files, previous: &Output) -> Compilation {
    compile_toml_model(text, files, previous).0
}

/// What deploying a topology's output over the files of an output
/// directory would do, in the topology's terms: which resources are added,
/// updated, replaced or removed, what that does to a running instance, its
/// disk and its address, and the diff of every other file.
#[derive(Debug)]
pub struct Plan {
    preview: preview::Preview,
}

impl Plan {
    /// Whether deploying would change nothing.
    pub fn is_empty(&self) -> bool {
        self.preview.is_empty()
    }

    /// Whether deploying would replace a resource (or may), or put an
    /// instance, its disk, an address, a bucket or a record at risk.
    pub fn is_risky(&self) -> bool {
        self.preview.is_risky()
    }

    /// The plan as terminal text; `colour`: with ANSI colours.
    pub fn text(&self, colour: bool) -> String {
        preview::render::text(&self.preview, colour)
    }

    /// The plan as Markdown, for a pull-request comment.
    pub fn markdown(&self) -> String {
        preview::render::markdown(&self.preview)
    }

    /// The plan as JSON, the versioned document `topoform plan --format
    /// json` prints (without its `diagnostics`).
    pub fn json(&self) -> String {
        preview::render::json(&self.preview)
    }

    /// The preview itself, for the command line's other formats and
    /// topoform's own tests: not part of the supported API.
    #[cfg(any(feature = "cli", feature = "internals"))]
    #[doc(hidden)]
    pub fn into_preview(self) -> preview::Preview {
        self.preview
    }
}

/// What deploying the output of TOML topology text over `golden` (the
/// output directory's files, as [`emit::read`] reads them) would do: the
/// compilation, and when it succeeded, the plan.
pub fn plan_toml(text: &str, files: &dyn Files, golden: &Output) -> (Compilation, Option<Plan>) {
    let (c, model) = compile_toml_model(text, files, golden);
    let plan = planned(&c, model, golden);
    (c, plan)
}

/// The plan of a compilation, when it made output.
fn planned(c: &Compilation, model: Option<model::Model>, golden: &Output) -> Option<Plan> {
    match (&c.output, model) {
        (Some(output), Some(model)) => Some(Plan {
            preview: preview::compare(&model, golden, output),
        }),
        _ => None,
    }
}

/// [`compile_toml`], and the model when the output was made.
pub(crate) fn compile_toml_model(
    text: &str,
    files: &dyn Files,
    previous: &Output,
) -> (Compilation, Option<model::Model>) {
    compile_toml_into(text, files, previous, emit::Sink::Keep)
}

/// [`compile_toml_model`], with the templates sent to `sink` as they are
/// serialized (the command line's synth writes them into its staging tree,
/// `--check` compares them): unless they are kept, the output holds every
/// other file, and its manifest lists them all.
pub(crate) fn compile_toml_into(
    text: &str,
    files: &dyn Files,
    previous: &Output,
    sink: emit::Sink<'_>,
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
    let (mut c, model) = compile(validated, read_whole, previous, &[], sink);
    diagnostics.append(&mut c.diagnostics);
    diag::sort(&mut diagnostics);
    c.diagnostics = diagnostics;
    (c, model)
}

/// Compiles a topology from either front end (stages 2 to 6).
#[cfg(feature = "internals")]
#[doc(hidden)]
pub fn compile_spec(topo: &spec::Topology, files: &dyn Files) -> Compilation {
    compile(
        validate::validate(topo, files),
        true,
        &Output::new(),
        &[],
        emit::Sink::Keep,
    )
    .0
}

/// Stages 3 to 6, after validation (stage 2: every problem, and the model
/// of the sound blocks); `read_whole` says whether the front end read every
/// key. The model comes back when the output was made. Unless `sink`
/// keeps them, the templates go there as they are serialized, and the
/// output holds the other files.
fn compile(
    validated: (Option<model::Model>, Vec<Diagnostic>),
    read_whole: bool,
    previous: &Output,
    overrides: &[spec::Override],
    sink: emit::Sink<'_>,
) -> (Compilation, Option<model::Model>) {
    let (model, mut diagnostics) = validated;
    let whole = read_whole && !diagnostics.iter().any(Diagnostic::is_error);
    let made = model.and_then(|model| {
        // 3. synth. The previous output's placement is read first: once
        // the main template is sure to be split, the split takes each
        // per-client block's resources as soon as the block is made
        // (`shard::synth_thinning`), and each nested stack makes them again as it
        // is written, so that 10,000 clients' typed resources are never all
        // held at once. Not with the builder's overrides, which apply to
        // the whole typed template.
        let placement = shard::Placement::read(&model, previous);
        let (mut artifacts, mut thinned) = match &placement {
            Ok(p) if overrides.is_empty() => {
                shard::synth_thinning(&model, p, shard::Limits::AWS, |on_block| {
                    synth::synth_with(&model, Some(on_block))
                })
            }
            _ => (synth::synth(&model), shard::Thinned::default()),
        };
        // 3b. the builder's overrides, before anything measures or splits.
        diagnostics.extend(synth::overrides::apply(
            &model,
            &mut artifacts.templates,
            overrides,
            impact::settable_properties,
        ));
        // 4. quotas and the split. Single resources are measured on their
        // typed properties (those taken out already were, before they were
        // dropped); the main template is split into nested stacks
        // when it breaks a template quota, and the templates are measured
        // after. With errors elsewhere the model holds only the sound
        // blocks, and what it overflows the whole topology overflows too:
        // those errors are reported now, the rest once the topology is whole.
        let mut quotas = quota::resources(&model, &artifacts.templates, thinned.take_quotas());
        let (split, pending) = match placement {
            Ok(placement) => shard::split_thinned(
                &model,
                &mut artifacts.templates,
                &placement,
                shard::Limits::AWS,
                thinned,
            ),
            Err(d) => (vec![d], shard::Pending::default()),
        };
        let split_failed = split.iter().any(Diagnostic::is_error);
        quotas.extend(split);
        // Each template is serialized once, here, and dropped once measured:
        // the quotas and the plan read the sizes, and emit writes these bytes
        // (or has written or compared them already, through `sink`).
        let main_outputs = artifacts
            .templates
            .get(&layout::main_template(&model.stack.name))
            .is_some_and(|t| !t.outputs.is_empty());
        // With an error already, the output will not be made: the
        // templates are only measured, not staged or compared.
        let doomed = !whole
            || diagnostics.iter().any(Diagnostic::is_error)
            || quotas.iter().any(Diagnostic::is_error);
        let templates = std::mem::take(&mut artifacts.templates);
        let known = &artifacts.known;
        let fill = |path: &str, t: &mut cfn::Template| pending.fill(&model, known, path, t);
        let (rendered, measured) = emit::render_templates(
            templates,
            if doomed { emit::Sink::Discard } else { sink },
            (pending.resources(), &fill),
            |path, t, text| quota::template(&model, path, t, text.len(), !split_failed),
        );
        quotas.extend(measured);
        diagnostics.extend(quotas.into_iter().filter(|d| whole || d.is_error()));
        if !whole || diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        // 5. plan, 6. emit.
        let deploy = plan::deploy_script(&model, &artifacts, &rendered.sizes, main_outputs);
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
        self.compile_model(files, &Output::new()).0
    }

    /// [`compile`](Self::compile), to replace `previous` (the output
    /// directory's files, as [`emit::read_previous`] reads them): a
    /// topology split into nested stacks keeps every block in the stack
    /// that held it, since moving a resource between stacks replaces it.
    /// Use it whenever the output is written over an earlier one.
    pub fn compile_over(self, files: &dyn Files, previous: &Output) -> Compilation {
        self.compile_model(files, previous).0
    }

    /// What deploying this topology over `golden` (an output directory's
    /// files, as [`emit::read`] reads them) would do: the compilation, and
    /// when it succeeded, the plan (`topoform plan`'s).
    pub fn plan(self, files: &dyn Files, golden: &Output) -> (Compilation, Option<Plan>) {
        let (c, model) = self.compile_model(files, golden);
        let plan = planned(&c, model, golden);
        (c, plan)
    }

    /// Stages 2 to 6, with what the builder refused as blocks were added:
    /// any of it stops the output, as an error of validation does.
    pub(crate) fn compile_model(
        self,
        files: &dyn Files,
        previous: &Output,
    ) -> (Compilation, Option<model::Model>) {
        let (topo, mut refused, overrides) = self.into_parts();
        let read_whole = refused.is_empty();
        let validated = validate::validate(&topo, files);
        let (mut c, model) = compile(
            validated,
            read_whole,
            previous,
            &overrides,
            emit::Sink::Keep,
        );
        c.diagnostics.append(&mut refused);
        diag::sort(&mut c.diagnostics);
        (c, model)
    }
}
