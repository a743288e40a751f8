"""Things made once per object (a plan's table declaration, a sheet's column
map) and kept while it is in use: generated readers, cached by identity."""
from __future__ import annotations

from typing import Any, Callable


def made_for(cache: dict[int, tuple[Any, Any]], obj: Any, make: Callable[[Any], Any], limit: int) -> Any:
    """`make(obj)`, made on first use and kept in `cache` under `id(obj)`; the
    object is kept beside it so a reused id never returns another's; the
    cache is emptied when it holds `limit` entries (a worker sees few plans)."""
    kept = cache.get(id(obj))
    if kept is None or kept[0] is not obj:
        if len(cache) >= limit:
            cache.clear()
        kept = cache[id(obj)] = (obj, make(obj))
    return kept[1]


def generated(made: tuple[str, dict] | None, label: str, name: str) -> Any:
    """The function `name` that generated source defines, `made` being
    (source, the names it is bound to); None when there is no source, or it is
    too large to compile at once (the caller's general path then serves).
    Generated source is jixiao's own: values from a ruleset or a table enter
    it only bound by name or as `repr` literals."""
    if made is None:
        return None
    source, namespace = made
    try:
        exec(compile(source, label, "exec"), namespace)  # noqa: S102 - see above
    except (RecursionError, MemoryError, SyntaxError, ValueError):
        return None
    return namespace[name]
