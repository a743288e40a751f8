"""Budgets and bounds shared by the property and fuzz tests.

- `JIXIAO_FUZZ_EXAMPLES=N` runs every property and fuzz test with N examples,
  randomly seeded (a long run by hand). Unset, each test runs its own small,
  derandomised budget, so CI stays fast and repeatable.
- `JIXIAO_FUZZ_CASE_SECONDS` (default 5, generous for a loaded CI machine) is
  the wall-clock bound on one case; a case that takes longer fails, with the
  example that caused it (a hung case is broken off after `HANG_SECONDS`).
  Run by hand with 1, on an otherwise idle machine, to hold the engine to the
  one-second promise.
- While a fuzz test runs, the process may grow by at most `JIXIAO_FUZZ_MEMORY_MB`
  (default 1024) of address space: a memory bomb fails with `MemoryError` on
  its own example instead of eating the machine (Linux; elsewhere unbounded).
"""
from __future__ import annotations

import os
import re
import signal
import sys
import time
from contextlib import contextmanager
from typing import Iterable, Iterator, Mapping

from hypothesis import HealthCheck, settings

EXAMPLES_ENV = "JIXIAO_FUZZ_EXAMPLES"
LONG_RUN = bool(os.environ.get(EXAMPLES_ENV))
CASE_SECONDS = float(os.environ.get("JIXIAO_FUZZ_CASE_SECONDS", "5"))
MEMORY_MB = int(os.environ.get("JIXIAO_FUZZ_MEMORY_MB", "1024"))

# name of test → (cases run, slowest case in seconds); printed at the end of the session.
STATS: dict[str, list] = {}


def budget(default: int) -> settings:
    """Hypothesis settings: `default` examples in CI, `$JIXIAO_FUZZ_EXAMPLES` by hand."""
    n = int(os.environ[EXAMPLES_ENV]) if LONG_RUN else default
    return settings(
        max_examples=n,
        deadline=None,  # our own bound (`bounded`) is wall-clock and tolerant of a loaded CI box
        derandomize=not LONG_RUN,
        database=None if not LONG_RUN else settings.default.database,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


class CaseTooSlow(BaseException):
    """A single case exceeded its time bound. A BaseException, so no `except
    Exception` in the code under test can swallow it."""


# A case still running after this long is hung: SIGALRM breaks it off. The
# exception then arrives at an arbitrary point (it once left CPython's AST
# constructor in a state that failed the next parse), so this is only the
# last resort; the time bound itself is checked when the case returns.
HANG_SECONDS = max(30.0, 10 * CASE_SECONDS)


@contextmanager
def bounded(name: str, seconds: float = CASE_SECONDS) -> Iterator[None]:
    """Run one case, fail it if it took more than `seconds` of wall time, and
    record how long it took."""
    use_alarm = hasattr(signal, "setitimer")

    def on_alarm(signum, frame):
        raise CaseTooSlow(f"one case hung for {HANG_SECONDS} s")

    if use_alarm:
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        entry = STATS.setdefault(name, [0, 0.0])
        entry[0] += 1
        entry[1] = max(entry[1], elapsed)
    if elapsed > seconds:
        raise CaseTooSlow(f"one case took {elapsed:.2f} s, more than {seconds} s")


@contextmanager
def memory_cap(extra_mb: int = MEMORY_MB) -> Iterator[None]:
    """Lower this process's address-space limit to its current size plus
    `extra_mb` for the duration (Linux only), then restore it."""
    if not sys.platform.startswith("linux"):
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = current + extra_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


_LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def assert_located(diagnostics: Iterable, files: Mapping[str, str]) -> None:
    """Every diagnostic names a known code, a file among `files` (name → text)
    and a line and column inside it, and reads as a whole sentence in both
    languages."""
    from engine.base.messages import CATALOG

    diagnostics = list(diagnostics)
    assert diagnostics, "a failure must come with at least one diagnostic"
    for d in diagnostics:
        assert d.code in CATALOG, f"no message for {d.code}"
        assert d.span is not None, f"{d.code} has no location"
        assert d.span.file in files, f"{d.code} points at unknown file {d.span.file}"
        lines = files[d.span.file].splitlines() or [""]
        assert 1 <= d.span.line <= len(lines) + 1, f"{d.code} at line {d.span.line} of {len(lines)}"
        assert d.span.col >= 1, f"{d.code} at column {d.span.col}"
        for template in CATALOG[d.code]:
            missing = set(_PLACEHOLDER.findall(_required_part(template))) - set(d.args)
            assert not missing, f"{d.code} lacks {missing} for its message"
        for lang in ("zh", "en"):
            assert "\n" not in d.render(lang), f"{d.code} spans lines: {d.render(lang)!r}"


def _required_part(template: str) -> str:
    """The template without its optional `{name?…}` parts."""
    out, depth = [], 0
    i = 0
    while i < len(template):
        optional = re.match(r"\{[a-z_]+\?", template[i:])
        if optional or (depth and template[i] == "{"):
            depth += 1
            i += optional.end() if optional else 1
            continue
        if depth and template[i] == "}":
            depth -= 1
        elif not depth:
            out.append(template[i])
        i += 1
    return "".join(out)


def assert_cli_located(stderr: str, files: Iterable[str]) -> None:
    """Every problem line the CLI printed is `file:line:col: message` for one of
    `files`, and the last line is the count; no traceback."""
    assert "Traceback" not in stderr
    lines = stderr.rstrip("\n").split("\n")
    assert len(lines) >= 2, stderr
    known = set(files)
    for line in lines[:-1]:
        m = _LOCATED.match(line)
        assert m, f"not a located problem: {line[:200]!r}"
        assert m["file"] in known, f"unknown file in {line[:200]!r}"
        assert int(m["line"]) >= 1 and int(m["col"]) >= 1
