"""Things made once per object (a plan's table declaration, a sheet's column
map) and kept while it is in use: generated readers, cached by identity
(`made_for`); values kept by key in a bounded cache (`stored`); and mappings
made once, when first read (`LazyMapping`)."""
from __future__ import annotations

from typing import Any, Callable, Mapping


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


def stored(cache: dict, key: Any, value: Any, limit: int) -> Any:
    """`value`, put in `cache` under `key`; the cache is emptied first when it
    holds `limit` entries, so a batch of ever new keys never grows it without
    end (the caller looks the key up itself: a hit costs no call)."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


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


class LazyMapping(Mapping):
    """A mapping made by `make(*params)` when it is first read, once: what a
    result carries but most outputs never read (a finding's message
    arguments, a unit's narrative). `made()` gives the plain dict."""

    __slots__ = ("_make", "_params", "_made")

    def __init__(self, make: Callable[..., dict], *params: Any) -> None:
        self._make, self._params, self._made = make, params, None

    def made(self) -> dict:
        made = self._made
        if made is None:
            made = self._made = self._make(*self._params)
        return made

    def __getitem__(self, key: str) -> Any:
        return self.made()[key]

    def __iter__(self):
        return iter(self.made())

    def __len__(self) -> int:
        return len(self.made())

    def __repr__(self) -> str:
        return repr(self.made())
