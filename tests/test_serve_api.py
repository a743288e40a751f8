"""`jixiao serve`: the JSON API (every endpoint, hostile inputs, limits) and the
pages' server side, through Starlette's TestClient (no network)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
import warnings
import zipfile

import pytest

pytest.importorskip("starlette")
pytest.importorskip("python_multipart")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from engine import api  # noqa: E402
from engine.serve import store  # noqa: E402
from tests.forms_support import filled_department_form  # noqa: E402
from engine.serve.app import Settings, create_app  # noqa: E402
from tests.conftest import ROOT, run_cli  # noqa: E402
from tests.hostile import hostile_rulesets  # noqa: E402

UNIT_JSON = (ROOT / "examples" / "2019" / "hr-bureau.json").read_bytes()
RULESET_2020 = (ROOT / "rulesets" / "2020" / "department.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def client():
    app = create_app(Settings(store.search_path(None), workers=0))
    with TestClient(app) as c:
        yield c


def test_evaluate_is_exactly_the_cli_json(client):
    code, out, _ = run_cli("evaluate", "examples/2019/hr-bureau.json", "--format", "json")
    assert code == 0
    r = client.post("/api/v1/evaluate?ruleset=2019/department&name=examples/2019/hr-bureau.json", content=UNIT_JSON)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.text == out
    body = r.json()
    assert (body["total"], body["grade"]) == (87.36, "良")


def test_evaluate_in_english_and_with_what_if(client):
    r = client.post("/api/v1/evaluate?ruleset=2019/department&lang=en&set=全年执行数=4000", content=UNIT_JSON)
    assert r.status_code == 200
    assert r.json()["total"] == 87.55
    assert all(not f["message"][:1] >= "\u4e00" for f in r.json()["findings"] if f["code"].startswith("check"))


def test_evaluate_problems_are_422_located_in_the_body(client):
    bad = UNIT_JSON.replace(b'"subject"', b'"subjekt"', 1)
    r = client.post("/api/v1/evaluate?ruleset=2019/department&name=unit.json", content=bad)
    assert r.status_code == 422
    d = r.json()["diagnostics"]
    assert any(x["code"] == "input.unknown_key" and x["file"] == "unit.json" and (x["line"], x["col"]) == (3, 3) for x in d), d
    assert "Traceback" not in r.text


def test_what_if_errors_are_located(client):
    r = client.post("/api/v1/evaluate?ruleset=2019/department&set=全年执行数x=1&set=年初预算数=abc", content=UNIT_JSON)
    assert r.status_code == 422
    got = [(x["code"], x["file"], x["line"], x["col"]) for x in r.json()["diagnostics"]]
    assert got == [("whatif.unknown_name", "--set", 1, 1), ("whatif.bad_value", "--set", 2, 7)]


@pytest.mark.parametrize("ident", ["../../etc/passwd", "/etc/passwd", "2019/../../x", "2019\\department", "..", "2019/department.yaml/..", ""])
def test_rulesets_only_by_id_never_a_path(client, ident):
    r = client.post("/api/v1/evaluate", params={"ruleset": ident}, content=UNIT_JSON)
    assert r.status_code == 422
    assert r.json()["diagnostics"][0]["code"] in ("serve.bad_ruleset_id", "serve.unknown_ruleset", "serve.bad_request")
    assert "/etc" not in json.dumps(r.json()["diagnostics"][0].get("file"))


def test_unknown_ruleset_suggests(client):
    r = client.post("/api/v1/evaluate?ruleset=2019/departmnt", content=UNIT_JSON)
    assert r.status_code == 422
    assert "2019/department" in r.json()["diagnostics"][0]["message"]


def test_validate_clean_and_broken(client):
    r = client.post("/api/v1/validate?id=2020/department", content=RULESET_2020.encode())
    assert r.status_code == 200 and r.json()["ok"] and r.json()["indicators"] == 17
    broken = RULESET_2020.replace("bands:", "bandz:")
    r = client.post("/api/v1/validate?id=2020/department&lang=en", content=broken.encode())
    assert r.status_code == 422
    d = r.json()["diagnostics"]
    assert {(x["file"], x["line"], x["col"], x["code"]) for x in d} >= {("rulesets/2020/department.yaml", 30, 7, "schema.unknown_key")}
    assert all(x["message"].isascii() or "bandz" in x["message"] for x in d)


@pytest.mark.parametrize("ext", ["/etc/passwd.yaml", "../../../../../../etc/x.yaml", "/etc/passwd"])
def test_validate_refuses_extends_outside_the_search_path(client, ext):
    text = f"extends: {ext}\nid: x\nyear: 2024\n"
    r = client.post("/api/v1/validate", content=text.encode())
    assert r.status_code == 422
    d = r.json()["diagnostics"][0]
    assert d["code"] in ("locate.outside", "locate.unknown") and (d["line"], d["col"]) == (1, 10)


@pytest.mark.parametrize("h", [h for h in hostile_rulesets() if h.name in ("billion-laughs", "python-object-apply", "deep-flow-sequences", "duplicate-key", "yaml-1.1-directive", "terminal-escape", "huge-number")], ids=lambda h: h.name)
def test_hostile_rulesets_refused_as_the_cli_does(client, h, tmp_path):
    r = client.post("/api/v1/validate?name=hostile.yaml", content=h.content)
    assert r.status_code == 422
    d = r.json()["diagnostics"][0]
    assert d["code"] == h.code
    assert f"{d['line']}:{d['col']}" in h.where
    path = tmp_path / "hostile.yaml"
    path.write_bytes(h.content)
    code, _, err = run_cli("validate", str(path))
    assert code == 1 and d["message"] in err


@pytest.mark.parametrize("h", [h for h in hostile_rulesets() if h.name in ("billion-laughs", "python-object-apply", "deep-flow-mappings")], ids=lambda h: h.name)
def test_hostile_units_refused(client, h):
    r = client.post("/api/v1/evaluate?ruleset=2019/department&name=hostile.yaml", content=h.content)
    assert r.status_code == 422
    assert r.json()["diagnostics"][0]["code"] == h.code


def test_body_size_is_capped(client):
    big = b"# " + b"x" * (6 * 1024 * 1024) + b"\n"
    r = client.post("/api/v1/evaluate?ruleset=2019/department", content=big)
    assert r.status_code == 413
    assert r.json()["diagnostics"][0]["code"] == "serve.too_large"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(7):
            yield b"#" * (1024 * 1024)

    r = client.post("/api/v1/validate", content=chunks())
    assert r.status_code == 413


def test_explain_one_and_ranking(client):
    r = client.post("/api/v1/explain?ruleset=2019/department&indicator=预算执行率", content=UNIT_JSON)
    assert r.status_code == 200
    assert "得 9.36 分" in r.json()["text"]
    r = client.post("/api/v1/explain?ruleset=2019/department", content=UNIT_JSON)
    assert r.status_code == 200 and "预算调整率" in r.json()["text"]
    r = client.post("/api/v1/explain?ruleset=2019/department&indicator=预算执行", content=UNIT_JSON)
    assert r.status_code == 422 and r.json()["diagnostics"][0]["code"] == "explain.unknown_indicator"


def test_rulesets_listing_and_resolved(client):
    r = client.get("/api/v1/rulesets")
    ids = {x["id"]: x for x in r.json()["rulesets"]}
    assert {"2019/department", "2020/department", "2019/project"} <= set(ids)
    assert ids["2020/department"]["year"] == 2020 and ids["2020/department"]["ok"]
    r = client.get("/api/v1/rulesets/2020/department")
    code, out, _ = run_cli("show", "rulesets/2020/department.yaml", "--resolved")
    assert r.json()["resolved"] == out
    assert client.get("/api/v1/rulesets/2020/department?format=yaml").text == out
    assert client.get("/api/v1/rulesets/../../etc/passwd").status_code in (404, 422)
    assert client.get("/api/v1/rulesets/2031/none").status_code == 404


def test_diff_with_impact(client):
    r = client.post("/api/v1/diff?old=2019/department&new=2020/department&name=examples/2019/hr-bureau.json", content=UNIT_JSON)
    assert r.status_code == 200
    assert "87.36" in r.json()["text"] and "89.36" in r.json()["text"]


def test_batch_streams_jsonl_and_reports_bad_lines(client):
    line = json.dumps(json.loads(UNIT_JSON), ensure_ascii=False).encode()
    r = client.post("/api/v1/batch?ruleset=2019/department", content=line + b"\n" + line + b"\n" + b'{"x": 1}\n')
    assert r.status_code == 200
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert [x.get("total") for x in lines[:2]] == [87.36, 87.36]
    assert lines[-1]["done"] is True and lines[-1]["exit"] == 1
    assert any(p.startswith("units.jsonl:3:") for p in lines[-1]["problems"])
    assert "/tmp" not in r.text


def test_openapi_served_and_docs_file_current_and_valid(client):
    from openapi_spec_validator import validate

    from engine.serve.openapi import text

    served = client.get("/api/v1/openapi.json").json()
    validate(served)
    assert (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8") == text(), "rerun: python -c \"from engine.serve.openapi import text; open('docs/openapi.json','w').write(text())\""
    assert set(served["paths"]) == {"/evaluate", "/validate", "/explain", "/rulesets", "/rulesets/{id}", "/diff", "/batch"}


def test_unknown_page_is_json_404_without_traceback(client):
    r = client.get("/nope")
    assert r.status_code == 404 and r.json()["diagnostics"][0]["code"] == "serve.not_found"


def test_internal_error_is_500_with_a_reference_in_the_log(client, monkeypatch, caplog):
    from engine.serve import jobs

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setitem(jobs.JOBS, "evaluate_json", boom)
    r = client.post("/api/v1/evaluate?ruleset=2019/department", content=UNIT_JSON)
    assert r.status_code == 500
    ref = r.json()["reference"]
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert any(ref in rec.getMessage() and "secret internals" in rec.getMessage() for rec in caplog.records)


def test_time_limit_stops_a_worker_and_answers():
    app = create_app(Settings(store.search_path(None), workers=1, time_limit=0.5))
    with TestClient(app) as c:
        pool = app.app.state.jixiao.pool  # Guard wraps the Starlette app
        import asyncio

        from engine.serve.pool import TimeLimit

        with pytest.raises(TimeLimit):
            asyncio.run(pool.run("sleep", 5))
        assert asyncio.run(pool.run("ping")) == "pong"  # a fresh worker took its place
        r = c.post("/api/v1/evaluate?ruleset=2019/department", content=UNIT_JSON)
        assert r.status_code in (200, 503)


def test_token_required_on_every_request():
    app = create_app(Settings(store.search_path(None), workers=0, token="s3cret"))
    with TestClient(app) as c:
        assert c.get("/api/v1/rulesets").status_code == 401
        assert c.get("/static/htmx.min.js").status_code == 401
        assert c.get("/api/v1/rulesets", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/v1/rulesets", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        r = c.get("/?token=s3cret", follow_redirects=False)
        assert r.status_code == 303 and "jixiao_token" in r.headers["set-cookie"]


# -- the pages' server side -------------------------------------------------------

def test_pages_render(client):
    for url in ("/", "/ruleset/2020/department", "/edit/2020/department", "/evaluate", "/compare", "/batch", "/?lang=en"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "cdn" not in r.text.lower() and "https://" not in r.text
    assert "预算调整率" in client.get("/ruleset/2020/department").text
    assert "Rulesets" in client.get("/?lang=en").text


def test_evaluate_page_what_if_and_downloads(client, tmp_path):
    r = client.post("/evaluate", files={"file": ("hr-bureau.yaml", (ROOT / "examples/2019/hr-bureau.yaml").read_bytes())}, data={"ruleset": "auto"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert 'id="total">87.36<' in page and 'id="grade">良<' in page
    r2 = client.post(r.headers["location"] + "/whatif", data={"f:全年执行数": "4000", "o:全年执行数": "3921.33"})
    assert 'id="total">87.55<' in r2.text
    docx = client.get(r.headers["location"] + "/report.docx")
    assert docx.status_code == 200
    import docx as python_docx

    (tmp_path / "r.docx").write_bytes(docx.content)
    text = "\n".join(p.text for p in python_docx.Document(str(tmp_path / "r.docx")).paragraphs)
    assert "87.36" in text


def test_editor_check_and_save(tmp_path):
    shutil.copytree(ROOT / "rulesets", tmp_path / "rulesets")
    app = create_app(Settings(store.search_path(str(tmp_path / "rulesets")), workers=0))
    path = tmp_path / "rulesets" / "2020" / "department.yaml"
    with TestClient(app) as c:
        broken = RULESET_2020.replace("description: 沿用", "title2: x\ndescription: 沿用")
        r = c.post("/save/2020/department", json={"text": broken})
        assert r.status_code == 422 and not r.json()["saved"]
        assert path.read_text(encoding="utf-8") == RULESET_2020
        edited = RULESET_2020.replace("# 本年度变化 What changed in 2020", "# 本年度变化 What changed in 2020 (edited)")
        r = c.post("/save/2020/department", json={"text": edited})
        assert r.json()["saved"]
        assert path.read_text(encoding="utf-8") == edited
        r = c.post("/check/2020/department", json={"text": edited, "data": "2019/hr-bureau.yaml"})
        assert r.json()["total"] == "89.36"
        r = c.post("/check/2020/department", json={"text": edited, "data": "../../etc/passwd"})
        assert r.json()["diagnostics"][0]["code"] == "serve.bad_ruleset_id"
    assert not [f for f in os.listdir(path.parent) if f.startswith(".jixiao-")]


def test_set_value_keeps_comments():
    text = "# head\nindicators:\n  - id: a   # keep me\n    weight: 10\n"
    out = store.set_value(text, ("indicators", 0, "weight"), 12)
    assert out == "# head\nindicators:\n  - id: a   # keep me\n    weight: 12\n"


def test_batch_page_runs_a_zip(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a/hr.yaml", (ROOT / "examples/2019/hr-bureau.yaml").read_bytes())
        z.writestr("../evil.yaml", b"subject: x\n")
    r = client.post("/batch", files={"file": ("units.zip", buf.getvalue())}, data={"ruleset": "2019/department"}, follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    for _ in range(200):
        page = client.get(url).text
        if 'id="batch-state">已完成' in page:
            break
        time.sleep(0.1)
    assert 'id="batch-done">1<' in page
    assert client.get(url + "/files/results.xlsx").status_code == 200
    assert client.get(url + "/files/../../etc/passwd").status_code == 404


def test_cross_site_requests_refused():
    app = create_app(Settings(store.search_path(None), workers=0, hosts=("127.0.0.1:8000",)))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/v1/openapi.json").status_code == 200
        assert c.get("/api/v1/openapi.json", headers={"Host": "evil.example:8000"}).status_code == 403
        r = c.post("/save/2020/department", content=b'{"text": "x"}', headers={"Origin": "http://evil.example", "Content-Type": "text/plain"})
        assert r.status_code == 403 and r.json()["diagnostics"][0]["code"] == "serve.cross_site"
        r = c.post("/api/v1/evaluate?ruleset=2019/department", content=UNIT_JSON, headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 403
        r = c.post("/api/v1/evaluate?ruleset=2019/department", content=UNIT_JSON, headers={"Origin": "http://127.0.0.1:8000"})
        assert r.status_code == 200


def test_what_if_over_indicators_and_the_changed_data_file(client):
    r = client.post("/evaluate", files={"file": ("hr-bureau.yaml", (ROOT / "examples/2019/hr-bureau.yaml").read_bytes())}, data={"ruleset": "2019/department"}, follow_redirects=False)
    unit = r.headers["location"]
    page = client.post(unit + "/whatif", data={"f:社会效益": "20", "o:社会效益": "24", "f:参与干部培训人数": "70", "o:参与干部培训人数": "0"}).text
    assert 'id="total">84.36<' in page  # -4 for the judged score, +1 for 70 of 140 people
    r = client.get(unit + "/data.yaml", params=[("set", "参与干部培训人数=70"), ("set", "文中年初预算数=3200")])
    assert r.status_code == 200
    original = (ROOT / "examples/2019/hr-bureau.yaml").read_text(encoding="utf-8")
    changed = r.text.splitlines()
    diff = [(a, b) for a, b in zip(original.splitlines(), changed) if a != b]
    assert diff == [("  文中年初预算数: 3,193.13", "  文中年初预算数: 3200"), ("    actual: 0", "    actual: 70")]
    assert len(changed) == len(original.splitlines())


def test_a_bug_in_a_route_is_500_with_a_reference(monkeypatch, caplog):
    app = create_app(Settings(store.search_path(None), workers=0))
    with TestClient(app, raise_server_exceptions=False) as c:
        def boom(*a, **k):
            raise KeyError("internal detail")

        monkeypatch.setattr(store, "listing", boom)
        r = c.get("/api/v1/rulesets")
        assert r.status_code == 500
        ref = r.json()["reference"]
        assert "internal detail" not in r.text and "Traceback" not in r.text
        logged = [rec for rec in caplog.records if ref in rec.getMessage()]
        assert len(logged) == 1 and "internal detail" in caplog.text
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "internal detail" not in page.text


def test_unknown_page_for_a_browser_is_a_page(client):
    r = client.get("/nope", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "<p>" in r.text and "/nope" in r.text


def test_batch_page_runs_a_table_with_its_column_mapping(client):
    import time

    folder = ROOT / "examples/2019/projects-batch"
    files = [("file", ("projects.csv", (folder / "projects.csv").read_bytes())), ("columns", ("columns.yaml", (folder / "columns.yaml").read_bytes())), ("rows", ("indicators.csv", (folder / "indicators.csv").read_bytes()))]
    r = client.post("/batch", files=files, data={"ruleset": "2019/project"}, follow_redirects=False)
    assert r.status_code == 303
    for _ in range(300):
        page = client.get(r.headers["location"]).text
        if 'id="batch-state">已完成' in page:
            break
        time.sleep(0.1)
    code, out, err = run_cli("batch", str(folder / "projects.csv"), "--ruleset", "rulesets/2019/project.yaml", "--columns", str(folder / "columns.yaml"), "--rows", str(folder / "indicators.csv"))
    units = len(out.splitlines())
    assert units > 0 and f'id="batch-done">{units}<' in page
    got = client.get(r.headers["location"] + "/files/results.jsonl").text
    assert [json.loads(x)["total"] for x in got.splitlines()] == [json.loads(x)["total"] for x in out.splitlines()]


def test_upload_finds_the_units_own_ruleset(client):
    text = (ROOT / "examples/2019/projects/cadre-training.yaml").read_bytes()
    r = client.post("/evaluate", files={"file": ("cadre-training.yaml", text)}, data={"ruleset": "auto"}, follow_redirects=False)
    page = client.get(r.headers["location"]).text
    code, out, _ = run_cli("evaluate", "examples/2019/projects/cadre-training.yaml", "--format", "json")
    assert json.loads(out)["total"] == 75.17 and 'id="total">75.17<' in page
    assert "rulesets/2019/project.yaml" in page


def test_ruleset_by_its_own_id(client):
    r = client.post("/api/v1/evaluate?ruleset=wuhan-edz-department-2019", content=UNIT_JSON)
    assert r.status_code == 200 and r.json()["total"] == 87.36


def test_a_link_out_of_the_search_path_is_not_followed(tmp_path):
    root = tmp_path / "rulesets"
    (root / "2031").mkdir(parents=True)
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: secret\n", encoding="utf-8")
    (root / "2031" / "leak.yaml").symlink_to(outside)
    roots = store.roots_of(type("S", (), {"folders": (str(root),)})())
    assert [e.id for e in store.listing(roots)] == []
    with pytest.raises(store.DiagnosticError):
        store.find("2031/leak", roots)


# -- filled forms uploaded in the workbench (issue 17 item 4, with issue 15's readers) --

@pytest.fixture(scope="module")
def department_form() -> bytes:
    return filled_department_form()


def test_a_filled_workbook_uploaded_is_evaluated_with_findings_at_cells(client, department_form):
    r = client.post("/evaluate", files={"file": ("人力资源局.xlsx", department_form)}, data={"ruleset": "auto"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    unit = r.headers["location"]
    page = client.get(unit).text
    assert 'id="total">87.36<' in page and 'id="grade">良<' in page
    findings = re.findall(r'<span class="loc">([^<]*)</span>', page.split('id="findings"')[1].split("</ul>")[0])
    assert findings and all(f.startswith("人力资源局.xlsx:") for f in findings if f)
    assert len(findings) == len(api.evaluate_file(api.DEFAULT_DATA).findings)  # the YAML example's findings, now at cells
    assert findings[:3] == ["人力资源局.xlsx:预算调整表!E5", "人力资源局.xlsx:预算调整表!E15", "人力资源局.xlsx:预算调整表!E4"]
    r2 = client.post(unit + "/whatif", data={"f:全年执行数": "4000", "o:全年执行数": "3921.33"})
    assert 'id="total">87.55<' in r2.text
    assert 'id="download-data"' not in r2.text  # a form's figures cannot be written back as YAML
    refused = client.get(unit + "/data.yaml?lang=zh&set=全年执行数=4000")
    assert refused.status_code == 422 and "填报表" in refused.text
    assert client.get(unit + "/report.xlsx").status_code == 200


def test_an_xls_that_aborts_its_reader_is_refused_and_the_workers_go_on(department_form):
    pytest.importorskip("python_calamine")
    from tests.forms_support import xls_from_workbook

    # the first sheet's DIMENSIONS record starts at row 0x9C000001: calamine asks for hundreds of GB and aborts
    bad = xls_from_workbook(department_form, dimensions={"整体支出绩效自评表": (0x9C000000, 30, 0, 10)})
    app = create_app(Settings(store.search_path(None), workers=1))  # a worker process: a regression ends it, never this test run
    with TestClient(app) as c:
        for ruleset in ("auto", "2019/department"):  # the stamp read for the ruleset, then the unit read for its page
            r = c.post("/evaluate", files={"file": ("b.xls", bad)}, data={"ruleset": ruleset})
            assert r.status_code == 422 and "Traceback" not in r.text and "内部错误" not in r.text
            assert re.findall(r'<span class="loc">([^<]*)</span>', r.text) == ["b.xls"]
            assert "无法打开：文件已损坏，或不是有效的 Excel 97-2003 (.xls) 文件（memory allocation of " in r.text
        good = c.post("/evaluate", files={"file": ("d.xls", xls_from_workbook(department_form))}, data={"ruleset": "auto"}, follow_redirects=False)
        assert good.status_code == 303, good.text
        assert 'id="total">87.36<' in c.get(good.headers["location"]).text


def test_a_filled_word_form_uploaded_is_evaluated(client):
    r = client.post("/evaluate", files={"file": ("d.docx", filled_department_form(word=True))}, data={"ruleset": "2019/department"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert 'id="total">87.36<' in page and "d.docx:表2!第2行第5列" in page


def test_a_broken_form_uploaded_is_refused_at_its_cell(client, department_form):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(department_form))
    wb["其他数据"]["D3"] = "三千一百万"
    out = io.BytesIO()
    wb.save(out)
    r = client.post("/evaluate", files={"file": ("a.xlsx", out.getvalue())}, data={"ruleset": "auto"})
    assert r.status_code == 422
    locs = re.findall(r'<span class="loc">([^<]*)</span>', r.text)
    assert locs == ["a.xlsx:其他数据!D3"] and "三千一百万" in r.text
    other = client.post("/evaluate", files={"file": ("b.xlsx", department_form)}, data={"ruleset": "2020/department"})
    assert other.status_code == 422 and "b.xlsx" in other.text  # made for 2019: says which ruleset it was made for
    junk = client.post("/evaluate", files={"file": ("c.xlsx", b"PK\x03\x04 not really a workbook")}, data={"ruleset": "auto"})
    assert junk.status_code == 422 and "c.xlsx" in junk.text and "Traceback" not in junk.text
    pdf = client.post("/evaluate", files={"file": ("d.pdf", b"%PDF-1.4")}, data={"ruleset": "auto"}, follow_redirects=False)
    assert pdf.status_code == 422 and ".xlsx" in pdf.text
