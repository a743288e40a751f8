"""The workbench pages (server-rendered, htmx for the parts that update)."""
from __future__ import annotations

import asyncio
import functools
import html
import io
import json
import lzma
import os
import re
import tempfile
import zipfile
import zlib
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from engine.base.archive import too_compressed, zip_problem
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.messages import Said
from engine.forms.xlsx_form import MAX_FORM_BYTES, MAX_RATIO, MAX_UNPACKED
from engine.load.yaml_loader import MAX_BYTES, decode_text
from engine.serve import common as core
from engine.serve import store
from engine.serve.common import _lang, located, run_job
from engine.serve.words import WORDS

FORM_EXTS = (".xlsx", ".xlsm", ".docx", ".xls")  # filled forms (engine.forms), read as the CLI reads them
_REF = re.compile(r"rulesets/(.+?)\.ya?ml$")
MAX_ZIP_FILES = 10_000  # data files in a batch's zip: a batch holds many units (a form's zip, 2,000 members)
# What zipfile and its decompressors raise on a damaged or unreadable archive or member.
_UNZIP_ERRORS = (zipfile.BadZipFile, EOFError, NotImplementedError, OSError, RuntimeError, ValueError, zlib.error, lzma.LZMAError)


def routes(state) -> list[Route]:
    templates = state.templates

    def page(request: Request, name: str, status: int = 200, **context) -> Response:
        lang = _lang(request)
        t = lambda key: WORDS[key][1 if lang == "en" else 0]  # noqa: E731
        resp = templates.TemplateResponse(request, name, {"lang": lang, "t": t, **context}, status_code=status)
        if request.query_params.get("lang") in ("zh", "en"):
            resp.set_cookie("lang", lang, samesite="strict")
        return resp

    def error_page(request: Request, items: list[dict], status: int = 422) -> Response:
        return page(request, "problems.html", status, items=items)

    def or_404(handler):
        """A page of one ruleset or uploaded unit: what its address names not
        being there (`DiagnosticError` from `state.ruleset` or `unit_of`) is a 404 page."""

        @functools.wraps(handler)
        async def page_of(request: Request) -> Response:
            try:
                return await handler(request)
            except DiagnosticError as e:
                return error_page(request, located(e, _lang(request)), 404)

        return page_of

    async def job(request: Request, name: str, *args):
        value, err = await run_job(state, _lang(request), name, *args)
        if err is None:
            return value, None
        items = json.loads(err.body)["diagnostics"]
        return None, error_page(request, items, err.status_code)

    async def ruleset_rows(request: Request) -> list[dict]:
        rows = []
        for entry in store.listing(state.settings.roots):
            info, err = await run_job(state, _lang(request), "summary", entry.path, entry.display)
            rows.append({"id": entry.id, "file": entry.display, **(info or {"ok": False})})
        return rows

    async def index(request: Request) -> Response:
        rows = await ruleset_rows(request)
        groups: dict = {}
        for r in rows:
            groups.setdefault(str(r.get("year") or "—"), []).append(r)
        years = sorted(groups.items(), key=lambda kv: kv[0], reverse=True)
        return page(request, "index.html", years=years)

    @or_404
    async def ruleset(request: Request) -> Response:
        lang = _lang(request)
        entry = state.ruleset(request.path_params["id"])
        view, err = await job(request, "ruleset_view", entry.path, entry.display, lang)
        return err or page(request, "indicators.html", id=entry.id, file=entry.display, v=view)

    @or_404
    async def edit(request: Request) -> Response:
        entry = state.ruleset(request.path_params["id"])
        with open(entry.path, encoding="utf-8") as fh:
            text = fh.read()
        data = [d.id for d in store.data_listing()]
        return page(request, "edit.html", id=entry.id, file=entry.display, text=text, data=data, default_data="2019/hr-bureau.yaml" if "2019/hr-bureau.yaml" in data else "")

    async def _draft(request: Request):
        lang = _lang(request)
        entry = state.ruleset(request.path_params["id"])
        body = await core.read_text(request, "request", state.settings.max_body)
        try:
            given = json.loads(body)
        except ValueError:
            given = None
        if not isinstance(given, dict) or not isinstance(given.get("text"), str):
            raise DiagnosticError([Diagnostic("serve.bad_request", None, {"what": "text"})])
        return lang, entry, given

    async def check(request: Request) -> Response:
        try:
            lang, entry, given = await _draft(request)
            data = store.find_data(given["data"]) if given.get("data") else None
        except DiagnosticError as e:
            return JSONResponse({"ok": False, "diagnostics": located(e, _lang(request))})
        out, err = await run_job(state, lang, "preview", entry.path, entry.display, given["text"], data.path if data else None, data.display if data else "", lang)
        return err or JSONResponse({**out, "file": entry.display})

    async def save(request: Request) -> Response:
        try:
            lang, entry, given = await _draft(request)
        except DiagnosticError as e:
            return JSONResponse({"saved": False, "diagnostics": located(e, _lang(request))}, 422)
        out, err = await run_job(state, lang, "validate_text", entry.path, entry.display, given["text"], lang)
        if err:
            return err
        if not out["ok"] and not given.get("force"):
            msg = core.format_message("serve.save_has_errors", {"count": len(out["diagnostics"])}, lang)
            return JSONResponse({"saved": False, "message": msg, "diagnostics": out["diagnostics"]}, 422)
        store.save(entry, given["text"], state.settings.roots)
        return JSONResponse({"saved": True, "message": core.format_message("serve.saved", {"path": entry.display}, lang), "diagnostics": out["diagnostics"]})

    # -- evaluating an uploaded unit --------------------------------------------

    async def evaluate_form(request: Request) -> Response:
        rows = await ruleset_rows(request)
        return page(request, "evaluate.html", rulesets=rows)

    async def evaluate_upload(request: Request) -> Response:
        lang = _lang(request)
        form = await request.form(max_files=1, max_fields=10, max_part_size=max(state.settings.max_body, MAX_FORM_BYTES + 1))
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return error_page(request, [core.diagnostic_dict(Diagnostic("serve.bad_request", None, {"what": "file"}), lang)])
        name = core.safe_name(os.path.basename(upload.filename), "unit.yaml")
        filled_form = name.lower().endswith(FORM_EXTS)
        if not (filled_form or name.lower().endswith(store.DATA_EXTS)):
            more = "、填好的表（.xlsx、.docx、.xls）" if lang != "en" else ", or a filled form (.xlsx, .docx, .xls)"
            return error_page(request, [core.diagnostic_dict(Diagnostic("serve.unsupported_upload", None, {"name": name, "more": more}), lang)])
        raw = await upload.read()
        ident = str(form.get("ruleset") or "")
        auto = not ident or ident == "auto"
        try:
            if filled_form:  # kept as bytes: the readers locate problems at the form's cells
                unit: str | bytes = raw
                if auto:  # the ruleset the form's hidden stamp names
                    refs, err = await job(request, "form_ruleset", raw, name, lang)
                    if err:
                        return err
                    ident = _first_known(state, refs) or (refs[0] if refs else "2019/department")
            else:
                if len(raw) > MAX_BYTES:
                    raise DiagnosticError([Diagnostic("load.too_large", SourceSpan(name, 1, 1), {"limit_mb": MAX_BYTES // (1024 * 1024)})])
                unit = decode_text(raw, name)
                if auto:  # the unit's own `ruleset:`, as a name or id on the search path
                    ref = _ruleset_ref(unit)
                    found = _REF.search(ref)
                    ident = found.group(1) if found else ref if store.valid_id(ref) else "2019/department"
            state.ruleset(ident)
        except DiagnosticError as e:
            return error_page(request, located(e, lang))
        uid = state.keep(core.Unit(unit, name, ident))
        return RedirectResponse(f"/unit/{uid}", 303)

    def unit_of(request: Request):
        unit = state.units.get(request.path_params["uid"])
        if unit is None:
            raise DiagnosticError([Diagnostic("serve.not_found", None, {"path": request.url.path[:200]})])
        return unit, state.ruleset(unit.ruleset)

    def sets_of(request: Request, form=None) -> tuple[str, ...]:
        if form is None:
            return tuple(request.query_params.getlist("set"))
        out = []
        for key, value in form.multi_items():
            if key.startswith("f:") and isinstance(value, str):
                orig = form.get("o:" + key[2:])
                if value.strip() and value.strip() != (orig or "").strip():
                    out.append(f"{key[2:]}={value.strip()}")
        return tuple(out)

    @or_404
    async def unit_page(request: Request) -> Response:
        lang = _lang(request)
        unit, entry = unit_of(request)
        view, err = await job(request, "unit_view", entry.path, entry.display, unit.text, unit.name, lang, ())
        return err or page(request, "unit.html", uid=request.path_params["uid"], v=view, unit=unit, sets=(), query="", filled_form=isinstance(unit.text, bytes))

    @or_404
    async def whatif(request: Request) -> Response:
        lang = _lang(request)
        unit, entry = unit_of(request)
        form = await request.form(max_files=0, max_fields=2000)
        sets = sets_of(request, form)
        view, err = await job(request, "unit_view", entry.path, entry.display, unit.text, unit.name, lang, sets)
        if err:
            return err
        return page(request, "unit_result.html", uid=request.path_params["uid"], v=view, sets=sets, query=urlencode([("set", s) for s in sets]), filled_form=isinstance(unit.text, bytes))

    @or_404
    async def explain(request: Request) -> Response:
        lang = _lang(request)
        unit, entry = unit_of(request)
        text, err = await job(request, "explain", entry.path, entry.display, unit.text, unit.name, request.query_params.get("indicator"), lang, sets_of(request))
        return err or HTMLResponse(f'<pre class="explain">{_escape(text)}</pre>')

    @or_404
    async def download(request: Request) -> Response:
        lang = _lang(request)
        fmt = request.path_params["fmt"]
        if fmt not in core.REPORT_FORMATS:
            return error_page(request, [core.diagnostic_dict(Diagnostic("serve.not_found", None, {"path": fmt}), lang)], 404)
        unit, entry = unit_of(request)
        out, err = await job(request, "report", entry.path, entry.display, unit.text, unit.name, fmt, lang, sets_of(request))
        if err:
            return err
        stem = os.path.splitext(unit.name)[0] or "report"
        filename = f"{stem}.{core.EXTS[fmt]}"
        headers = {"Content-Disposition": f"attachment; filename=\"report.{core.EXTS[fmt]}\"; filename*=UTF-8''{quote(filename)}"}
        return Response(out, media_type=core.REPORT_FORMATS[fmt], headers=headers)

    @or_404
    async def data_file(request: Request) -> Response:
        """The unit's data with the what-if figures written in (comments kept)."""
        lang = _lang(request)
        unit, entry = unit_of(request)
        out, err = await job(request, "changed_data", entry.path, entry.display, unit.text, unit.name, sets_of(request), lang)
        if err:
            return err
        filename = (os.path.splitext(unit.name)[0] or "unit") + "-whatif.yaml"
        return Response(out, media_type="application/yaml; charset=utf-8", headers={"Content-Disposition": f"attachment; filename=\"unit-whatif.yaml\"; filename*=UTF-8''{quote(filename)}"})

    # -- comparing years ----------------------------------------------------------

    async def compare_form(request: Request) -> Response:
        rows = await ruleset_rows(request)
        data = [d.id for d in store.data_listing()]
        return page(request, "compare.html", rulesets=rows, data=data)

    async def compare(request: Request) -> Response:
        lang = _lang(request)
        form = await request.form(max_files=0, max_fields=10)
        try:
            old, new = state.ruleset(str(form.get("old", ""))), state.ruleset(str(form.get("new", "")))
            data = store.find_data(str(form.get("data"))) if form.get("data") else None
        except DiagnosticError as e:
            return page(request, "problems.html", 422, items=located(e, lang))
        text = None
        if data is not None:
            with open(data.path, encoding="utf-8") as fh:
                text = fh.read()
        out, err = await job(request, "diff", old.path, old.display, new.path, new.display, text, data.display if data else "", lang)
        return err or HTMLResponse(f'<pre class="diff">{_escape(out)}</pre>')

    # -- batch ----------------------------------------------------------------------

    async def batch_form(request: Request) -> Response:
        rows = await ruleset_rows(request)
        return page(request, "batch.html", rulesets=rows)

    async def batch_start(request: Request) -> Response:
        lang = _lang(request)
        form = await request.form(max_files=3, max_fields=10, max_part_size=state.settings.max_upload)
        upload = form.get("file")
        extra: list[str] = []
        folder = None
        try:
            entry = state.ruleset(str(form.get("ruleset") or ""))
            if upload is None or isinstance(upload, str) or not upload.filename:
                raise DiagnosticError([Diagnostic("serve.bad_request", None, {"what": "file"})])
            folder = tempfile.mkdtemp(prefix="batch-", dir=state.tmp)
            # unpacking (up to 200 MB, or an archive of 10⁵ empty members) in a thread: the server goes on answering
            inputs = await asyncio.to_thread(_unpack, upload.filename, await upload.read(), folder, lang)
            columns, rows = form.get("columns"), form.get("rows")
            if columns is not None and not isinstance(columns, str) and columns.filename:
                with open(os.path.join(folder, "columns.yaml"), "wb") as fh:
                    fh.write(await columns.read())
                extra += ["--columns", "columns.yaml"]
            if rows is not None and not isinstance(rows, str) and rows.filename:
                name = "rows.xlsx" if rows.filename.lower().endswith(".xlsx") else "rows.csv"
                with open(os.path.join(folder, name), "wb") as fh:
                    fh.write(await rows.read())
                extra += ["--rows", name]
            rel = core.link_roots(state, folder, entry)
        except DiagnosticError as e:  # a refused upload's folder goes at once, not when the server stops
            _discard(folder)
            return error_page(request, located(e, lang))
        except BaseException:
            _discard(folder)
            raise
        bid = core.secrets.token_urlsafe(9)
        info = {"folder": folder, "done": 0, "finished": False, "exit": None, "summary": "", "errors": [], "ruleset": entry.id}
        state.batches[bid] = info
        while len(state.batches) > 32:  # the oldest finished batch goes, with its files
            old = next((k for k, b in state.batches.items() if b["finished"]), None)
            if old is None:
                break
            core.shutil.rmtree(state.batches.pop(old)["folder"], ignore_errors=True)
        info["task"] = asyncio.get_running_loop().create_task(_run_batch(state, info, rel, inputs, lang, extra))
        return RedirectResponse(f"/batch/{bid}", 303)

    async def batch_page(request: Request) -> Response:
        info = state.batches.get(request.path_params["bid"])
        if info is None:
            return error_page(request, [core.diagnostic_dict(Diagnostic("serve.not_found", None, {"path": request.url.path[:200]}), _lang(request))], 404)
        name = "batch_status.html" if request.headers.get("hx-request") else "batch_run.html"
        return page(request, name, bid=request.path_params["bid"], b=info)

    async def batch_file(request: Request) -> Response:
        info = state.batches.get(request.path_params["bid"])
        name = request.path_params["name"]
        if info is None or name not in ("results.jsonl", "results.csv", "results.xlsx", "results.csv.summary.json", "errors.txt"):
            return error_page(request, [core.diagnostic_dict(Diagnostic("serve.not_found", None, {"path": name}), _lang(request))], 404)
        path = os.path.join(info["folder"], name)
        if not os.path.isfile(path):
            return error_page(request, [core.diagnostic_dict(Diagnostic("serve.not_found", None, {"path": name}), _lang(request))], 404)
        with open(path, "rb") as fh:
            data = fh.read()
        return Response(data, media_type="application/octet-stream", headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return [
        Route("/", index),
        Route("/ruleset/{id:path}", ruleset),
        Route("/edit/{id:path}", edit),
        Route("/check/{id:path}", check, methods=["POST"]),
        Route("/save/{id:path}", save, methods=["POST"]),
        Route("/evaluate", evaluate_form),
        Route("/evaluate", evaluate_upload, methods=["POST"]),
        Route("/unit/{uid}", unit_page),
        Route("/unit/{uid}/whatif", whatif, methods=["POST"]),
        Route("/unit/{uid}/explain", explain),
        Route("/unit/{uid}/report.{fmt}", download),
        Route("/unit/{uid}/data.yaml", data_file),
        Route("/compare", compare_form),
        Route("/compare", compare, methods=["POST"]),
        Route("/batch", batch_form),
        Route("/batch", batch_start, methods=["POST"]),
        Route("/batch/{bid}", batch_page),
        Route("/batch/{bid}/files/{name}", batch_file),
    ]


def _escape(text: str) -> str:
    return html.escape(text)


def _first_known(state, refs: list[str]) -> str | None:
    """The first of a form's ruleset refs that names a ruleset on the server's search path."""
    for ref in refs:
        found = _REF.search(ref)
        ref = found.group(1) if found else ref
        try:
            state.ruleset(ref)
            return ref
        except DiagnosticError:
            continue
    return None


def _ruleset_ref(text: str) -> str:
    for line in text.splitlines()[:60]:
        s = line.strip().strip('",')
        if s.startswith(("ruleset:", 'ruleset":')):
            return s.split(":", 1)[1].strip().strip('"\' ,')
    return ""


def _discard(folder: str | None) -> None:
    if folder is not None:
        core.shutil.rmtree(folder, ignore_errors=True)


def _unpack(filename: str, raw: bytes, folder: str, lang: str) -> list[str]:
    """Put an uploaded batch into `folder`: a zip's YAML/JSON files under
    `units/` (`_unzip`), or the table/JSONL as is."""
    base = os.path.basename(filename).lower()
    if base.endswith(".zip"):
        units = os.path.join(folder, "units")
        os.makedirs(units)
        _unzip(core.safe_name(os.path.basename(filename), "units.zip"), raw, units)
        return ["units"]
    for ext in (".csv", ".xlsx", ".jsonl"):
        if base.endswith(ext):
            name = "units" + ext
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(raw)
            return [name]
    raise DiagnosticError([Diagnostic("serve.unsupported_upload", None, {"name": base, "more": "、zip、CSV、XLSX、JSONL" if lang != "en" else ", zip, CSV, XLSX, JSONL"})])


def _unzip(name: str, raw: bytes, units: str) -> None:
    """A zip's YAML/JSON files into `units`, each under a flat numbered name
    (never the member's own path) and cut at `MAX_BYTES` + 1 (the loader
    refuses what is longer).

    The forms reader's zip-bomb limits hold, checked first on the sizes the
    archive declares (`engine.base.archive.zip_problem`, as for forms and
    batch tables) and then on the bytes as they are unpacked: all members
    together at most `MAX_UNPACKED`, a member above 1 MB at most `MAX_RATIO`
    times its packed size. An archive that cannot be read, or a member that is
    encrypted, packed by a method other than stored or deflate, or damaged,
    refuses the whole upload, naming the member; nothing is left half-read."""

    def refused(code: str, **args) -> DiagnosticError:
        return DiagnosticError([Diagnostic(code, None, {"name": name, **args})])

    def unreadable(m: zipfile.ZipInfo, reason: str) -> DiagnosticError:
        return refused("serve.bad_zip_entry", entry=core.safe_name(m.filename, "?"), reason=Said(reason))

    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except _UNZIP_ERRORS:
        raise refused("serve.bad_zip") from None
    members = [m for m in zf.infolist() if not m.is_dir() and m.filename.lower().endswith(store.DATA_EXTS)]
    too_big = refused("serve.zip_too_big", limit_mb=MAX_UNPACKED // (1024 * 1024))
    problem = zip_problem(members, members=MAX_ZIP_FILES, unpacked=MAX_UNPACKED, ratio=MAX_RATIO)
    if problem is not None:
        what, args = problem
        if what == "members":
            raise refused("serve.zip_too_many", count=args["count"], limit=MAX_ZIP_FILES)
        if what == "unpacked":
            raise too_big
        entry = core.safe_name(args["entry"], "?")
        if what == "ratio":
            raise refused("serve.zip_bomb", entry=entry, ratio=MAX_RATIO)
        raise refused("serve.bad_zip_entry", entry=entry, reason=Said({"encrypted": "zip.encrypted", "method": "zip.method"}[what]))
    total = 0
    for i, m in enumerate(members):
        chunks, size = [], 0
        try:
            with zf.open(m) as src:
                while size <= MAX_BYTES and (chunk := src.read(min(1 << 16, MAX_BYTES + 1 - size))):
                    size, total = size + len(chunk), total + len(chunk)
                    if total > MAX_UNPACKED:
                        raise too_big
                    if too_compressed(size, m.compress_size, MAX_RATIO):
                        raise refused("serve.zip_bomb", entry=core.safe_name(m.filename, "?"), ratio=MAX_RATIO)
                    chunks.append(chunk)
        except _UNZIP_ERRORS as e:
            raise unreadable(m, "zip.method" if isinstance(e, NotImplementedError) else "zip.damaged") from None
        stem, ext = os.path.splitext(re.sub(r"[^\w.\-]", "_", os.path.basename(m.filename.replace("\\", "/"))))
        # 60 characters of the name (even four-byte ones) stay within a file name's 255 bytes.
        with open(os.path.join(units, f"{i:05d}-{stem[:60]}{ext}"), "wb") as dst:
            dst.writelines(chunks)


async def _run_batch(state, info: dict, rel: str, inputs: list[str], lang: str, extra: list[str]) -> None:
    """Run the batch in a child process, counting result lines for the
    progress; then write the downloads (CSV with its summary, XLSX)."""
    folder = info["folder"]
    cmd = core.batch_command(rel, inputs, lang, ["--errors", "errors.txt", *extra])
    try:
        with open(os.path.join(folder, "results.jsonl"), "wb") as out:
            async for item in core.stream_process(cmd, folder, state.settings.batch_time_limit):
                if isinstance(item, tuple):
                    info["exit"], err = item
                    info["summary"] = err.strip()
                else:
                    out.write(item)
                    info["done"] += 1
        for output in (["--output", "results.csv"], ["--output", "results.xlsx"]):
            async for item in core.stream_process(core.batch_command(rel, inputs, lang, [*output, *extra]), folder, state.settings.batch_time_limit):
                pass
        path = os.path.join(folder, "errors.txt")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                info["errors"] = fh.read().splitlines()[:200]
    except core.TimeLimit:
        info["summary"] = core.format_message("serve.timeout", {"seconds": core._seconds(state.settings.batch_time_limit)}, lang)
    except Exception:  # noqa: BLE001 - logged with a reference, shown as such
        ref = core.uuid.uuid4().hex[:12]
        core.log.exception("internal error in a batch, reference %s", ref)
        info["summary"] = core.format_message("serve.internal", {"ref": ref}, lang)
    finally:
        info["finished"] = True
