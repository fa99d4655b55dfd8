//! `[sorry.NAME]`: the certificate, the page and who may see it.
//!
//! The site's aliases, and the names of a new certificate, are the failover
//! records that point here: the linking pass fills them in.

use super::context::{Context, Keys};
use super::grammar;
use super::shared::derived_name_fits;
use crate::diag::{Code, Diagnostic};
use crate::kind::{Kind, slot};
use crate::model::sorry::{Certificate, Page};
use crate::model::{self, Name};
use crate::naming::Prefix;
use crate::spec::{Block, Ref, Sorry, Sp};

/// Status codes CloudFront accepts as a custom error response code.
const CLOUDFRONT_STATUSES: &[i64] = &[200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/// The names an ACM certificate may have by default.
const MAX_CERTIFICATE_NAMES: usize = 10;

/// Validates a sorry site.
pub(super) fn validate(cx: &mut Context<'_>, b: &Block<Sorry>) -> Option<model::Sorry> {
    let keys = Keys::of(Kind::Sorry, b);
    // The CloudFront Function and the OAC are named `STACK-NAME`.
    let name_ok = derived_name_fits(
        cx,
        &b.name,
        64,
        "names the sorry site's CloudFront Function",
        "CloudFront Function names have at most 64 characters: shorten the stack or sorry name",
    );
    let s = &b.body;
    let certificate = keys
        .required(cx, s.certificate.as_ref(), "certificate")
        .and_then(|c| {
            if c.value == "new" {
                new_certificate(cx, &keys, b, c)
            } else {
                cx.check(grammar::certificate(c, Some("us-east-1"), "CloudFront"))
                    .map(Certificate::Arn)
            }
        });
    let page = page(cx, &keys, s);
    let status = match &s.status {
        None => Some(503),
        Some(st) if CLOUDFRONT_STATUSES.contains(&st.value) => u16::try_from(st.value).ok(),
        Some(st) => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    st.span,
                    format!("status {} is not allowed", st.value),
                )
                .label("CloudFront cannot answer with this status")
                .help("use one of 200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504"),
            );
            None
        }
    };
    let allow = match &s.allow {
        None => Some(Vec::new()),
        Some(list) => cx.cidrs(
            list,
            "no viewer could see the page",
            Some("list at least one CIDR, or remove `allow` to serve everyone"),
        ),
    };
    if !name_ok {
        return None;
    }
    Some(model::Sorry {
        name: Name(b.name.value.clone()),
        prefix: Prefix::of(&b.name.value)?,
        certificate: certificate?,
        page: page?,
        allow: allow?,
        status: status?,
        aliases: Vec::new(),
        access_logs: s.access_logs.as_ref().is_some_and(|a| a.value),
    })
}

/// `certificate = "new"`: the edge stack validates one name per failover
/// record that points at this site, so there must be one to ten of them.
fn new_certificate(
    cx: &mut Context<'_>,
    keys: &Keys<'_>,
    b: &Block<Sorry>,
    c: &Sp<String>,
) -> Option<Certificate> {
    let site = Ref::new(Kind::Sorry, b.name.value.clone());
    let names = cx.index.referrers(Kind::Failover, &site).len();
    if names > MAX_CERTIFICATE_NAMES {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                c.span,
                format!("{}'s new certificate would need {names} names", keys.what),
            )
            .label("ACM certificates have at most 10 names by default")
            .help("split the failovers over two sorry sites, or use an existing certificate"),
        );
        return None;
    }
    if names == 0 && !cx.index.may_hide(Kind::Failover, &slot::FAILOVER_SECONDARY) {
        cx.push(
            Diagnostic::error(
                Code::MissingKey,
                c.span,
                format!(
                    "{} has a new certificate but no name to put in it",
                    keys.what
                ),
            )
            .label("no failover points at this sorry site")
            .help("the certificate's names are the failover records whose secondary is this site"),
        );
        return None;
    }
    Some(Certificate::New {
        validation: Vec::new(),
    })
}

/// The page: a file, or the built-in page with its title and message.
fn page(cx: &mut Context<'_>, keys: &Keys<'_>, s: &Sorry) -> Option<Page> {
    match (&s.page, &s.title, &s.message) {
        (Some(p), None, None) => cx.read_file(p).map(Page::File),
        (Some(p), t, m) => {
            let other = t.as_ref().or(m.as_ref()).map_or(keys.at, |x| x.span);
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    other,
                    format!("{} has both `page` and the built-in page's text", keys.what),
                )
                .label("ignored when `page` is set")
                .also(p.span, "the page file")
                .help("remove `title`/`message`, or remove `page` to use the built-in page"),
            );
            None
        }
        (None, t, m) => Some(Page::Builtin {
            title: t
                .as_ref()
                .map_or_else(|| "Sorry".to_string(), |t| t.value.clone()),
            message: m.as_ref().map_or_else(
                || "This service is not available right now. Please try again later.".to_string(),
                |m| m.value.clone(),
            ),
        }),
    }
}
