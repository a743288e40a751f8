"""Loading a ruleset (读取规则集): its file and `extends:` chain, merged and compiled
to a `Plan`, cached by the digest of every file in the chain."""
from __future__ import annotations

import os
from dataclasses import replace

from engine.base.diagnostics import Diagnostic, DiagnosticError, sort_key
from engine.ruleset.compile import compile_ruleset
from engine.ruleset.inherit import _AT_CHANGE, Resolved, resolve_chain
from engine.ruleset.locate import SearchPath
from engine.ruleset.plan import Plan

# path → ((display name, content digest), plan): one entry per ruleset file.
_LOAD_CACHE: dict[str, tuple[tuple[str, str], Plan]] = {}


def load_plan(path: str, display: str | None = None, search: SearchPath | None = None, allowed: tuple[str, ...] | None = None) -> Plan:
    """Load and compile the ruleset at `path` with its `extends:` chain
    (cached by content hash; `search` and `allowed` as `resolve_chain` takes them).

    Raises `DiagnosticError` with every problem found."""
    resolved = resolve_chain(path, display, search, allowed)  # the digest covers every file it extends
    # One entry per file, replaced when its content (or display name) changes:
    # a long-running process does not keep every version it ever saw.
    key = os.path.abspath(path)
    stamp = (display or path, resolved.digest)
    cached = _LOAD_CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    plan = compile_resolved(resolved, display or path)
    _LOAD_CACHE[key] = (stamp, plan)
    return plan



def compile_resolved(r: Resolved, file: str):
    """Compile a resolved ruleset. A sum of weights broken by a change is
    reported at that change (naming where the parent's weight is stated)."""
    try:
        return replace(compile_ruleset(r.raw, r.smap, file, r.digest), files=tuple(link.path for link in r.chain))
    except DiagnosticError as e:
        if not r.touched:
            raise
        out = []
        for d in e.diagnostics:
            code = _AT_CHANGE.get(d.code)
            at = r.touched.get(d.args.get("name", "")) if code else None
            if at is not None and d.span is not None and at.file != d.span.file:
                d = Diagnostic(code, at, {**d.args, "stated": f"{d.span.file}:{d.span.line}"})
            out.append(d)
        raise DiagnosticError(sorted(out, key=sort_key)) from None



def load_with_chain(path: str, display: str | None = None, search: SearchPath | None = None) -> tuple[Resolved, Plan]:
    """The resolved ruleset and its compiled `Plan` (for `show`): raises
    `DiagnosticError` with every problem of the merge or of the result."""
    r = resolve_chain(path, display, search)
    return r, compile_resolved(r, display or path)
