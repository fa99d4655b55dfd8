#!/usr/bin/env python3
"""The public Rust API of a crate, one sorted line per item, from rustdoc JSON.

Usage: public_api.py CRATE.json > listing   (counts per kind go to stderr)

The JSON is what stable rustdoc writes with
`RUSTC_BOOTSTRAP=1 cargo rustdoc --lib -- -Z unstable-options
--output-format json --document-hidden-items` (see public_api.sh).

What is listed, from the crate root down:
- modules, structs, enums and their variants, unions, traits and their
  items, functions, constants, statics, type aliases, macros, and the public
  fields of structs, unions and struct-like variants;
- the methods, associated constants and associated types of inherent impls
  that are `pub`;
- every trait impl written in the crate (derived or by hand) for a listed
  type, or of a listed trait, with the items it defines (`fn <T as Trait>::m`);
- re-exports: an item reachable at several paths is listed with its members
  at its canonical path (where it is defined, if that is public, else the
  shortest path), and once more at each other path, marked `(re-export of
  ...)`. A re-export of an item of another crate is a `pub use` line.

`#[doc(hidden)]` items (or items inside a hidden module) are listed with a
`#[doc(hidden)]` prefix; `#[non_exhaustive]` is shown too. Auto-trait impls
(Send, Sync, Unpin, ...) and blanket impls from other crates (From<T> for T,
Any, Borrow, ...) are left out. Argument names are left out of signatures
(renaming a parameter does not change the API); constant values too.

Stdlib only (Python 3.11). Written against rustdoc JSON format_version 57
(Rust 1.95); another version prints a warning, and any change in what it
renders shows up as a snapshot diff.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter

KNOWN_FORMAT_VERSIONS = {57}
# `#[doc(hidden)]` as rustdoc prints it: the source form today, a HIR debug
# form (`#[attr = Doc(...)]`) perhaps later.
DOC_HIDDEN = re.compile(r"#\[doc\((?:[^)]*[,\s])?hidden\b|\bDoc\b.*\bhidden\b")
LOCAL = 0  # crate_id of the documented crate

# Kinds, in the order the counts are printed.
KINDS = [
    "module",
    "struct",
    "enum",
    "variant",
    "union",
    "field",
    "trait",
    "trait item",
    "function",
    "method",
    "associated const",
    "associated type",
    "inherent impl",
    "trait impl",
    "trait impl item",
    "constant",
    "static",
    "type alias",
    "macro",
    "re-export",
]


class Api:
    def __init__(self, doc: dict):
        self.doc = doc
        self.index = doc["index"]
        self.paths = doc["paths"]
        # id -> list of (path tuple, hidden)
        self.occurrences: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
        self.canonical: dict[str, tuple[str, ...]] = {}
        self.canonical_hidden: dict[str, bool] = {}
        self.external_uses: list[tuple[tuple[str, ...], str, bool]] = []
        self.records: list[tuple[tuple, str, str]] = []  # (sort key, line, kind)

    # ---- lookups -------------------------------------------------------

    def item(self, id_) -> dict | None:
        if id_ is None:
            return None
        return self.index.get(str(id_))

    @staticmethod
    def kind(item: dict) -> str:
        return next(iter(item["inner"]))

    @staticmethod
    def is_hidden(item: dict) -> bool:
        for a in item.get("attrs", []):
            text = a.get("other") if isinstance(a, dict) else a
            if isinstance(text, str) and DOC_HIDDEN.search(text):
                return True
        return False

    @staticmethod
    def is_non_exhaustive(item: dict) -> bool:
        for a in item.get("attrs", []):
            if a == "non_exhaustive" or (
                isinstance(a, dict) and "non_exhaustive" in str(a.get("other", ""))
            ):
                return True
        return False

    @staticmethod
    def is_derived(item: dict) -> bool:
        return any(
            a == "automatically_derived"
            or (isinstance(a, dict) and "automatically_derived" in str(a.get("other", "")))
            for a in item.get("attrs", [])
        )

    def path_of(self, id_, fallback: str) -> str:
        """The path a signature shows for a referenced item."""
        if id_ is not None:
            key = str(id_)
            if key in self.canonical:
                return "::".join(self.canonical[key])
            summary = self.paths.get(key)
            if summary:
                return "::".join(summary["path"])
        return fallback

    # ---- the walk ------------------------------------------------------

    def walk(self) -> None:
        root = self.item(self.doc["root"])
        name = root["name"]
        self.occur(str(self.doc["root"]), (name,), self.is_hidden(root))
        self.walk_module(root, (name,), self.is_hidden(root), stack=())

    def occur(self, key: str, path: tuple[str, ...], hidden: bool) -> None:
        seen = self.occurrences.setdefault(key, [])
        if (path, hidden) not in seen:
            seen.append((path, hidden))

    def walk_module(self, module: dict, prefix, hidden: bool, stack) -> None:
        key = str(module["id"])
        if key in stack or len(stack) > 32:
            return
        stack = stack + (key,)
        for child_id in module["inner"]["module"]["items"]:
            self.walk_child(child_id, prefix, hidden, stack)

    def walk_child(self, child_id, prefix, hidden: bool, stack) -> None:
        child = self.item(child_id)
        if child is None or child.get("visibility") != "public":
            return
        h = hidden or self.is_hidden(child)
        kind = self.kind(child)
        if kind == "use":
            use = child["inner"]["use"]
            target = self.item(use.get("id"))
            if target is None or target["crate_id"] != LOCAL:
                source = self.path_of(use.get("id"), use["source"])
                shown = prefix + (("*",) if use["is_glob"] else (use["name"],))
                self.external_uses.append((shown, source, h))
                return
            h = h or self.is_hidden(target)
            if use["is_glob"]:
                tk = self.kind(target)
                if tk == "module":
                    self.walk_module(target, prefix, h, stack)
                elif tk == "enum":
                    for v in target["inner"]["enum"]["variants"]:
                        variant = self.item(v)
                        if variant is not None:
                            self.occur(str(v), prefix + (variant["name"],), h)
                return
            self.place(target, prefix + (use["name"],), h, stack)
            return
        if kind == "impl":
            return
        self.place(child, prefix + (child["name"],), h, stack)

    def place(self, item: dict, path, hidden: bool, stack) -> None:
        self.occur(str(item["id"]), path, hidden)
        if self.kind(item) == "module":
            self.walk_module(item, path, hidden, stack)

    def choose_canonical(self) -> None:
        for key, occ in self.occurrences.items():
            paths = {p for p, _ in occ}
            summary = self.paths.get(key)
            defined = tuple(summary["path"]) if summary else None
            if defined in paths:
                best = defined
            else:
                best = min(paths, key=lambda p: (len(p), p))
            self.canonical[key] = best
            self.canonical_hidden[key] = all(h for p, h in occ if p == best)

    # ---- rendering -----------------------------------------------------

    def ty(self, t) -> str:
        if t is None:
            return "()"
        (k, v), = t.items() if isinstance(t, dict) else ((t, None),)
        if k == "resolved_path":
            return self.path(v)
        if k == "dyn_trait":
            parts = [self.poly_trait(p) for p in v["traits"]]
            if v.get("lifetime"):
                parts.append(v["lifetime"])
            return "dyn " + " + ".join(parts)
        if k in ("generic", "primitive"):
            return v
        if k == "function_pointer":
            return self.fn_pointer(v)
        if k == "tuple":
            inner = ", ".join(self.ty(x) for x in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if k == "slice":
            return f"[{self.ty(v)}]"
        if k == "array":
            return f"[{self.ty(v['type'])}; {v['len']}]"
        if k == "pat":
            return self.ty(v["type"])
        if k == "impl_trait":
            return "impl " + self.bounds(v)
        if k == "infer":
            return "_"
        if k == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + self.ty(v["type"])
        if k == "borrowed_ref":
            s = "&"
            if v.get("lifetime"):
                s += v["lifetime"] + " "
            if v["is_mutable"]:
                s += "mut "
            return s + self.ty(v["type"])
        if k == "qualified_path":
            self_ty = self.ty(v["self_type"])
            args = self.generic_args(v.get("args"))
            if v.get("trait"):
                return f"<{self_ty} as {self.path(v['trait'])}>::{v['name']}{args}"
            return f"{self_ty}::{v['name']}{args}"
        return json.dumps(t, sort_keys=True)

    def path(self, p: dict) -> str:
        name = p.get("path") or p.get("name") or "?"
        return self.path_of(p.get("id"), name) + self.generic_args(p.get("args"))

    def generic_args(self, a) -> str:
        if not a:
            return ""
        if a == "return_type_notation":
            return "(..)"
        (k, v), = a.items()
        if k == "angle_bracketed":
            parts = [self.generic_arg(x) for x in v.get("args", [])]
            parts += [self.constraint(c) for c in v.get("constraints", [])]
            return f"<{', '.join(parts)}>" if parts else ""
        if k == "parenthesized":
            s = "(" + ", ".join(self.ty(x) for x in v["inputs"]) + ")"
            if v.get("output") is not None:
                s += " -> " + self.ty(v["output"])
            return s
        return json.dumps(a, sort_keys=True)

    def generic_arg(self, g) -> str:
        if g == "infer":
            return "_"
        (k, v), = g.items()
        if k == "lifetime":
            return v
        if k == "type":
            return self.ty(v)
        if k == "const":
            return v.get("expr") or v.get("value") or "_"
        return json.dumps(g, sort_keys=True)

    def constraint(self, c: dict) -> str:
        head = c["name"] + self.generic_args(c.get("args"))
        (k, v), = c["binding"].items()
        if k == "equality":
            return f"{head} = {self.term(v)}"
        return f"{head}: {self.bounds(v)}"

    def term(self, t: dict) -> str:
        (k, v), = t.items()
        if k == "type":
            return self.ty(v)
        return v.get("expr") or v.get("value") or "_"

    def poly_trait(self, p: dict) -> str:
        return self.hrtb(p.get("generic_params")) + self.path(p["trait"])

    def hrtb(self, params) -> str:
        if not params:
            return ""
        return "for<" + ", ".join(self.param(x) for x in params) + "> "

    def bounds(self, bs) -> str:
        return " + ".join(self.bound(b) for b in bs)

    def bound(self, b) -> str:
        (k, v), = b.items()
        if k == "trait_bound":
            modifier = {"maybe": "?", "maybe_const": "~const "}.get(v.get("modifier"), "")
            return modifier + self.hrtb(v.get("generic_params")) + self.path(v["trait"])
        if k == "outlives":
            return v
        if k == "use":
            names = []
            for x in v:
                if isinstance(x, dict):
                    names.append(next(iter(x.values())))
                else:
                    names.append(x)
            return "use<" + ", ".join(names) + ">"
        return json.dumps(b, sort_keys=True)

    def param(self, p: dict) -> str:
        name = p["name"]
        (k, v), = p["kind"].items()
        if k == "lifetime":
            out = v.get("outlives") or []
            return name + (": " + " + ".join(out) if out else "")
        if k == "type":
            s = name
            if v.get("bounds"):
                s += ": " + self.bounds(v["bounds"])
            if v.get("default") is not None:
                s += " = " + self.ty(v["default"])
            return s
        if k == "const":
            s = f"const {name}: {self.ty(v['type'])}"
            if v.get("default") is not None:
                s += " = " + v["default"]
            return s
        return json.dumps(p, sort_keys=True)

    def generics(self, g) -> tuple[str, str]:
        """(`<...>` after the name, ` where ...` at the end)."""
        if not g:
            return "", ""
        params = [
            self.param(p)
            for p in g.get("params", [])
            if not (isinstance(p["kind"], dict) and p["kind"].get("type", {}).get("is_synthetic"))
        ]
        head = f"<{', '.join(params)}>" if params else ""
        preds = [self.predicate(w) for w in g.get("where_predicates", [])]
        return head, (" where " + ", ".join(preds) if preds else "")

    def predicate(self, w: dict) -> str:
        (k, v), = w.items()
        if k == "bound_predicate":
            return self.hrtb(v.get("generic_params")) + f"{self.ty(v['type'])}: {self.bounds(v['bounds'])}"
        if k == "lifetime_predicate":
            return f"{v['lifetime']}: " + " + ".join(v["outlives"])
        if k == "eq_predicate":
            return f"{self.ty(v['lhs'])} = {self.term(v['rhs'])}"
        return json.dumps(w, sort_keys=True)

    @staticmethod
    def header(h: dict) -> str:
        s = ""
        if h.get("is_const"):
            s += "const "
        if h.get("is_async"):
            s += "async "
        if h.get("is_unsafe"):
            s += "unsafe "
        abi = h.get("abi", "Rust")
        if abi != "Rust":
            name = abi if isinstance(abi, str) else next(iter(abi))
            s += f'extern "{name}" '
        return s

    def inputs(self, sig: dict) -> str:
        out = []
        for name, t in sig["inputs"]:
            if name == "self":
                if t == {"generic": "Self"}:
                    out.append("self")
                    continue
                ref = t.get("borrowed_ref") if isinstance(t, dict) else None
                if ref and ref["type"] == {"generic": "Self"}:
                    lt = ref["lifetime"] + " " if ref.get("lifetime") else ""
                    out.append("&" + lt + ("mut " if ref["is_mutable"] else "") + "self")
                    continue
                out.append("self: " + self.ty(t))
                continue
            out.append(self.ty(t))
        if sig.get("is_c_variadic"):
            out.append("...")
        return ", ".join(out)

    def fn_pointer(self, v: dict) -> str:
        s = self.hrtb(v.get("generic_params")) + self.header(v.get("header", {}))
        s += "fn(" + self.inputs(v["sig"]) + ")"
        if v["sig"].get("output") is not None:
            s += " -> " + self.ty(v["sig"]["output"])
        return s

    def function(self, f: dict, path: str) -> str:
        head, where = self.generics(f["generics"])
        s = f"pub {self.header(f['header'])}fn {path}{head}({self.inputs(f['sig'])})"
        if f["sig"].get("output") is not None:
            s += " -> " + self.ty(f["sig"]["output"])
        return s + where

    # ---- emission ------------------------------------------------------

    def add(self, key: tuple, line: str, kind: str, item: dict | None, hidden: bool) -> None:
        prefix = ""
        if hidden:
            prefix += "#[doc(hidden)] "
        if item is not None and self.is_non_exhaustive(item):
            prefix += "#[non_exhaustive] "
        self.records.append((key, prefix + line, kind))

    def emit(self) -> None:
        for key, occ in self.occurrences.items():
            item = self.item(key)
            canon = self.canonical[key]
            hidden = self.canonical_hidden[key]
            self.emit_item(item, canon, hidden)
            for path, h in sorted(set(occ)):
                if path == canon:
                    continue
                word = self.REEXPORT_WORDS.get(self.kind(item), self.kind(item))
                self.add(
                    (path, 0, ""),
                    f"pub {word} {'::'.join(path)} (re-export of {'::'.join(canon)})",
                    "re-export",
                    None,
                    h,
                )
        for path, source, h in self.external_uses:
            self.add((path, 0, ""), f"pub use {'::'.join(path)} = {source}", "re-export", None, h)
        self.emit_impls()

    REEXPORT_WORDS = {
        "module": "mod",
        "function": "fn",
        "constant": "const",
        "type_alias": "type",
        "trait_alias": "trait",
        "proc_macro": "macro",
        "extern_crate": "extern crate",
    }

    def item_head(self, item: dict, path: str) -> str:
        kind = self.kind(item)
        v = item["inner"][kind]
        if kind == "module":
            return f"pub mod {path}"
        if kind in ("struct", "enum", "union"):
            head, where = self.generics(v["generics"])
            return f"pub {kind} {path}{head}{where}"
        if kind == "trait":
            head, where = self.generics(v["generics"])
            s = "pub " + ("unsafe " if v["is_unsafe"] else "") + ("auto " if v["is_auto"] else "")
            s += f"trait {path}{head}"
            if v.get("bounds"):
                s += ": " + self.bounds(v["bounds"])
            return s + where
        if kind == "trait_alias":
            head, where = self.generics(v["generics"])
            return f"pub trait {path}{head} = {self.bounds(v['params'])}{where}"
        if kind == "function":
            return self.function(v, path)
        if kind == "constant":
            return f"pub const {path}: {self.ty(v['type'])}"
        if kind == "static":
            unsafe = "unsafe " if v.get("is_unsafe") else ""
            mut = "mut " if v["is_mutable"] else ""
            return f"pub {unsafe}static {mut}{path}: {self.ty(v['type'])}"
        if kind == "type_alias":
            head, where = self.generics(v["generics"])
            return f"pub type {path}{head}{where} = {self.ty(v['type'])}"
        if kind == "macro":
            return f"pub macro {path}!"
        if kind == "proc_macro":
            mk = v.get("kind", "bang")
            return {"derive": f"pub derive macro {path}", "attr": f"pub attr macro {path}"}.get(
                mk, f"pub macro {path}!"
            )
        if kind == "extern_crate":
            return f"pub extern crate {path}"
        if kind == "variant":
            return f"pub {path}"
        return f"pub {kind} {path}"

    KIND_NAMES = {
        "module": "module",
        "struct": "struct",
        "enum": "enum",
        "union": "union",
        "trait": "trait",
        "trait_alias": "trait",
        "function": "function",
        "constant": "constant",
        "static": "static",
        "type_alias": "type alias",
        "macro": "macro",
        "proc_macro": "macro",
        "extern_crate": "re-export",
        "variant": "variant",
    }

    def emit_item(self, item: dict, canon: tuple, hidden: bool) -> None:
        kind = self.kind(item)
        path = "::".join(canon)
        v = item["inner"][kind]
        self.add((canon, 0, ""), self.item_head(item, path), self.KIND_NAMES.get(kind, kind), item, hidden)
        if kind == "struct":
            self.emit_fields(self.struct_fields(v["kind"]), canon, hidden)
        elif kind == "union":
            self.emit_fields(v["fields"], canon, hidden)
        elif kind == "enum":
            for vid in v["variants"]:
                variant = self.item(vid)
                if variant is None:
                    continue
                vh = hidden or self.is_hidden(variant)
                vpath = canon + (variant["name"],)
                vk = variant["inner"]["variant"]["kind"]
                line = "pub " + "::".join(vpath)
                if isinstance(vk, dict) and "tuple" in vk:
                    tys = []
                    for fid in vk["tuple"]:
                        field = self.item(fid)
                        tys.append(self.ty(field["inner"]["struct_field"]) if field else "_")
                    line += "(" + ", ".join(tys) + ")"
                disc = variant["inner"]["variant"].get("discriminant")
                if disc:
                    line += " = " + disc["expr"]
                self.add((canon, 1, variant["name"], 0), line, "variant", variant, vh)
                if isinstance(vk, dict) and "struct" in vk:
                    self.emit_fields(vk["struct"]["fields"], vpath, vh, key=(canon, 1, variant["name"], 1))
        elif kind == "trait":
            for iid in v["items"]:
                self.emit_assoc(iid, canon, hidden, (canon, 2), "trait item", trait_item=True)

    @staticmethod
    def struct_fields(k) -> list:
        if not isinstance(k, dict):
            return []
        if "plain" in k:
            return k["plain"]["fields"]
        if "tuple" in k:
            return [f for f in k["tuple"] if f is not None]
        return []

    def emit_fields(self, ids, owner: tuple, hidden: bool, key=None) -> None:
        for fid in ids:
            field = self.item(fid)
            if field is None or field.get("visibility") not in ("public", "default"):
                continue
            fh = hidden or self.is_hidden(field)
            line = f"pub {'::'.join(owner + (field['name'],))}: {self.ty(field['inner']['struct_field'])}"
            self.add((key or (owner, 1)) + (field["name"],), line, "field", field, fh)

    def emit_assoc(self, iid, owner: tuple, hidden: bool, key: tuple, kind_name: str,
                   trait_item=False, display_owner: str | None = None) -> None:
        it = self.item(iid)
        if it is None:
            return
        h = hidden or self.is_hidden(it)
        kind = self.kind(it)
        v = it["inner"][kind]
        path = (display_owner or "::".join(owner)) + "::" + it["name"]
        if kind == "function":
            line = self.function(v, path)
            kname = kind_name
        elif kind == "assoc_const":
            line = f"pub const {path}: {self.ty(v['type'])}"
            kname = kind_name if kind_name != "method" else "associated const"
        elif kind == "assoc_type":
            head, where = self.generics(v.get("generics"))
            line = f"pub type {path}{head}"
            if v.get("bounds"):
                line += ": " + self.bounds(v["bounds"])
            line += where
            if v.get("type") is not None:
                line += " = " + self.ty(v["type"])
            kname = kind_name if kind_name != "method" else "associated type"
        else:
            line = f"pub {kind} {path}"
            kname = kind_name
        self.add(key + (it["name"], line), line, kname, it, h)

    def emit_impls(self) -> None:
        done: set[str] = set()
        for key in list(self.occurrences):
            item = self.item(key)
            kind = self.kind(item)
            canon = self.canonical[key]
            hidden = self.canonical_hidden[key]
            if kind in ("struct", "enum", "union"):
                impls = item["inner"][kind]["impls"]
            elif kind == "trait":
                impls = item["inner"]["trait"]["implementations"]
            else:
                continue
            for iid in impls:
                if str(iid) in done:
                    continue
                done.add(str(iid))
                self.emit_impl(self.item(iid), key, canon, hidden)

    def emit_impl(self, impl: dict | None, owner_key: str, owner: tuple, owner_hidden: bool) -> None:
        if impl is None:
            return
        v = impl["inner"]["impl"]
        if v.get("is_synthetic") or v.get("blanket_impl") is not None:
            return
        derived = self.is_derived(impl)
        if derived and self.is_hidden(impl):
            return  # e.g. TrivialClone, which derive(Clone) adds on some toolchains
        trait = v.get("trait")
        if trait is None:
            # Inherent: the pub items, under the type as the impl names it
            # (`Type<'a>::new`); a generic impl gets its own line, since its
            # bounds say for which types the methods exist.
            head, where = self.generics(v["generics"])
            for_s = self.ty(v["for"])
            line = f"impl{head} {for_s}{where}" if head or where else ""
            items = [
                iid for iid in v["items"]
                if (it := self.item(iid)) is not None and it.get("visibility") == "public"
            ]
            if line and items:
                self.add((owner, 2, line, ""), line, "inherent impl", None, owner_hidden)
            for iid in items:
                self.emit_assoc(iid, owner, owner_hidden, (owner, 2, line), "method",
                                display_owner=for_s)
            return
        tid = trait.get("id")
        tsum = self.paths.get(str(tid)) if tid is not None else None
        if tsum and tsum["crate_id"] == LOCAL and str(tid) not in self.canonical:
            return  # a trait nobody outside can name
        # The owner is the implementing type if it is listed, else the trait.
        for_ty = v["for"]
        rp = for_ty.get("resolved_path") if isinstance(for_ty, dict) else None
        if rp and str(rp.get("id")) in self.canonical:
            owner_key = str(rp["id"])
        owner = self.canonical.get(owner_key, owner)
        hidden = self.canonical_hidden.get(owner_key, owner_hidden) or self.is_hidden(impl)
        head, where = self.generics(v["generics"])
        unsafe = "unsafe " if v.get("is_unsafe") else ""
        neg = "!" if v.get("is_negative") else ""
        trait_s = self.path(trait)
        for_s = self.ty(for_ty)
        line = f"{unsafe}impl{head} {neg}{trait_s} for {for_s}{where}"
        key = (owner, 3, line)
        self.add(key + ("",), line, "trait impl", None, hidden)
        for iid in v["items"]:
            it = self.item(iid)
            if it is None or (derived and self.is_hidden(it)):
                continue  # e.g. Eq's assert_receiver_is_total_eq
            self.emit_assoc(
                iid, owner, hidden, key + ("~",), "trait impl item",
                display_owner=f"<{for_s} as {trait_s}>",
            )

    def listing(self) -> tuple[list[str], Counter]:
        self.walk()
        self.choose_canonical()
        self.emit()
        lines, counts, seen = [], Counter(), set()
        for _key, line, kind in sorted(self.records, key=lambda r: (r[0], r[1])):
            if line in seen:
                continue
            seen.add(line)
            lines.append(line)
            counts[kind] += 1
        return lines, counts


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    version = doc.get("format_version")
    if version not in KNOWN_FORMAT_VERSIONS:
        print(
            f"warning: rustdoc JSON format_version {version}; public_api.py was written for "
            f"{sorted(KNOWN_FORMAT_VERSIONS)}: check the listing's diff with care",
            file=sys.stderr,
        )
    lines, counts = Api(doc).listing()
    sys.stdout.write("".join(line + "\n" for line in lines))
    width = max(len(k) for k in KINDS)
    print("public API items:", file=sys.stderr)
    for k in KINDS + sorted(set(counts) - set(KINDS)):
        if counts[k]:
            print(f"  {k:<{width}}  {counts[k]:>6}", file=sys.stderr)
    print(f"  {'total':<{width}}  {sum(counts.values()):>6}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
