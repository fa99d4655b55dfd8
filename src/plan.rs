//! The deploy plan: `deploy.sh`, the ordered AWS CLI commands that deploy
//! the templates and upload the sorry pages.

use serde::Serialize;

use crate::templates::render;

/// One sorry page to upload.
#[derive(Serialize)]
pub struct Upload {
    /// The sorry block's name.
    pub name: String,
    /// Path of the page, relative to the output directory.
    pub page: String,
    /// Output key holding the bucket name.
    pub bucket_output: String,
    /// Output key holding the distribution id.
    pub distribution_output: String,
}

#[derive(Serialize)]
struct DeployContext<'a> {
    stack: &'a str,
    region: &'a str,
    template: &'a str,
    sorry: &'a [Upload],
}

/// The deploy plan.
pub fn render_plan(stack: &str, region: &str, template: &str, sorry: &[Upload]) -> String {
    render(
        "deploy.sh.j2",
        &DeployContext {
            stack,
            region,
            template,
            sorry,
        },
    )
}
