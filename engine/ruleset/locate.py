"""Finding a ruleset (查找规则集): by path, by `YEAR/kind` or by id, along a search path.

A ruleset is named three ways: a file path (`rulesets/2019/department.yaml`,
relative to the file that names it or to the working folder), a `YEAR/kind`
name (`2019/department`: the file `2019/department.yaml` in a search folder) or
its `id:` (`wuhan-edz-department-2019`). The search path is the folders given
with `--rulesets` or `JIXIAO_RULESETS`, then `./rulesets`, then the bundled
ones. A name resolves to the first folder that has it; an id held by two
different files is refused, naming both.

A data file comes from a unit and is not trusted: the ruleset it names (and
that ruleset's `extends:` chain) must be on the search path or inside the data
file's own folder — anything else needs the user's own `--ruleset`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.paths import bundled, bundled_root, display_path, is_within

ENV = "JIXIAO_RULESETS"
SUFFIXES = (".yaml", ".yml")
_ID_LINE = re.compile(r"^id:[ \t]*[\"']?([^\"'#\r\n]*?)[\"']?[ \t]*(?:#.*)?$", re.M)
_ID_SCAN_BYTES = 64 * 1024  # an `id:` stands at the top of a ruleset
_MAX_DEPTH = 3  # rulesets/<year>/<file>, and one more level for a bureau's own sorting


@dataclass(frozen=True)
class SearchPath:
    """The folders rulesets are looked up in, in order (规则集搜索路径)."""

    folders: tuple[str, ...]

    @classmethod
    def default(cls, given: Iterable[str] = (), environ: dict | None = None) -> "SearchPath":
        """`given` (`--rulesets`), then `JIXIAO_RULESETS`, then `./rulesets`, then the bundled ones."""
        env = (os.environ if environ is None else environ).get(ENV, "")
        candidates = [*given, *(p for p in env.split(os.pathsep) if p), "rulesets", bundled("rulesets")]
        seen: set[str] = set()
        folders = []
        for folder in candidates:
            real = os.path.realpath(folder)
            if real not in seen and os.path.isdir(folder):
                seen.add(real)
                folders.append(folder)
        return cls(tuple(folders))

    def trusts(self, path: str) -> bool:
        """Whether `path` is on the search path or among jixiao's own bundled files."""
        return any(is_within(path, f) for f in (*self.folders, str(bundled_root())))

    def shown(self) -> str:
        return "、".join(display_path(f) for f in self.folders) or "—"


def is_path(ref: str) -> bool:
    """A reference that names a file (it has a file suffix) rather than a ruleset name or id."""
    return ref.lower().endswith((*SUFFIXES, ".json"))


def locate(ref: str, search: SearchPath, *, base: str | None = None, allowed: tuple[str, ...] | None = None, at: SourceSpan | None = None) -> str:
    """The path of the ruleset `ref` names. A file path is taken relative to
    `base` (the folder of the file that names it; else the working folder).
    With `allowed` (a data file's own folder), a path must lie inside one of
    those folders or on the search path. Raises `DiagnosticError` located `at`."""
    ref = ref.strip()
    if is_path(ref):
        path = os.path.normpath(os.path.join(base or os.getcwd(), os.path.expanduser(ref) if allowed is None else ref))
        if allowed is not None and not any(is_within(path, f) for f in allowed) and not search.trusts(path):
            raise DiagnosticError([Diagnostic("locate.outside", at, {"ref": ref})])
        return path
    if "/" in ref or "\\" in ref:
        for folder in search.folders:
            for suffix in SUFFIXES:
                path = os.path.join(folder, *re.split(r"[/\\]", ref)) + suffix
                if os.path.isfile(path):
                    return path
    else:
        found = [p for p, i in ruleset_ids(search) if i == ref]
        distinct = {os.path.realpath(p): p for p in found}
        if len(distinct) > 1:
            first, second = list(distinct.values())[:2]
            raise DiagnosticError([Diagnostic("locate.same_id", at, {"id": ref, "first": display_path(first), "second": display_path(second)})])
        if found:
            return found[0]
    raise DiagnosticError([Diagnostic("locate.unknown", at, {"ref": ref, "folders": search.shown(), "suggestion": _nearest(ref, search)})])


def ruleset_files(search: SearchPath) -> Iterator[tuple[str, str]]:
    """Every ruleset file on the search path with its `YEAR/kind` name
    (first folder wins for a name), in order."""
    seen: set[str] = set()
    for folder in search.folders:
        for path in _yaml_files(folder):
            name = os.path.splitext(os.path.relpath(path, folder))[0].replace(os.sep, "/")
            if name not in seen:
                seen.add(name)
                yield path, name


def ruleset_ids(search: SearchPath) -> Iterator[tuple[str, str]]:
    """(path, id) for every ruleset on the search path that states an `id:`."""
    for path, _ in ruleset_files(search):
        rid = _id_of(path)
        if rid:
            yield path, rid


def _id_of(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(_ID_SCAN_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    m = _ID_LINE.search(head)
    return m.group(1).strip() if m else None


def _yaml_files(folder: str) -> Iterator[str]:
    top = folder.rstrip(os.sep).count(os.sep)
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if here.count(os.sep) - top < _MAX_DEPTH - 1 else []
        for f in sorted(files):
            path = os.path.join(here, f)
            if f.endswith(SUFFIXES) and not f.startswith(".") and os.path.isfile(path):
                yield path


def _nearest(ref: str, search: SearchPath) -> str:
    import difflib  # only when a name is wrong (cold start)

    names = [n for _, n in ruleset_files(search)] + [i for _, i in ruleset_ids(search)]
    return "、".join(difflib.get_close_matches(ref, names, n=3, cutoff=0.5))


def find_by_year(args: list[str], search: SearchPath) -> list[str]:
    """Ruleset references as given, where a bare year (`2019`) is the file of
    that year's folder on the search path with the name of another ruleset
    given (`2020` beside `2019/department` is `2020/department`), else the
    folder's only ruleset. Other references are located as `locate` does."""
    out: list[str | None] = [None if _is_year(a) and not os.path.exists(a) else locate(a, search) for a in args]
    problems: dict[int, Diagnostic] = {}
    for _ in range(2):  # a second pass settles a year by one resolved on the first
        for i, arg in enumerate(args):
            if out[i] is not None:
                continue
            like = next((os.path.basename(o) for o in out if o is not None), None)
            folder = next((os.path.join(f, arg) for f in search.folders if os.path.isdir(os.path.join(f, arg))), None)
            if folder is None:
                problems[i] = Diagnostic("inherit.no_year", None, {"year": arg, "folders": search.shown()})
                continue
            files = sorted(f for f in os.listdir(folder) if f.endswith(SUFFIXES))
            pick = like if like in files else files[0] if len(files) == 1 else None
            if pick is None:
                problems[i] = Diagnostic("inherit.which_ruleset", None, {"year": arg, "files": ", ".join(files)})
                continue
            out[i] = os.path.join(folder, pick)
            problems.pop(i, None)
    if problems:
        raise DiagnosticError({(d.code, d.args["year"]): d for d in problems.values()}.values())
    return [o for o in out if o is not None]


def _is_year(arg: str) -> bool:
    return len(arg) == 4 and arg.isdigit()
