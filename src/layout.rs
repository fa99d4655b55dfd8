//! The output directory's layout: where each generated file goes. Synthesis
//! names the files it makes and the deploy plan names the files it deploys,
//! both from here, so the two cannot disagree.

/// The deploy plan.
pub const DEPLOY_SCRIPT: &str = "deploy.sh";

/// The manifest: every file topoform wrote in the directory, one a line. It
/// marks the directory as topoform's, so that a later `synth` replaces only
/// what topoform wrote and refuses a directory that holds anything else.
pub const MANIFEST: &str = ".topoform-files";

/// Whether `rel` is a path topoform writes, in any version: how a directory
/// written before the manifest existed is recognised as topoform's.
pub fn is_generated_path(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [file] => *file == DEPLOY_SCRIPT || *file == MANIFEST || file.ends_with(".template.json"),
        ["userdata", file] => file.ends_with(".sh"),
        [NESTED, file] => file.ends_with(".template.json"),
        ["sorry", _, "index.html"] => true,
        _ => false,
    }
}

/// The directory of nested stacks' templates.
pub const NESTED: &str = "nested";

/// The template of the nested stack `id`, relative to the output directory
/// (and so to the parent template, whose `TemplateURL` it is).
pub fn nested_template(id: &str) -> String {
    format!("{NESTED}/{id}.template.json")
}

/// The main template of stack `stack`.
pub fn main_template(stack: &str) -> String {
    format!("{stack}.template.json")
}

/// The name of the us-east-1 edge stack of stack `stack`.
pub fn edge_stack(stack: &str) -> String {
    format!("{stack}-edge")
}

/// The edge stack's template.
pub fn edge_template(stack: &str) -> String {
    main_template(&edge_stack(stack))
}

/// The user-data script of the instance or fleet `name`.
pub fn user_data(name: &str) -> String {
    format!("userdata/{name}.sh")
}

/// The page of the sorry site `name`.
pub fn sorry_page(name: &str) -> String {
    format!("sorry/{name}/index.html")
}
