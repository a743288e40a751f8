"""Where the server finds rulesets and example data: by id, never by a client's path.

A ruleset's id is its path under a search root without the extension
(`2019/department`). The roots, first match wins: `--rulesets DIR`,
`./rulesets` (the working folder's), then the rulesets shipped with jixiao.
An id is checked against a strict pattern and the file it names must lie
inside its root once symbolic links are followed, so no request can name a
file elsewhere. Saving writes only a file an id names (atomically).
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from decimal import Decimal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from engine import api
from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.base.fileio import write_atomic
from engine.base.paths import bundled
from engine.ruleset.formula import suggest

# Path segments of letters (any script), digits, `-`, `_`, `.` inside; no `..`, no leading dot.
_ID = re.compile(r"[^\W_][\w\-]*(?:\.[\w\-]+)*(?:/[^\W_][\w\-]*(?:\.[\w\-]+)*){0,3}")
_EXTS = (".yaml", ".yml")
DATA_EXTS = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Root:
    """A search root: its real path, and the name files under it are shown with."""

    path: str
    label: str


@dataclass(frozen=True)
class Entry:
    """A ruleset or data file found on the search path."""

    id: str
    path: str  # real path on the server (never sent to a client)
    display: str  # as shown in messages: `rulesets/2019/department.yaml`


def search_path(extra: tuple[str, ...] | list[str] | str | None = None) -> tuple[Root, ...]:
    """The ruleset roots in order, as the command line searches them
    (`api.SearchPath`): `--rulesets` folders, JIXIAO_RULESETS, `./rulesets`, the bundled ones."""
    given = (extra,) if isinstance(extra, str) else tuple(extra or ())
    return roots_of(api.SearchPath.default(given))


def roots_of(search) -> tuple[Root, ...]:
    out: list[Root] = []
    for folder in search.folders:
        real = os.path.realpath(folder)
        if all(r.path != real for r in out):
            out.append(Root(real, os.path.basename(real.rstrip(os.sep)) or "rulesets"))
    return tuple(out)


def data_roots() -> tuple[Root, ...]:
    """Example data offered for previews: the bundled examples."""
    folder = bundled("examples")
    return (Root(os.path.realpath(folder), "examples"),) if os.path.isdir(folder) else ()


def valid_id(ident: str) -> bool:
    return len(ident) <= 200 and _ID.fullmatch(ident) is not None and ".." not in ident


def _inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def find(ident: str, roots: tuple[Root, ...], exts: tuple[str, ...] = _EXTS) -> Entry:
    """The file an id names; `DiagnosticError` (no location) for an id that is
    malformed or names nothing."""
    if not valid_id(ident):
        raise DiagnosticError([Diagnostic("serve.bad_ruleset_id", None, {"id": ident[:80]})])
    rel = ident.replace("/", os.sep)
    for root in roots:
        names = [rel] if rel.endswith(exts) else [rel + e for e in exts]
        for name in names:
            path = os.path.join(root.path, name)
            if os.path.isfile(path) and _inside(path, root.path):
                return Entry(ident, os.path.realpath(path), f"{root.label}/{name.replace(os.sep, '/')}")
    if exts == _EXTS and "/" not in ident:  # a ruleset's own `id:` (wuhan-edz-department-2019)
        found = _by_ruleset_id(ident, roots)
        if found is not None:
            return found
    known = [e.id for e in listing(roots, exts)]
    raise DiagnosticError([Diagnostic("serve.unknown_ruleset", None, {"id": ident, "suggestion": suggest(ident, known)})])


def _by_ruleset_id(ident: str, roots: tuple[Root, ...]) -> Entry | None:
    """The file whose `id:` is `ident` (as the command line finds it), shown by its own id."""
    search = api.SearchPath(tuple(r.path for r in roots))
    try:
        path = api.find_ruleset(ident, search)
    except DiagnosticError:
        return None
    for e in listing(roots):
        if os.path.realpath(path) == e.path:
            return e
    return None


def listing(roots: tuple[Root, ...], exts: tuple[str, ...] = _EXTS, keep_ext: bool = False) -> list[Entry]:
    """Every file on the search path (three folders deep at most), first root
    winning for the same id, sorted by id."""
    seen: dict[str, Entry] = {}
    for root in roots:
        base_depth = root.path.rstrip(os.sep).count(os.sep)
        for folder, dirs, files in os.walk(root.path):
            depth = folder.rstrip(os.sep).count(os.sep) - base_depth
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and depth < 3)
            for f in sorted(files):
                if not f.endswith(exts) or f.startswith("."):
                    continue
                rel = os.path.relpath(os.path.join(folder, f), root.path).replace(os.sep, "/")
                ident = rel if keep_ext else os.path.splitext(rel)[0]
                if valid_id(ident) and ident not in seen and _inside(os.path.join(folder, f), root.path):
                    seen[ident] = Entry(ident, os.path.realpath(os.path.join(folder, f)), f"{root.label}/{rel}")
    return [seen[k] for k in sorted(seen)]


def data_listing() -> list[Entry]:
    return listing(data_roots(), DATA_EXTS, keep_ext=True)


def find_data(ident: str) -> Entry:
    return find(ident, data_roots(), DATA_EXTS)


def save(entry: Entry, text: str, roots: tuple[Root, ...]) -> None:
    """Write a ruleset's new text over its file, atomically; only a file
    inside a search root (checked again here, at the moment of writing)."""
    if not any(_inside(entry.path, r.path) for r in roots):
        raise PermissionError(entry.id)
    write_atomic(entry.path, text)


def set_value(text: str, path: tuple, value) -> str:
    """`text` with the value at `path` (keys and list indexes) replaced,
    everything else (comments, order, layout) kept: ruamel's round-trip
    mode, used only for editing (loading for evaluation is the strict loader)."""
    yaml = YAML(typ="rt")
    yaml.width = 4096  # never wrap a formula
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # the shipped rulesets' layout
    def decimal(r, d):  # exact digits, plain (no tag): 3200, 3921.33
        text = format(d, "f")
        return r.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)

    yaml.representer.add_representer(Decimal, decimal)
    doc = yaml.load(text)
    node = doc
    for key in path[:-1]:
        if isinstance(node, dict) and not isinstance(node.get(key), (dict, list)):
            node[key] = CommentedMap()  # a section or entry the file did not have yet
        node = node[key]
    node[path[-1]] = value
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
