"""What the server's parts share: settings, the state kept while it runs,
and helpers for answers (problems, limits) and for running jobs and batches.

Problems in the user's files are HTTP 422 with the diagnostics as JSON (or
shown on the page); any other failure is a 500 carrying a reference that the
log holds with the traceback. No answer carries a traceback or a server path.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import sys
import tempfile
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.templating import Jinja2Templates

from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.base.messages import format_message
from engine.load.yaml_loader import MAX_BYTES, decode_text
from engine.serve import store
from engine.serve.jobs import Problems, diagnostic_dict
from engine.serve.pool import JobFailed, Pool, TimeLimit  # noqa: F401 - TimeLimit: raised by stream_process too
from engine.serve.words import WORDS

log = logging.getLogger("jixiao.serve")
HERE = os.path.dirname(os.path.abspath(__file__))
REPORT_FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "html": "text/html; charset=utf-8", "json": "application/json", "markdown": "text/markdown; charset=utf-8"}
EXTS = {"docx": "docx", "xlsx": "xlsx", "html": "html", "json": "json", "markdown": "md"}


@dataclass
class Settings:
    """How the server runs: search roots, token, workers, limits."""

    roots: tuple[store.Root, ...]
    token: str | None = None
    workers: int = 2
    time_limit: float = 30.0  # seconds per job
    max_body: int = MAX_BYTES + 64 * 1024  # a unit or a ruleset: the loader's own limit
    max_upload: int = 50 * 1024 * 1024  # a batch (zip, table, JSONL)
    batch_time_limit: float = 600.0
    # Host headers accepted (None: any). On 127.0.0.1 only the loopback names
    # are: a web page elsewhere cannot reach the server by a rebound DNS name.
    hosts: tuple[str, ...] | None = None
    uploads: int = 64  # evaluated units kept for the what-if and downloads (oldest dropped)


class TooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


# -- middleware: token, size cap, errors --------------------------------------

def _is_upload(path: str) -> bool:
    return path.startswith(("/api/v1/batch", "/batch")) or path == "/evaluate"  # a batch, or a filled form (up to 20 MB)


def _too_large(limit: int, lang: str) -> Response:
    return _problem_response(413, "serve.too_large", {"limit_mb": max(1, limit // (1024 * 1024))}, lang)


def _problem_response(status: int, code: str, args: dict, lang: str, ref: str | None = None, page: bool = False) -> Response:
    """The problem as JSON (`{"diagnostics": [...]}`), or as a small page for a browser."""
    item = diagnostic_dict(Diagnostic(code, None, args), lang)
    if page:
        import html  # only for this small page

        return HTMLResponse(f'<!doctype html><meta charset="utf-8"><title>{status}</title><p><a href="/">jixiao</a></p><p>{html.escape(item["message"])}</p>', status)
    body: dict[str, Any] = {"diagnostics": [item]}
    if ref:
        body["reference"] = ref
    return JSONResponse(body, status)


def _wants_page(scope) -> bool:
    """A browser asking for a page (not the API, not a script's fetch)."""
    if scope.get("path", "").startswith("/api/"):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return b"text/html" in accept


def _lang(request: Request) -> str:
    given = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return "en" if given == "en" else "zh"


# -- the application ------------------------------------------------------------

@dataclass
class Unit:
    """An uploaded unit kept for its page: its YAML/JSON text or a filled
    form's bytes, the uploaded file's name, the ruleset's id."""

    text: str | bytes
    name: str
    ruleset: str  # id


@dataclass
class State:
    settings: Settings
    pool: Pool | None = None
    units: "OrderedDict[str, Unit]" = field(default_factory=OrderedDict)
    batches: dict = field(default_factory=dict)
    tmp: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="jixiao-serve-"))
    templates: Jinja2Templates = field(init=False)

    def __post_init__(self):
        self.templates = Jinja2Templates(directory=os.path.join(HERE, "templates"))
        self.templates.env.globals["WORDS"] = WORDS

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def keep(self, unit: Unit) -> str:
        uid = secrets.token_urlsafe(9)
        self.units[uid] = unit
        while len(self.units) > self.settings.uploads:
            self.units.popitem(last=False)
        return uid

    def ruleset(self, ident: str) -> store.Entry:
        return store.find(ident, self.settings.roots)

    async def job(self, name: str, *args):
        assert self.pool is not None
        return await self.pool.run(name, *args)


# -- helpers shared by the API and the pages -------------------------------------

def problems_response(items: list[dict], status: int = 422) -> JSONResponse:
    return JSONResponse({"diagnostics": items}, status)


def located(e: DiagnosticError, lang: str) -> list[dict]:
    return [diagnostic_dict(d, lang) for d in e.diagnostics]


async def read_text(request: Request, name: str, limit: int) -> str:
    """The request body as text (UTF-8, BOM allowed), within `limit` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        chunks.append(chunk)
    return decode_text(b"".join(chunks), name)


def safe_name(given: str | None, default: str) -> str:
    """A client-given display name: a label only (never opened), printable, short."""
    if not given:
        return default
    text = "".join(ch for ch in given if ch.isprintable())[:200]
    return text or default


def draft_context(state: State, ident: str | None, name: str | None = None) -> tuple[str, str]:
    """Where a ruleset draft sits (for its `extends:`): the file an id names,
    else a file at the top of the first search folder."""
    if ident:
        e = state.ruleset(ident)
        return e.path, e.display
    root = state.settings.roots[0]
    return os.path.join(root.path, "draft.yaml"), safe_name(name, "draft.yaml")


async def run_job(state: State, lang: str, name: str, *args) -> tuple[Any, Response | None]:
    """(value, None), or (None, the error response): 422 problems, 503 time limit, 500 bug."""
    try:
        return await state.job(name, *args), None
    except Problems as p:
        return None, problems_response(p.items)
    except TimeLimit:
        return None, _problem_response(503, "serve.timeout", {"seconds": _seconds(state.settings.time_limit)}, lang)
    except JobFailed as e:
        ref = uuid.uuid4().hex[:12]
        log.error("internal error, reference %s, job %s:\n%s", ref, name, e.detail)
        return None, _problem_response(500, "serve.internal", {"ref": ref}, lang, ref=ref)


def _seconds(v: float) -> str:
    return format(v, "g")


def batch_command(ruleset_rel: str, inputs: list[str], lang: str, extra: list[str] = ()) -> list[str]:
    """`jixiao batch` as a child process (its own process: stoppable, and its
    messages name files relative to the batch's own folder)."""
    return [sys.executable, "-m", "engine", "batch", *inputs, "--ruleset", ruleset_rel, "--lang", lang, "--jobs", "1", *extra]


def link_roots(state: State, folder: str, entry: store.Entry) -> str:
    """Make the ruleset reachable from `folder` as `rulesets/<id>.yaml` (a link
    to its root, so its `extends:` chain resolves) and return that name."""
    for i, root in enumerate(state.settings.roots):
        if entry.path.startswith(root.path.rstrip(os.sep) + os.sep):
            name = "rulesets" if i == 0 else f"rulesets{i}"
            link = os.path.join(folder, name)
            if not os.path.exists(link):
                os.symlink(root.path, link)
            return os.path.join(name, os.path.relpath(entry.path, root.path))
    raise DiagnosticError([Diagnostic("serve.unknown_ruleset", None, {"id": entry.id, "suggestion": None})])


async def stream_process(cmd: list[str], cwd: str, limit: float):
    """Yield a child process's standard output line by line; stop it past `limit`
    seconds or when the client goes away. The last item is (exit code, stderr)."""
    # The child finds this very engine even when it is run from a checkout, not installed.
    here = os.path.dirname(os.path.dirname(HERE))
    path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "__all__", "PYTHONPATH": path}
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    err_task = asyncio.ensure_future(proc.stderr.read())  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeLimit()
            try:
                line = await asyncio.wait_for(proc.stdout.readline(), remaining)  # type: ignore[union-attr]
            except asyncio.TimeoutError:
                raise TimeLimit() from None
            if not line:
                break
            yield line
        code = await proc.wait()
        yield (code, (await err_task).decode("utf-8", "replace"))
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        err_task.cancel()


