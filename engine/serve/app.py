"""The server: the JSON API under /api/v1/ and the workbench pages.

`create_app(settings)` builds a Starlette application. Every engine call goes
through the worker pool (`engine.serve.pool`); problems in the user's files
are HTTP 422 with the diagnostics as JSON (or shown on the page); any other
failure is a 500 carrying a reference that the log holds with the traceback.
No response ever carries a traceback or a server-side path.
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

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from engine.base.diagnostics import Diagnostic, DiagnosticError
from engine.base.messages import format_message
from engine.load.yaml_loader import MAX_BYTES, decode_text
from engine.serve import store
from engine.serve.jobs import Problems, diagnostic_dict
from engine.serve.pool import JobFailed, Pool, TimeLimit
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

class Guard:
    """Checks the token on every request, caps the request body, and turns
    any unexpected failure into a 500 with a reference (the log has the rest)."""

    def __init__(self, app, settings: Settings):
        self.app, self.settings = app, settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        lang = _lang(request)
        if not self._same_origin(request):
            return await _problem_response(403, "serve.cross_site", {}, lang)(scope, receive, send)
        if self.settings.token and not self._authorised(request):
            if request.query_params.get("token") == self.settings.token:  # a browser's first visit
                resp = RedirectResponse(str(request.url.remove_query_params("token")), 303)
                resp.set_cookie("jixiao_token", self.settings.token, httponly=True, samesite="strict")
                return await resp(scope, receive, send)
            resp = _problem_response(401, "serve.unauthorized", {}, lang)
            resp.headers["WWW-Authenticate"] = "Bearer"
            return await resp(scope, receive, send)
        limit = self.settings.max_upload if _is_upload(scope["path"]) else self.settings.max_body
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return await _too_large(limit, lang)(scope, receive, send)
        seen = 0

        async def capped():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(limit)
            return message

        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped, tracking_send)
        except TooLarge as e:
            if not started:
                await _too_large(e.limit, lang)(scope, receive, send)
        except Exception:  # noqa: BLE001 - the one place a bug becomes a 500 with a reference
            if started:  # answered (and logged with its reference) by `_internal` already
                return
            ref = uuid.uuid4().hex[:12]
            log.exception("internal error, reference %s, %s %s", ref, scope.get("method"), scope.get("path"))
            await _problem_response(500, "serve.internal", {"ref": ref}, lang, ref=ref, page=_wants_page(scope))(scope, receive, send)

    def _same_origin(self, request: Request) -> bool:
        """Refuse what another web site makes a browser send here: a request
        whose Host is not ours, or a change (POST) from a page of another origin."""
        host = request.headers.get("host", "")
        if self.settings.hosts is not None and host not in self.settings.hosts:
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        if request.headers.get("sec-fetch-site") == "cross-site":
            return False
        origin = request.headers.get("origin")
        if origin and origin != "null":
            from urllib.parse import urlsplit

            return urlsplit(origin).netloc == host
        return origin != "null"

    def _authorised(self, request: Request) -> bool:
        token = self.settings.token or ""
        given = request.headers.get("authorization", "")
        if given.startswith("Bearer ") and secrets.compare_digest(given[7:].strip().encode(), token.encode()):
            return True
        cookie = request.cookies.get("jixiao_token", "")
        return bool(cookie) and secrets.compare_digest(cookie.encode(), token.encode())


def _is_upload(path: str) -> bool:
    return path.startswith(("/api/v1/batch", "/batch"))


def _too_large(limit: int, lang: str) -> Response:
    return _problem_response(413, "serve.too_large", {"limit_mb": max(1, limit // (1024 * 1024))}, lang)


def _problem_response(status: int, code: str, args: dict, lang: str, ref: str | None = None, page: bool = False) -> Response:
    """The problem as JSON (`{"diagnostics": [...]}`), or as a small page for a browser."""
    item = diagnostic_dict(Diagnostic(code, None, args), lang)
    if page:
        import html

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

def create_app(settings: Settings) -> Starlette:
    """The server: API routes, pages, static assets; a worker pool while it runs."""
    import contextlib

    state = _State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        state.pool = Pool(settings.workers, settings.time_limit)
        try:
            yield
        finally:
            state.pool.close()
            state.cleanup()

    from engine.serve import api_routes, pages

    routes = [
        *api_routes.routes(state),
        *pages.routes(state),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: _not_found, 405: _not_allowed, TooLarge: _too_large_handler, Exception: _internal})
    app.state.jixiao = state
    return Guard(app, settings)  # type: ignore[return-value]


async def _not_found(request: Request, exc) -> Response:
    return _problem_response(404, "serve.not_found", {"path": request.url.path[:200]}, _lang(request), page=_wants_page(request.scope))


async def _internal(request: Request, exc: Exception) -> Response:
    """A bug in a route: 500 with a reference; the log has the traceback under it."""
    ref = uuid.uuid4().hex[:12]
    log.error("internal error, reference %s, %s %s", ref, request.method, request.url.path, exc_info=exc)
    return _problem_response(500, "serve.internal", {"ref": ref}, _lang(request), ref=ref, page=_wants_page(request.scope))


async def _too_large_handler(request: Request, exc) -> Response:
    return _too_large(exc.limit, _lang(request))


async def _not_allowed(request: Request, exc) -> Response:
    return _problem_response(405, "serve.bad_request", {"what": request.method}, _lang(request))


@dataclass
class Unit:
    """An uploaded unit kept for its page: text, name, ruleset."""

    text: str
    name: str
    ruleset: str  # id


@dataclass
class _State:
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


def draft_context(state: _State, ident: str | None) -> tuple[str, str]:
    """Where a ruleset draft sits (for its `extends:`): the file an id names,
    else a file at the first root's top."""
    if ident:
        e = state.ruleset(ident)
        return e.path, e.display
    root = state.settings.roots[0]
    return os.path.join(root.path, "draft.yaml"), f"{root.label}/draft.yaml"


def check_extends(state: _State, text: str, path: str, display: str) -> None:
    """A draft's `extends:` must name a file inside a search root: a client's
    text never makes the server read anything else."""
    from engine.load.yaml_loader import load_text

    try:
        raw, smap = load_text(text, display)
    except DiagnosticError:
        return  # the full check reports it
    ext = raw.get("extends") if isinstance(raw, dict) else None
    if not isinstance(ext, str):
        return
    target = os.path.realpath(os.path.join(os.path.dirname(path), ext))
    if not any(target.startswith(r.path.rstrip(os.sep) + os.sep) for r in state.settings.roots):
        raise DiagnosticError([Diagnostic("inherit.parent_not_found", smap.value(("extends",)), {"path": ext})])


async def run_job(state: _State, lang: str, name: str, *args) -> tuple[Any, Response | None]:
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


def link_roots(state: _State, folder: str, entry: store.Entry) -> str:
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


__all__ = ["Settings", "create_app", "PlainTextResponse", "HTMLResponse", "StreamingResponse"]
