//! `[sorry.NAME]`: the sorry site a failover falls back to.

use super::{Blank, Body, Field, Sp, SpList, Table, here, int, push};
use crate::kind::Kind;

/// The body of a `[sorry.NAME]` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sorry {
    /// ACM certificate ARN in us-east-1, or `"new"`.
    pub(crate) certificate: Option<Sp<String>>,
    /// Path of the page's HTML, relative to the topology file.
    pub(crate) page: Option<Sp<String>>,
    /// Built-in page title.
    pub(crate) title: Option<Sp<String>>,
    /// Built-in page message.
    pub(crate) message: Option<Sp<String>>,
    /// Viewer IP allow-list.
    pub(crate) allow: Option<SpList>,
    /// HTTP status of the sorry response.
    pub(crate) status: Option<Sp<i64>>,
    /// Access logs of the bucket and the distribution (extension; off by default).
    pub(crate) access_logs: Option<Sp<bool>>,
}

impl Table for Sorry {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("certificate", Field::Text(&mut self.certificate)),
            ("page", Field::Text(&mut self.page)),
            ("title", Field::Text(&mut self.title)),
            ("message", Field::Text(&mut self.message)),
            ("allow", Field::List(&mut self.allow)),
            ("status", Field::Int(&mut self.status)),
            ("access_logs", Field::Flag(&mut self.access_logs)),
        ]
    }
}

impl Body for Sorry {
    const KIND: Kind = Kind::Sorry;
}

impl Sorry {
    /// A sorry site served with `certificate`, an existing ACM certificate
    /// ARN in us-east-1. To have one created, use [`Sorry::new_certificate`].
    #[track_caller]
    pub fn new(certificate: impl Into<String>) -> Self {
        Sorry {
            certificate: Some(here(certificate)),
            ..Sorry::blank()
        }
    }

    /// A sorry site whose certificate is created: `certificate = "new"`. An
    /// edge stack in us-east-1 requests one for the failover records that
    /// point here and validates it through their zone.
    #[track_caller]
    pub fn new_certificate() -> Self {
        Sorry::new("new")
    }

    /// `page`: the path of the page's HTML, read through the `Files` given
    /// to the compiler; otherwise a built-in page is used.
    #[must_use]
    #[track_caller]
    pub fn page(mut self, path: impl Into<String>) -> Self {
        self.page = Some(here(path));
        self
    }

    /// `title` of the built-in page.
    #[must_use]
    #[track_caller]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(here(title));
        self
    }

    /// `message` of the built-in page.
    #[must_use]
    #[track_caller]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(here(message));
        self
    }

    /// Adds a CIDR to `allow`, the viewer IP allow-list. Call once per CIDR.
    #[must_use]
    #[track_caller]
    pub fn allow(mut self, cidr: impl Into<String>) -> Self {
        push(&mut self.allow, cidr);
        self
    }

    /// `status`: the HTTP status of the sorry response (default 503).
    #[must_use]
    #[track_caller]
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(int(status));
        self
    }

    /// `access_logs`: keep the bucket's and the distribution's access logs
    /// for 90 days in a log bucket (off by default).
    #[must_use]
    #[track_caller]
    pub fn access_logs(mut self, on: bool) -> Self {
        self.access_logs = Some(Sp::here(on));
        self
    }
}
