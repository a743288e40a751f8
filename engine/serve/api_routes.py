"""The JSON API under /api/v1/ (described in docs/openapi.json)."""
from __future__ import annotations

import json
import os
import tempfile

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from engine.base.diagnostics import DiagnosticError
from engine.serve import common as core
from engine.serve.common import _lang, located, problems_response, read_text, run_job, safe_name
from engine.serve.openapi import document


def routes(state) -> list[Route]:
    limit = state.settings.max_body

    def ruleset_of(request: Request, key: str = "ruleset"):
        ident = request.query_params.get(key)
        if not ident:
            raise DiagnosticError([core.Diagnostic("serve.bad_request", None, {"what": key})])
        return state.ruleset(ident)

    async def unit_request(request: Request):
        """The ruleset (`?ruleset=ID`), the unit's name (`?name=`, for messages) and its text (the body)."""
        entry = ruleset_of(request)
        name = safe_name(request.query_params.get("name"), "unit.json")
        return entry, name, await read_text(request, name, limit)

    async def evaluate(request: Request) -> Response:
        lang = _lang(request)
        try:
            entry, name, text = await unit_request(request)
        except DiagnosticError as e:
            return problems_response(located(e, lang))
        sets = tuple(request.query_params.getlist("set"))
        out, err = await run_job(state, lang, "evaluate_json", entry.path, entry.display, text, name, lang, sets)
        return err or Response(out, media_type="application/json")

    async def validate(request: Request) -> Response:
        lang = _lang(request)
        try:
            path, display = core.draft_context(state, request.query_params.get("id"), request.query_params.get("name"))
            text = await read_text(request, display, limit)
        except DiagnosticError as e:
            return problems_response(located(e, lang))
        out, err = await run_job(state, lang, "validate_text", path, display, text, lang)
        if err:
            return err
        return JSONResponse(out, 200 if out["ok"] else 422)

    async def explain(request: Request) -> Response:
        lang = _lang(request)
        try:
            entry, name, text = await unit_request(request)
        except DiagnosticError as e:
            return problems_response(located(e, lang))
        indicator = request.query_params.get("indicator") or None
        out, err = await run_job(state, lang, "explain", entry.path, entry.display, text, name, indicator, lang, tuple(request.query_params.getlist("set")))
        return err or JSONResponse({"indicator": indicator, "text": out})

    async def rulesets(request: Request) -> Response:
        lang = _lang(request)
        items = []
        for entry in core.store.listing(state.settings.roots):
            info, err = await run_job(state, lang, "summary", entry.path, entry.display)
            if err:
                return err
            items.append({"id": entry.id, "file": entry.display, **info})
        return JSONResponse({"rulesets": items})

    async def ruleset(request: Request) -> Response:
        lang = _lang(request)
        try:
            entry = state.ruleset(request.path_params["id"])
        except DiagnosticError as e:
            return problems_response(located(e, lang), 404)
        out, err = await run_job(state, lang, "resolved_text", entry.path, entry.display, lang)
        if err:
            return err
        if request.query_params.get("format") == "yaml":
            return PlainTextResponse(out, media_type="application/yaml; charset=utf-8")
        return JSONResponse({"id": entry.id, "file": entry.display, "resolved": out})

    async def diff(request: Request) -> Response:
        lang = _lang(request)
        try:
            old, new = ruleset_of(request, "old"), ruleset_of(request, "new")
            name = safe_name(request.query_params.get("name"), "unit.json")
            text = await read_text(request, name, limit)
        except DiagnosticError as e:
            return problems_response(located(e, lang))
        out, err = await run_job(state, lang, "diff", old.path, old.display, new.path, new.display, text if text.strip() else None, name, lang)
        return err or JSONResponse({"old": old.id, "new": new.id, "text": out})

    async def batch(request: Request) -> Response:
        """JSONL in (one unit per line), JSONL out, streamed as the units are
        evaluated: each result line as `batch` writes it, then one closing
        line `{"done": true, "exit": N, "problems": [...]}`."""
        lang = _lang(request)
        try:
            entry = ruleset_of(request)
        except DiagnosticError as e:
            return problems_response(located(e, lang))
        folder = tempfile.mkdtemp(prefix="batch-", dir=state.tmp)
        try:
            with open(os.path.join(folder, "units.jsonl"), "wb") as fh:
                size = 0
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > state.settings.max_upload:
                        raise core.TooLarge(state.settings.max_upload)
                    fh.write(chunk)
            rel = core.link_roots(state, folder, entry)
        except BaseException:  # too large, the client gone, a failure: the folder goes at once
            core.shutil.rmtree(folder, ignore_errors=True)
            raise
        cmd = core.batch_command(rel, ["units.jsonl"], lang)

        async def body():
            try:
                async for item in core.stream_process(cmd, folder, state.settings.batch_time_limit):
                    if isinstance(item, tuple):
                        code, err = item
                        lines = [ln for ln in err.splitlines() if ln.startswith("units.jsonl:")]
                        yield json.dumps({"done": True, "exit": code, "problems": lines}, ensure_ascii=False).encode() + b"\n"
                    else:
                        yield item
            except core.TimeLimit:
                yield json.dumps({"done": False, "problems": [core.format_message("serve.timeout", {"seconds": core._seconds(state.settings.batch_time_limit)}, lang)]}, ensure_ascii=False).encode() + b"\n"
            finally:
                core.shutil.rmtree(folder, ignore_errors=True)

        return StreamingResponse(body(), media_type="application/x-ndjson")

    async def openapi(request: Request) -> Response:
        return JSONResponse(document())

    p = "/api/v1"
    return [
        Route(f"{p}/evaluate", evaluate, methods=["POST"]),
        Route(f"{p}/validate", validate, methods=["POST"]),
        Route(f"{p}/explain", explain, methods=["POST"]),
        Route(f"{p}/rulesets", rulesets, methods=["GET"]),
        Route(f"{p}/rulesets/{{id:path}}", ruleset, methods=["GET"]),
        Route(f"{p}/diff", diff, methods=["POST"]),
        Route(f"{p}/batch", batch, methods=["POST"]),
        Route(f"{p}/openapi.json", openapi, methods=["GET"]),
    ]

