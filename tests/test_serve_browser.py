"""The workbench end to end, in a real browser: Playwright driving the OS's
Chromium (/usr/bin/chromium; never `playwright install`) against a real
`jixiao serve` on 127.0.0.1 at a free port, started and stopped here.

Skipped only when chromium or the playwright package is missing; in CI
(`CI` set) that is a failure instead.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def _need_browser():
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install playwright)")
    try:
        import starlette  # noqa: F401
    except ImportError:
        missing.append("the serve extra")
    if not os.path.exists(CHROMIUM):
        missing.append("chromium (apt-get install chromium)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail("missing for the browser tests: " + ", ".join(missing))
        pytest.skip("missing here: " + ", ".join(missing))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    _need_browser()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("jixiao serve did not start: " + (proc.stdout.read() if proc.stdout else ""))
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(accept_downloads=True)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _insert_after(page, anchor: str, text: str) -> None:
    """Put the cursor at the end of the line holding `anchor` and type `text` there."""
    page.evaluate(
        """([anchor]) => {
            const v = window.jixiaoEditor.view, doc = v.state.doc.toString();
            const at = doc.indexOf("\\n", doc.indexOf(anchor));
            v.focus(); v.dispatch({selection: {anchor: at}});
        }""",
        [anchor],
    )
    page.keyboard.insert_text(text)


def _expected_weight_problem(text: str):
    from engine import api
    from engine.base.diagnostics import DiagnosticError

    path = str(ROOT / "rulesets" / "2020" / "department.yaml")
    with pytest.raises(DiagnosticError) as e:
        api.plan_from_text(text, path, "rulesets/2020/department.yaml")
    return e.value.diagnostics[0]


def test_edit_ruleset_live_errors_then_preview(server, page):
    page.goto(server + "/edit/2020/department")
    page.wait_for_selector("#preview-total")
    assert page.inner_text("#preview-total") == "89.36"
    _insert_after(page, "- id: 预算调整率", "\n    weight: 12")
    page.wait_for_selector("li.diagnostic.error", timeout=5000)
    text = page.evaluate("JixiaoEditor.getText(window.jixiaoEditor)")
    want = _expected_weight_problem(text)
    item = page.locator("li.diagnostic.error").first
    assert (item.get_attribute("data-line"), item.get_attribute("data-col")) == (str(want.span.line), str(want.span.col))
    assert f"rulesets/2020/department.yaml:{want.span.line}:{want.span.col}" in item.inner_text()
    assert page.locator(".cm-lint-marker-error").count() >= 1  # the mark in the editor's gutter
    assert page.locator("#preview-total").count() == 0
    # fix it: the weight the group needs
    page.evaluate(
        """() => { const v = window.jixiaoEditor.view, doc = v.state.doc.toString();
                   const at = doc.indexOf("weight: 12"); v.dispatch({changes: {from: at + 8, to: at + 10, insert: "10"}}); }"""
    )
    page.wait_for_selector("#no-problems", timeout=5000)
    page.wait_for_selector("#preview-total")
    assert page.inner_text("#preview-total") == "89.36"
    assert page.inner_text("#preview-grade") == "良"


def test_evaluate_upload_what_if_and_docx(server, page, tmp_path):
    page.goto(server + "/evaluate")
    page.set_input_files("input[name=file]", str(ROOT / "examples" / "2019" / "hr-bureau.yaml"))
    page.click("button[type=submit]")
    page.wait_for_selector("#total")
    assert page.inner_text("#total") == "87.36"
    assert page.inner_text("#grade") == "良"
    findings = page.locator("#findings li")
    assert findings.count() >= 10
    assert re.search(r"hr-bureau\.yaml:\d+:\d+", findings.first.inner_text())
    assert "预算调整率" in page.inner_text("#best")

    page.fill("input[data-name='全年执行数']", "4000")
    page.click("#whatif button[type=submit]")
    page.wait_for_function("document.getElementById('total').textContent === '87.55'")
    assert page.inner_text("#grade") == "良"

    page.click("a[hx-get*='indicator=']")  # explain the first indicator
    page.wait_for_selector("#explain pre")

    with page.expect_download() as dl:
        page.click("#download-docx")
    path = tmp_path / "report.docx"
    dl.value.save_as(str(path))
    import docx

    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "87.55" in text  # the what-if's figures went into the report


def test_evaluate_upload_of_a_filled_workbook(server, page, tmp_path):
    from tests.forms_support import filled_department_form

    path = tmp_path / "人力资源局.xlsx"
    path.write_bytes(filled_department_form())
    page.goto(server + "/evaluate")
    page.set_input_files("input[name=file]", str(path))
    page.click("button[type=submit]")
    page.wait_for_selector("#total")
    assert (page.inner_text("#total"), page.inner_text("#grade")) == ("87.36", "良")
    assert page.locator("#findings li").first.inner_text().startswith("人力资源局.xlsx:预算调整表!E5")
    page.fill("input[data-name='全年执行数']", "4000")
    page.click("#whatif button[type=submit]")
    page.wait_for_function("document.getElementById('total').textContent === '87.55'")
