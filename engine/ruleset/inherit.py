"""Ruleset loading and year-to-year inheritance (继承, `extends:`).

A ruleset may name last year's with `extends:` and state only what changes.
`resolve` reads the chain (the file, its parent, …), refusing cycles and
missing parents at the `extends:` that names them, then folds each file onto
its parent, oldest first. Raw trees are merged together with their source
maps, so every value of the resolved ruleset keeps the position of the file
that stated it: diagnostics on the merged ruleset point at the right file, and
`show --resolved` says where each value came from (file, line, year).

Merge rules:
- `indicators` is a list of changes, each naming an indicator by `id`. An
  existing id is patched: the fields given replace last year's (a `scoring`
  naming another method replaces the rule; one without a new method changes
  its parameters); `remove: true` removes it with its children; `parent:` (an
  id, or null for the top level), `after:` or `before:` (a sibling's id) move
  it. An id last year did not have adds an indicator (with name and weight),
  placed by the same keys, else at the end of its parent's list.
- `grades` by `label`, `checks` by `id`: an entry changes, adds or (with
  `remove: true`) removes one; a new grade band is placed by its `min`.
- Mappings (`inputs`, `tables`, `metrics`, `rounding`, …) merge key by key; a
  key set to null (`~`) is removed. Text, numbers and lists are replaced.
- `id`, `year`, `extends` and `cases` belong to each file: never inherited.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping, NamedTuple

from engine.base.digest import digest_of
from engine.base.paths import display_path
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan, sort_key
from engine.ruleset.formula import suggest
from engine.base.sourcemap import SourceMap
from engine.load.yaml_loader import MAX_BYTES, MAX_NODES, load_text, read_file
from engine.ruleset.locate import SearchPath, is_path, locate
from engine.ruleset.model import Ruleset

MAX_CHAIN = 50
OWN_KEYS = ("id", "year", "extends", "cases")  # never inherited
OPS = ("remove", "parent", "after", "before")  # move / remove keys of an indicator change
# Sums of weights that a change can break, and how they are reported at the change.
_AT_CHANGE = {"ruleset.weights_mismatch": "inherit.weights_mismatch", "ruleset.total_mismatch": "inherit.total_mismatch"}
_ABSENT = object()


@dataclass(frozen=True, slots=True)
class Link:
    """One file of an inheritance chain: as shown to the user, its absolute
    path, its own `year:` and the digest of its text."""

    file: str
    path: str
    year: Any
    digest: str


class Layer(NamedTuple):
    """One file of a chain as read: its data, positions and `Link`."""

    raw: Any
    smap: SourceMap
    link: Link


@dataclass(frozen=True)
class Resolved:
    """A ruleset with its chain folded in: raw data, positions of every value
    (in whichever file stated it), a digest over every file, and the chain
    (the file asked for first, then its parent, …)."""

    raw: Any
    smap: SourceMap
    digest: str
    chain: tuple[Link, ...]
    # Parent indicator name ("" for the top level) → the newest change that
    # altered its children's weights (to report a sum that no longer adds up
    # where it was broken, not where last year stated the parent's weight).
    touched: Mapping[str, SourceSpan] = field(default_factory=dict)
    # Indicator id → where the newest file that changes it does so (its entry's id).
    changed: Mapping[str, SourceSpan] = field(default_factory=dict)

    def year_of(self, file: str) -> Any:
        """The year of the chain's file shown as `file` (None if unknown)."""
        return next((link.year for link in self.chain if link.file == file), None)


def load_resolved(path: str, display: str | None = None, search: SearchPath | None = None) -> tuple[Any, SourceMap, str]:
    """Raw ruleset data with its chain merged in, positions, and the digest
    of every file in the chain (the compiled-plan cache key)."""
    r = resolve_chain(path, display, search)
    return r.raw, r.smap, r.digest


def resolve_chain(path: str, display: str | None = None, search: SearchPath | None = None, allowed: tuple[str, ...] | None = None, text: str | None = None) -> Resolved:
    """Read `path` and every ruleset it extends; merge them. `extends:` names
    a file (relative to the file that says it) or a ruleset on `search`; with
    `allowed`, every file of the chain must lie in those folders or on the
    search path (a chain named by a data file). Raises `DiagnosticError` with
    every problem found in the merge. With `text`, that is the file's content
    (a draft being edited); its parents are read from disk."""
    layers = _read_chain(path, display or path, search or SearchPath.default(), allowed, text)
    raw, smap = layers[-1].raw, layers[-1].smap
    touched: dict[str, SourceSpan] = {}
    changed: dict[str, SourceSpan] = {}
    if len(layers) > 1:
        if not isinstance(raw, dict):  # the parent all others extend: an empty file has no position of its own
            raise DiagnosticError([Diagnostic("ruleset.not_mapping", smap.value(()) or SourceSpan(layers[-1].link.file, 1, 1))])
        for r, s, _ in layers:
            _expand_shorthands(r, s)
        for child_raw, child_smap, _ in reversed(layers[:-1]):
            merge = _Merge(smap, child_smap)
            raw, smap = merge.ruleset(raw, child_raw)
            touched.update(merge.touched)
            changed.update(merge.changed)
    chain = tuple(link for _, _, link in layers)
    if len(chain) == 1:
        digest = chain[0].digest
    else:
        digest = "sha256:" + hashlib.sha256("\n".join(link.digest for link in chain).encode()).hexdigest()
    return Resolved(raw, smap, digest, chain, touched, changed)


def _read_chain(path: str, display: str, search: SearchPath, allowed: tuple[str, ...] | None, given: str | None = None) -> list[Layer]:
    layers: list[Layer] = []
    seen: set[str] = set()
    via: SourceSpan | None = None  # the `extends:` that named this file
    chain_bytes = chain_values = 0
    while True:
        real = os.path.realpath(path)
        if real in seen:
            cycle = " → ".join([link.file for *_, link in layers] + [display])
            raise DiagnosticError([Diagnostic("inherit.cycle", via, {"cycle": cycle})])
        seen.add(real)
        try:
            text = given if given is not None and not layers else read_file(path, display)
        except DiagnosticError as e:
            if via is not None and e.diagnostics and e.diagnostics[0].code == "load.not_found":
                raise DiagnosticError([Diagnostic("inherit.parent_not_found", via, {"path": display})]) from None
            if via is not None:  # a parent that cannot be read (a name too long, a folder, no permission): at the `extends:` naming it
                raise DiagnosticError([Diagnostic(d.code, via, d.args) for d in e.diagnostics]) from None
            raise
        raw, smap = load_text(text, display)
        _looks_like_a_ruleset(raw, smap, display)
        # The loader's caps hold for the whole chain, not for each file: 50
        # files at the cap would be 50 times the work of one.
        chain_bytes += len(text)
        chain_values += len(smap.values)
        if via is not None and (chain_bytes > MAX_BYTES or chain_values > MAX_NODES):
            raise DiagnosticError([Diagnostic("inherit.chain_too_large", via, {"values": MAX_NODES, "mb": MAX_BYTES // (1024 * 1024)})])
        year = raw.get("year") if isinstance(raw, dict) else None
        layers.append(Layer(raw, smap, Link(display, real, year, digest_of(text))))
        ext = raw.get("extends") if isinstance(raw, dict) else None
        if ext is None:
            return layers
        if not isinstance(ext, str) or not ext.strip():
            raise DiagnosticError([Diagnostic("inherit.bad_extends", smap.value(("extends",)))])
        if len(layers) >= MAX_CHAIN:
            raise DiagnosticError([Diagnostic("inherit.chain_too_long", smap.value(("extends",)), {"limit": MAX_CHAIN})])
        via = smap.value(("extends",))
        if is_path(ext):
            display = os.path.normpath(os.path.join(os.path.dirname(display), ext))
        path = locate(ext, search, base=os.path.dirname(os.path.abspath(path)), allowed=allowed, at=via)
        if not is_path(ext):
            display = display_path(path)


def _looks_like_a_ruleset(raw: Any, smap: SourceMap, display: str) -> None:
    """A mapping with none of a ruleset's keys is some other file (`/etc/shadow`
    reads as YAML keys): refused as a whole, so no message quotes its lines."""
    if isinstance(raw, dict) and raw and not any(k in Ruleset.model_fields for k in raw):
        raise DiagnosticError([Diagnostic("ruleset.not_a_ruleset", smap.value(()) or SourceSpan(display, 1, 1))])


def _expand_shorthands(raw: Any, smap: SourceMap) -> None:
    """`scoring: threshold` → `{method: threshold}`, `metrics: {率: 公式}` →
    `{率: {formula: 公式}}`, in place, positions kept: so that a change of one
    parameter or of a metric's formula merges with the rest of it."""
    if not isinstance(raw, dict):
        return

    def expand(container: dict, key: Any, path: tuple, inner: str) -> None:
        value = container[key]
        if isinstance(value, (str, Decimal)):
            container[key] = {inner: value if isinstance(value, str) else format(value, "f")}
            for table in (smap.values, smap.styles):
                if path in table:
                    table[path + (inner,)] = table[path]

    metrics = raw.get("metrics")
    if isinstance(metrics, dict):
        for name in metrics:
            expand(metrics, name, ("metrics", name), "formula")
    defaults = raw.get("scoring_defaults")
    if isinstance(defaults, dict):
        for op in defaults:
            expand(defaults, op, ("scoring_defaults", op), "method")

    def walk(nodes: Any, path: tuple) -> None:
        if not isinstance(nodes, list):
            return
        for i, node in enumerate(nodes):
            if isinstance(node, dict):
                if "scoring" in node:
                    expand(node, "scoring", path + (i, "scoring"), "method")
                walk(node.get("children"), path + (i, "children"))

    walk(raw.get("indicators"), ("indicators",))


# A value and where it came from: (value, source map, path in that map).
Sourced = tuple


@dataclass
class _Item:
    """An indicator while a change list is applied: its fields (each sourced,
    or a pending merge of two), and its children."""

    key: str | None
    fields: dict[str, Any]
    node: tuple[SourceMap, tuple]
    children: list["_Item"] | None = None
    children_at: tuple[SourceMap, tuple] | None = None
    opaque: Sourced | None = None  # not a mapping: passed through for the schema check


@dataclass
class _Pending:
    """Two sourced values to merge when the destination path is known."""

    base: Sourced
    change: Sourced
    scoring: bool = False


@dataclass
class _Merge:
    """Folds one file (the change) onto its resolved parent (the base)."""

    bs: SourceMap
    cs: SourceMap
    out: SourceMap = field(init=False)
    problems: list[Diagnostic] = field(default_factory=list)
    touched: dict[str, SourceSpan] = field(default_factory=dict)
    changed: dict[str, SourceSpan] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.out = SourceMap(lines={**self.bs.lines, **self.cs.lines})

    # -- positions ---------------------------------------------------------

    def place(self, src: SourceMap, sp: tuple, dp: tuple) -> None:
        """Record the position of the value at `sp` (and of its key) at `dp`."""
        if sp in src.values:
            self.out.values[dp] = src.values[sp]
        if sp in src.keys:
            self.out.keys[dp] = src.keys[sp]
        if sp in src.styles:
            self.out.styles[dp] = src.styles[sp]

    def copy(self, value: Any, src: SourceMap, sp: tuple, dp: tuple) -> Any:
        """Take `value` whole from `src`, recording every position below it."""
        self.place(src, sp, dp)
        if isinstance(value, dict):
            for k, v in value.items():
                self.copy(v, src, sp + (k,), dp + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.copy(v, src, sp + (i,), dp + (i,))
        return value

    def problem(self, code: str, span: SourceSpan | None, **args: Any) -> None:
        self.problems.append(Diagnostic(code, span, args))

    # -- generic values ----------------------------------------------------

    def value(self, base: Sourced, change: Sourced, dp: tuple, scoring: bool = False) -> Any:
        """Mappings merge key by key (null removes); anything else is replaced.
        A scoring rule naming another method is replaced whole."""
        b, bs, bp = base
        c, cs, cp = change
        if isinstance(b, dict) and isinstance(c, dict):
            if scoring and "method" in c and c.get("method") != b.get("method"):
                return self.copy(c, cs, cp, dp)
            return self.mapping(base, change, dp)
        return self.copy(c, cs, cp, dp)

    def mapping(self, base: Sourced, change: Sourced, dp: tuple, scoring_values: bool = False) -> dict:
        b, bs, bp = base
        c, cs, cp = change
        self.place(cs, cp, dp)
        out: dict = {}
        for k, v in b.items():
            if k not in c:
                out[k] = self.copy(v, bs, bp + (k,), dp + (k,))
            elif c[k] is not None:
                out[k] = self.value((v, bs, bp + (k,)), (c[k], cs, cp + (k,)), dp + (k,), scoring_values)
        for k, v in c.items():
            if k in b:
                continue
            if v is None:
                self.problem("inherit.nothing_to_remove", cs.key(cp + (k,)), key=k)
            else:
                out[k] = self.copy(v, cs, cp + (k,), dp + (k,))
        return out

    def emit(self, f: Any, dp: tuple) -> Any:
        if isinstance(f, _Pending):
            return self.value(f.base, f.change, dp, f.scoring)
        value, src, sp = f
        return self.copy(value, src, sp, dp)

    # -- the ruleset -------------------------------------------------------

    def ruleset(self, base: Any, change: Any) -> tuple[Any, SourceMap]:
        """The change folded onto the base, with positions; raises
        `DiagnosticError` with every merge problem."""
        if not isinstance(change, dict):
            return change, self.cs
        if not isinstance(base, dict):
            raise DiagnosticError([Diagnostic("ruleset.not_mapping", self.bs.value(()))])

        self.place(self.cs, (), ())
        order = [k for k in Ruleset.model_fields if k in base or k in change]
        order += [k for k in (*base, *change) if k not in order]
        out: dict = {}
        for key in dict.fromkeys(order):
            inherited = key in base and key not in OWN_KEYS
            if key not in change:
                if inherited:
                    out[key] = self.copy(base[key], self.bs, (key,), (key,))
                continue
            c = change[key]
            if c is None:
                if inherited:
                    continue  # removed
                out[key] = self.copy(c, self.cs, (key,), (key,))
                continue
            if not inherited:
                out[key] = self.copy(c, self.cs, (key,), (key,))
                continue
            b = (base[key], self.bs, (key,))
            ch = (c, self.cs, (key,))
            both_lists = isinstance(base[key], list) and isinstance(c, list)
            if key == "indicators" and both_lists:
                out[key] = self.indicators(base[key], c)
            elif key == "grades" and both_lists:
                out[key] = self.keyed(b, ch, (key,), "label")
            elif key == "checks" and both_lists:
                out[key] = self.keyed(b, ch, (key,), "id")
            elif key == "scoring_defaults" and isinstance(base[key], dict) and isinstance(c, dict):
                out[key] = self.mapping(b, ch, (key,), scoring_values=True)
            else:
                out[key] = self.value(b, ch, (key,))
        if self.problems:
            raise DiagnosticError(sorted(self.problems, key=sort_key))
        return out, self.out

    # -- keyed lists (grades, checks) --------------------------------------

    def keyed(self, base: Sourced, change: Sourced, dp: tuple, keyname: str) -> list:
        b, bs, bp = base
        c, cs, cp = change
        items: list[tuple[Any, Any]] = []  # (key, sourced or pending)
        for i, v in enumerate(b):
            items.append((v.get(keyname) if isinstance(v, dict) else None, (v, bs, bp + (i,))))
        keys = lambda: [k for k, _ in items if k is not None]  # noqa: E731
        for j, e in enumerate(c):
            ep = cp + (j,)
            if not isinstance(e, dict):
                self.problem("inherit.entry_not_mapping", cs.value(ep))
                continue
            k = e.get(keyname)
            if not isinstance(k, str) or not k:
                self.problem("inherit.needs_key", cs.value(ep), key=keyname)
                continue
            at = next((i for i, (key, _) in enumerate(items) if key == k), None)
            if "remove" in e:
                if e["remove"] is not True:
                    self.problem("inherit.bad_remove", cs.value(ep + ("remove",)))
                elif at is None:
                    self.problem("inherit.unknown_entry", cs.value(ep + (keyname,)), key=keyname, value=k, suggestion=suggest(k, keys()))
                else:
                    extra = [x for x in e if x not in (keyname, "remove")]
                    if extra:
                        self.problem("inherit.remove_with_changes", cs.key(ep + (extra[0],)), id=k)
                    del items[at]
                continue
            if at is not None:
                items[at] = (k, _Pending(items[at][1], (e, cs, ep)))
            else:
                items.insert(self._grade_slot(items, e) if keyname == "label" else len(items), (k, (e, cs, ep)))
        self.place(cs, cp, dp)
        return [self.emit(f, dp + (i,)) for i, (_, f) in enumerate(items)]

    @staticmethod
    def _grade_slot(items: list, band: dict) -> int:
        """Where a new grade band goes: before the first band starting lower."""
        new = band.get("min")
        if not isinstance(new, Decimal):
            return len(items)
        for i, (_, f) in enumerate(items):
            v = (f.base if isinstance(f, _Pending) else f)[0]
            if isinstance(f, _Pending) and isinstance(f.change[0], dict) and "min" in f.change[0]:
                v = f.change[0]
            old = v.get("min") if isinstance(v, dict) else None
            if isinstance(old, Decimal) and old < new:
                return i
        return len(items)

    # -- the indicator tree ------------------------------------------------

    def _item(self, node: Any, src: SourceMap, path: tuple, skip: tuple = ()) -> _Item:
        if not isinstance(node, dict):
            return _Item(None, {}, (src, path), opaque=(node, src, path))
        key = node.get("id") or node.get("name")
        fields = {k: (v, src, path + (k,)) for k, v in node.items() if k != "children" and k not in skip}
        item = _Item(key if isinstance(key, str) else None, fields, (src, path))
        kids = node.get("children", _ABSENT)
        if isinstance(kids, list):
            item.children = [self._item(k, src, path + ("children", i)) for i, k in enumerate(kids)]
            item.children_at = (src, path + ("children",))
        elif kids is not _ABSENT:
            fields["children"] = (kids, src, path + ("children",))
        return item

    def indicators(self, base: list, change: list) -> list:
        top = [self._item(n, self.bs, ("indicators", i)) for i, n in enumerate(base)]
        index: dict[str, tuple[_Item, _Item | None]] = {}

        def register(items: list[_Item], parent: _Item | None) -> None:
            for it in items:
                if it.key is not None:
                    index.setdefault(it.key, (it, parent))
                register(it.children or [], it)

        def unregister(it: _Item) -> None:
            if it.key is not None and it.key in index and index[it.key][0] is it:
                del index[it.key]
            for kid in it.children or []:
                unregister(kid)

        def siblings(parent: _Item | None) -> list[_Item]:
            if parent is None:
                return top
            if parent.children is None:
                parent.children = []
            return parent.children

        def inside(it: _Item, other: _Item) -> bool:
            return other is it or any(inside(kid, other) for kid in it.children or [])

        register(top, None)
        cs = self.cs
        patched: set[str] = set()
        for j, e in enumerate(change):
            ep = ("indicators", j)
            if not isinstance(e, dict):
                self.problem("inherit.entry_not_mapping", cs.value(ep))
                continue
            key = e.get("id")
            if not isinstance(key, str) or not key:
                self.problem("inherit.needs_key", cs.value(ep), key="id")
                continue
            if key in patched:
                self.problem("inherit.duplicate_change", cs.value(ep + ("id",)), id=key)
                continue
            patched.add(key)
            self.changed[key] = cs.value(ep + ("id",))
            if not self._ops_ok(e, ep):
                continue
            found = index.get(key)
            if e.get("remove") is True:
                if found is None:
                    self.problem("inherit.unknown_entry", cs.value(ep + ("id",)), key="id", value=key, suggestion=suggest(key, index))
                    continue
                extra = [x for x in e if x not in ("id", "remove")]
                if extra:
                    self.problem("inherit.remove_with_changes", cs.key(ep + (extra[0],)), id=key)
                    continue
                item, parent = found
                siblings(parent).remove(item)
                unregister(item)
                self.touch(parent, cs.value(ep + ("id",)))
                continue
            if found is not None:
                item, parent = found
                if "children" in e:
                    self.problem("inherit.children_in_change", cs.key(ep + ("children",)), id=key)
                for k, v in e.items():
                    if k in OPS or k in ("id", "children"):
                        continue
                    if v is None:
                        if item.fields.pop(k, None) is None:
                            self.problem("inherit.nothing_to_remove", cs.key(ep + (k,)), key=k)
                    elif k in item.fields:
                        item.fields[k] = _Pending(item.fields[k], (v, cs, ep + (k,)), scoring=k == "scoring")
                    else:
                        item.fields[k] = (v, cs, ep + (k,))
                if "weight" in e:
                    self.touch(parent, cs.value(ep + ("weight",)))
                    self.touch(item, cs.value(ep + ("weight",)))
                moving = any(k in e for k in ("parent", "after", "before"))
            else:
                if "name" not in e:
                    self.problem("inherit.unknown_indicator", cs.value(ep + ("id",)), id=key, suggestion=suggest(key, index))
                    continue
                item, parent, moving = self._item(e, cs, ep, skip=OPS), None, True
            if not moving:
                continue
            dest = parent
            if "parent" in e:
                pid = e["parent"]
                if pid is not None and pid not in index:
                    self.problem("inherit.unknown_parent", cs.value(ep + ("parent",)), id=pid, suggestion=suggest(pid, index))
                    continue
                dest = None if pid is None else index[pid][0]
                if found is not None and dest is not None and inside(item, dest):
                    self.problem("inherit.move_into_itself", cs.value(ep + ("parent",)), id=key, parent=pid)
                    continue
            old = siblings(parent) if found is not None else None
            old_at = old.index(item) if old is not None else None
            if old is not None:
                old.remove(item)
            targets = siblings(dest)
            op = "after" if "after" in e else "before" if "before" in e else None
            if op is not None:
                pos = next((i for i, s in enumerate(targets) if s.key == e[op]), None)
                if pos is None:
                    self.problem("inherit.not_sibling" if dest else "inherit.not_top_level", cs.value(ep + (op,)), id=e[op], parent=dest.key if dest else "")
                    if old is not None:
                        old.insert(old_at, item)
                    continue
                slot = pos + 1 if op == "after" else pos
            elif old is targets:
                slot = old_at
            else:
                slot = len(targets)
            targets.insert(slot, item)
            if dest is not parent or found is None:
                self.touch(dest, cs.value(ep + ("id",)))
                if found is not None:
                    self.touch(parent, cs.value(ep + ("id",)))
            if found is not None:
                index[key] = (item, dest)
            else:
                register([item], dest)
        self.place(cs, ("indicators",), ("indicators",))
        return self._emit_items(top, ("indicators",))

    def touch(self, parent: _Item | None, span: SourceSpan | None) -> None:
        """Note the first change in this file that alters `parent`'s children."""
        if span is None:
            return
        name = ""
        if parent is not None:
            f = parent.fields.get("name")
            value = (f.change if isinstance(f, _Pending) else f)[0] if f is not None else None
            name = value if isinstance(value, str) else ""
            if not name:
                return
        self.touched.setdefault(name, span)

    def _ops_ok(self, e: dict, ep: tuple) -> bool:
        ok = True
        if "remove" in e and e["remove"] is not True:
            self.problem("inherit.bad_remove", self.cs.value(ep + ("remove",)))
            ok = False
        for op in ("parent", "after", "before"):
            if op in e and not (isinstance(e[op], str) or (op == "parent" and e[op] is None)):
                self.problem("inherit.bad_reference", self.cs.value(ep + (op,)), key=op)
                ok = False
        if "after" in e and "before" in e:
            self.problem("inherit.after_and_before", self.cs.key(ep + ("before",)))
            ok = False
        return ok

    def _emit_items(self, items: list[_Item], dp: tuple) -> list:
        out = []
        for i, it in enumerate(items):
            p = dp + (i,)
            if it.opaque is not None:
                out.append(self.emit(it.opaque, p))
                continue
            self.place(*it.node, p)
            node = {k: self.emit(f, p + (k,)) for k, f in it.fields.items()}
            if it.children is not None:
                if it.children_at is not None:
                    self.place(*it.children_at, p + ("children",))
                node["children"] = self._emit_items(it.children, p + ("children",))
            out.append(node)
        return out
