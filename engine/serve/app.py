"""The server: the JSON API under /api/v1/ and the workbench pages.

`create_app(settings)` builds a Starlette application. Every engine call goes
through the worker pool (`engine.serve.pool`); problems in the user's files
are HTTP 422 with the diagnostics as JSON (or shown on the page); any other
failure is a 500 carrying a reference that the log holds with the traceback.
No response ever carries a traceback or a server-side path.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from engine.serve import api_routes, pages
from engine.serve.common import HERE, Settings, State, TooLarge, _is_upload, _lang, _problem_response, _too_large, _wants_page, log
from engine.serve.pool import Pool


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
            return urlsplit(origin).netloc == host
        return origin != "null"

    def _authorised(self, request: Request) -> bool:
        token = self.settings.token or ""
        given = request.headers.get("authorization", "")
        if given.startswith("Bearer ") and secrets.compare_digest(given[7:].strip().encode(), token.encode()):
            return True
        cookie = request.cookies.get("jixiao_token", "")
        return bool(cookie) and secrets.compare_digest(cookie.encode(), token.encode())


def create_app(settings: Settings) -> Starlette:
    """The server: API routes, pages, static assets; a worker pool while it runs."""
    state = State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        state.pool = Pool(settings.workers, settings.time_limit, tuple(r.path for r in settings.roots))
        try:
            yield
        finally:
            state.pool.close()
            state.cleanup()

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

