//! The TOML front end: `*.topo.toml` text → [`crate::spec::Topology`].
//!
//! It walks toml's spanned document tree by hand rather than through
//! `#[derive(Deserialize)]`, because serde stops at the first unknown key or
//! wrong type, and we report every one of them in a single run. It knows no
//! block kind in particular: [`Kind`] names the kinds, and each block's
//! [`Table`] lists its keys and what each takes. This module checks shape
//! only (keys, TOML types, the form of references); what the values mean is
//! `validate`'s job.
//!
//! A key that cannot be read is recorded as broken in its block, and a block
//! that cannot be read at all as lost, so that validation neither reports
//! them missing nor reports references to them as dangling: one mistake, one
//! diagnostic.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Code, Diagnostic, article, did_you_mean};
use crate::kind::{Kind, Slot};
use crate::source::Span;
use crate::spec::{Broken, Field, Lost, Ref, Sp, SpList, Table, Topology};

#[cfg(any(test, feature = "cli"))]
/// The text of a topology file. TOML is UTF-8: bytes that are not are a
/// `toml-syntax` error at the first one, with the text decoded lossily
/// (what comes before that byte is exact, so the span is right).
pub fn decode(bytes: Vec<u8>) -> Result<String, (String, Diagnostic)> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::error(
                Code::TomlSyntax,
                Span::new(at..at + 1),
                format!("invalid TOML: the file is not UTF-8 (byte 0x{byte:02X})"),
            )
            .label("not UTF-8")
            .help("TOML files are UTF-8: save the file as UTF-8");
            Err((text, d))
        }
    }
}

/// Parses TOML text into a spec, collecting every shape problem.
pub fn parse(text: &str) -> (Topology, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().map(Span::new).unwrap_or_default();
            let msg = e.message().trim().trim_end_matches('.').to_string();
            diags.push(
                Diagnostic::error(Code::TomlSyntax, span, format!("invalid TOML: {msg}"))
                    .help("see https://toml.io for the syntax"),
            );
        }
        return (Topology::default(), diags);
    }
    let mut topo = Topology::default();
    let mut cx = Cx { diags: &mut diags };
    for (key, value) in doc.get_ref() {
        let name = key.get_ref().as_ref();
        let key_span = span(key);
        match Kind::from_name(name) {
            Some(Kind::Stack) => {
                let Some(table) = cx.table(value, &What::Words("[stack]")) else {
                    topo.lost.insert(Lost {
                        kind: Kind::Stack,
                        name: None,
                    });
                    continue;
                };
                let block =
                    topo.add_block(Kind::Stack, Sp::new(name.to_string(), key_span), key_span);
                cx.fill(table, block.body, &What::Words("[stack]"), block.broken, "");
            }
            Some(kind) => cx.blocks(&mut topo, kind, value),
            None => {
                let suggestion = did_you_mean(name, Kind::ALL.iter().map(|k| k.name()));
                let mut d = Diagnostic::error(
                    Code::UnknownKind,
                    key_span,
                    format!("unknown block kind `{name}`"),
                )
                .label("not a block kind");
                d = if let Some(s) = suggestion {
                    d.help(format!("did you mean `[{s}]`?"))
                } else {
                    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                    d.help(format!("block kinds are: {}", kinds.join(", ")))
                };
                cx.diags.push(d);
                // References to the blocks it was meant to hold are not dangling.
                if let Some(kind) = suggestion.and_then(Kind::from_name) {
                    lose_all(&mut topo, kind, value);
                }
            }
        }
    }
    (topo, diags)
}

/// Records every block under a kind's table as lost (or the whole kind,
/// when the table has none).
fn lose_all(topo: &mut Topology, kind: Kind, value: &Spanned<DeValue<'_>>) {
    match value.get_ref().as_table() {
        Some(t) if kind != Kind::Stack => {
            for (name, _) in t {
                topo.lost.insert(Lost {
                    kind,
                    name: Some(name.get_ref().to_string()),
                });
            }
        }
        _ => {
            topo.lost.insert(Lost { kind, name: None });
        }
    }
}

fn span<T>(s: &Spanned<T>) -> Span {
    Span::new(s.span())
}

struct Cx<'d> {
    diags: &'d mut Vec<Diagnostic>,
}

/// What a value is, as a diagnostic names it (`` `type` in [instance.web] ``):
/// put into words only when a diagnostic is made. Formatted for every key
/// read, it was two strings per key, and a tenth of reading 20,000 blocks.
#[derive(Clone, Copy)]
enum What<'a> {
    /// Words as they are.
    Words(&'a str),
    /// `` `key` in WHAT ``.
    Key(&'a str, &'a What<'a>),
    /// `each item of WHAT`.
    Item(&'a What<'a>),
    /// `` tag `key` ``.
    Tag(&'a str),
    /// `[kind.NAME]`.
    Block(Kind, &'a str),
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Words(w) => f.write_str(w),
            What::Key(key, of) => write!(f, "`{key}` in {of}"),
            What::Item(of) => write!(f, "each item of {of}"),
            What::Tag(key) => write!(f, "tag `{key}`"),
            What::Block(kind, name) => write!(f, "[{kind}.{name}]"),
        }
    }
}

impl Cx<'_> {
    fn wrong_type(&mut self, v: &Spanned<DeValue<'_>>, want: &str, what: &What<'_>) {
        self.diags.push(
            Diagnostic::error(
                Code::WrongType,
                span(v),
                format!(
                    "{what} must be {want}, not {} {}",
                    article(v.get_ref().type_str()),
                    v.get_ref().type_str()
                ),
            )
            .label(format!("expected {want}")),
        );
    }

    fn table<'t, 'i>(
        &mut self,
        v: &'t Spanned<DeValue<'i>>,
        what: &What<'_>,
    ) -> Option<&'t DeTable<'i>> {
        if let Some(t) = v.get_ref().as_table() {
            Some(t)
        } else {
            self.wrong_type(v, "a table", what);
            None
        }
    }

    /// The `[kind.NAME]` blocks under a kind's table.
    fn blocks(&mut self, topo: &mut Topology, kind: Kind, value: &Spanned<DeValue<'_>>) {
        let Some(table) = self.table(value, &What::Words(&format!("`{kind}`"))) else {
            topo.lost.insert(Lost { kind, name: None });
            return;
        };
        for (name, v) in table {
            let name = Sp::new(name.get_ref().to_string(), span(name));
            let Some(t) = self.table(v, &What::Block(kind, &name.value)) else {
                topo.lost.insert(Lost {
                    kind,
                    name: Some(name.value),
                });
                continue;
            };
            let at = name.span;
            let what = What::Block(kind, &name.value).to_string();
            let block = topo.add_block(kind, name, at);
            self.fill(t, block.body, &What::Words(&what), block.broken, "");
        }
    }

    /// Fills `target` from `table`, reporting every unknown key and wrong
    /// type. `prefix` is the path of `target` within its block (`hours.`).
    fn fill(
        &mut self,
        table: &DeTable<'_>,
        target: &mut dyn Table,
        what: &What<'_>,
        broken: &mut Broken,
        prefix: &str,
    ) {
        let mut fields = target.fields();
        let keys: Vec<&'static str> = fields.iter().map(|(k, _)| *k).collect();
        for (k, v) in table {
            let key = k.get_ref().as_ref();
            let Some((_, field)) = fields.iter_mut().find(|(name, _)| *name == key) else {
                let suggestion = did_you_mean(key, keys.iter().copied());
                // The block is not what its author meant: it stays out of the
                // model (see `Broken`).
                broken.insert(format!("{prefix}{key}"));
                let mut d = Diagnostic::error(
                    Code::UnknownKey,
                    span(k),
                    format!("unknown key `{key}` in {what}"),
                )
                .label("unknown key");
                d = match suggestion {
                    Some(s) => {
                        // The key it was meant to be is not missing.
                        broken.insert(format!("{prefix}{s}"));
                        d.help(format!("did you mean `{s}`?"))
                    }
                    None => d.help(format!("the keys of {what} are: {}", keys.join(", "))),
                };
                self.diags.push(d);
                continue;
            };
            let what = What::Key(key, what);
            if !self.value(field, v, &what, broken, prefix, key) {
                broken.insert(format!("{prefix}{key}"));
            }
        }
    }

    /// Reads one value into its field; false when it could not be read.
    fn value(
        &mut self,
        field: &mut Field<'_>,
        v: &Spanned<DeValue<'_>>,
        what: &What<'_>,
        broken: &mut Broken,
        prefix: &str,
        key: &str,
    ) -> bool {
        match field {
            Field::Text(slot) => store(slot, self.string(v, what)),
            Field::Int(slot) => store(slot, self.int(v, what)),
            Field::Flag(slot) => {
                let value = v.get_ref().as_bool().map(|b| Sp::new(b, span(v)));
                if value.is_none() {
                    self.wrong_type(v, "a boolean", what);
                }
                store(slot, value)
            }
            Field::List(slot) => store(slot, self.strings(v, what)),
            Field::Ref(slot, kinds) => {
                let r = self.string(v, what).and_then(|s| self.reference(&s, kinds));
                store(slot, r)
            }
            Field::Table(nested) => {
                let Some(t) = self.table(v, what) else {
                    return false;
                };
                self.fill(t, nested.create(span(v)), what, broken, &format!("{prefix}{key}."));
                true
            }
            Field::WordOrTable(choice) => {
                if let Some(s) = v.get_ref().as_str() {
                    choice.set_word(Sp::new(s.to_string(), span(v)));
                    return true;
                }
                let Some(t) = v.get_ref().as_table() else {
                    self.wrong_type(v, "a string or a table", what);
                    return false;
                };
                self.fill(t, choice.create(span(v)), what, broken, &format!("{prefix}{key}."));
                true
            }
            Field::Map(pairs) => {
                let Some(t) = self.table(v, what) else {
                    return false;
                };
                for (k, x) in t {
                    let key = k.get_ref().as_ref();
                    if let Some(value) = self.string(x, &What::Tag(key)) {
                        pairs.push((Sp::new(key.to_string(), span(k)), value));
                    }
                }
                true
            }
        }
    }

    fn string(&mut self, v: &Spanned<DeValue<'_>>, what: &What<'_>) -> Option<Sp<String>> {
        if let Some(s) = v.get_ref().as_str() {
            Some(Sp::new(s.to_string(), span(v)))
        } else {
            self.wrong_type(v, "a string", what);
            None
        }
    }

    fn int(&mut self, v: &Spanned<DeValue<'_>>, what: &What<'_>) -> Option<Sp<i64>> {
        let Some(i) = v.get_ref().as_integer() else {
            self.wrong_type(v, "an integer", what);
            return None;
        };
        if let Ok(n) = i64::from_str_radix(i.as_str(), i.radix()) {
            Some(Sp::new(n, span(v)))
        } else {
            self.diags.push(
                Diagnostic::error(Code::InvalidValue, span(v), format!("{what} is too large"))
                    .label("out of range"),
            );
            None
        }
    }

    fn strings(&mut self, v: &Spanned<DeValue<'_>>, what: &What<'_>) -> Option<SpList> {
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(v, "an array of strings", what);
            return None;
        };
        // Every item is checked; a list with an unreadable item is not read
        // at all, so that validation does not judge what is left of it.
        let list: Vec<Option<Sp<String>>> = items
            .iter()
            .map(|item| self.string(item, &What::Item(what)))
            .collect();
        let list = list.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Sp::new(list, span(v)))
    }

    /// Parses `"kind.name"` for a slot that accepts `slot.kinds`.
    fn reference(&mut self, r: &Sp<String>, slot: &Slot) -> Option<Sp<Ref>> {
        let usual = slot.kinds[0];
        let Some((kind, name)) = r.value.split_once('.') else {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidReference,
                    r.span,
                    format!("`{}` is not a reference", r.value),
                )
                .label(format!("expected `\"{usual}.NAME\"`"))
                .help(format!("refer to a block as \"{usual}.NAME\"")),
            );
            return None;
        };
        let Some(kind) = Kind::from_name(kind) else {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidReference,
                    r.span,
                    format!("`{kind}` is not a block kind"),
                )
                .label(format!("expected `{usual}.NAME`"))
                .help(slot.hint()),
            );
            return None;
        };
        if let Err(d) = slot.accepts(kind, &r.value, r.span) {
            self.diags.push(d);
            return None;
        }
        Some(Sp::new(Ref::new(kind, name), r.span))
    }
}

/// Stores a value read into its slot; false when there was none.
fn store<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    let read = value.is_some();
    if read {
        *slot = value;
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unknown_key_and_wrong_type_is_reported() {
        let (_, diags) = parse(
            "[stack]\nname = 1\nregoin = \"x\"\n[instance.web]\namii = \"a\"\nsubnets = \"s\"\n",
        );
        let mut codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                Code::UnknownKey,
                Code::UnknownKey,
                Code::WrongType,
                Code::WrongType
            ]
        );
    }

    #[test]
    fn unreadable_keys_are_broken_not_missing() {
        let (topo, _) = parse(
            "[stack]\nname = \"x\"\nregoin = \"y\"\n[instance.web]\ntype = 3\nhours = { start = 9 }\n[instanse.db]\n",
        );
        let stack = topo.stack.as_ref().unwrap();
        // The unknown key, and the key it was probably meant to be.
        assert_eq!(
            stack.broken,
            Broken::from(["regoin".to_string(), "region".to_string()])
        );
        let web = &topo.instances[0];
        assert_eq!(
            web.broken,
            Broken::from(["hours.start".to_string(), "type".to_string()])
        );
        assert_eq!(
            topo.lost,
            [Lost {
                kind: Kind::Instance,
                name: Some("db".into())
            }]
            .into()
        );
    }

    #[test]
    fn an_unknown_key_without_a_close_match_lists_the_keys() {
        let (_, diags) = parse("[zone.public]\ncolour = \"blue\"\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].help.as_deref(),
            Some("the keys of [zone.public] are: id, domain, private")
        );
    }

    #[test]
    fn an_unknown_kind_without_a_close_match_lists_every_kind() {
        let (_, diags) = parse("[database.main]\nsubnets = []\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::UnknownKind);
        let help = diags[0].help.as_deref().unwrap();
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(help, format!("block kinds are: {}", kinds.join(", ")));
    }

    #[test]
    fn text_that_is_not_utf8_is_located_at_its_first_bad_byte() {
        let (text, d) = decode(b"[stack]\nname = \"caf\xe9\"\n".to_vec()).unwrap_err();
        assert_eq!(d.code, Code::TomlSyntax);
        assert_eq!(d.primary.span, Span::new(19..20));
        assert!(text.starts_with("[stack]\nname = \"caf\u{fffd}"));
        assert_eq!(decode(b"x = 1".to_vec()).unwrap(), "x = 1");
    }

    #[test]
    fn references_are_typed_once() {
        let (topo, diags) = parse(
            "[failover.www]\nzone = \"zone.public\"\nprimary = \"alb.front\"\nsecondary = \"instance.web\"\n",
        );
        let f = &topo.failovers[0].body;
        assert_eq!(f.zone.as_ref().unwrap().value.kind, Kind::Zone);
        assert_eq!(f.primary.as_ref().unwrap().value.to_string(), "alb.front");
        assert!(f.secondary.is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::WrongReferenceKind);
        assert_eq!(
            topo.failovers[0].broken,
            Broken::from(["secondary".to_string()])
        );
    }
}
