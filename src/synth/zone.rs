//! `[zone.NAME]`: an existing hosted zone produces no resource. The blocks
//! that write records into it name it, with its domain, in their template's
//! metadata (`Context::writes_into`), for reviewers.

use super::context::Context;
use crate::model::Zone;

/// Nothing to add: see the module documentation.
pub(super) fn synth(_cx: &mut Context<'_>, _zone: &Zone) {}
