"""The HTML report in a real headless browser (Debian's chromium).

A copy of the page gets a small probe script at the end of its body that
measures what the browser laid out (the total's box, each chart bar's width)
and writes it into the DOM; `--dump-dom` returns that DOM. The report itself
carries no script. In CI (`CI` set) a missing chromium is a failure, not a skip.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from tests.conftest import run_cli

PROBE = """<script>
(function () {
  var t = document.getElementById("total"), box = t.getBoundingClientRect();
  var bars = Array.prototype.map.call(document.querySelectorAll("#chart g.bar"), function (g) {
    var a = g.querySelector("rect.available").getBoundingClientRect();
    var o = g.querySelector("rect.obtained").getBoundingClientRect();
    return {name: g.getAttribute("data-name"), available: a.width, obtained: o.width, height: a.height};
  });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({
    total: t.textContent, width: box.width, height: box.height,
    grade: document.getElementById("grade").textContent,
    chart: document.getElementById("chart").getBoundingClientRect().height,
    warnings: document.querySelectorAll("p.finding.warning").length,
    pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, bars: bars
  });
  document.body.appendChild(out);
})();
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs Debian's chromium before the tests")
    pytest.skip("chromium is not installed here (apt-get install chromium); in CI this test runs")


def _run(browser: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    code, out, err = run_cli("evaluate", "--format", "html")
    assert code == 0, err
    return out


def test_total_and_chart_are_rendered_on_a_phone_screen(page, tmp_path):
    browser = _chromium()
    probed = tmp_path / "report.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = _run(browser, tmp_path, "--window-size=390,844", "--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    seen = json.loads(html.unescape(found.group(1)))
    assert seen["total"] == "87.36" and seen["grade"] == "良"
    assert seen["width"] > 0 and seen["height"] > 0
    assert seen["chart"] > 0
    assert seen["warnings"] == 2  # the two real table errors are highlighted
    assert seen["pageWidth"] <= seen["viewport"]  # nothing wider than the phone: wide tables scroll inside
    bars = {b["name"]: b for b in seen["bars"]}
    assert list(bars) == ["预算管理", "产出指标", "效益指标", "满意度"]
    for name, score, weight in (("预算管理", "9.36", "20"), ("产出指标", "38", "40"), ("效益指标", "32", "32"), ("满意度", "8", "8")):
        b = bars[name]
        assert b["available"] > 0 and b["height"] > 0
        assert abs(Decimal(str(b["obtained"])) / Decimal(str(b["available"])) - Decimal(score) / Decimal(weight)) < Decimal("0.01")
    # points available are drawn to one scale: 产出指标 (40) twice as long as 预算管理 (20)
    assert abs(bars["产出指标"]["available"] / bars["预算管理"]["available"] - 2) < 0.01


def test_page_prints_to_a_pdf(page, tmp_path):
    browser = _chromium()
    source = tmp_path / "report.html"
    source.write_text(page, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    _run(browser, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 3 <= pages <= 12


OVERFLOW_PROBE = """<script>
(function () {
  var vw = document.documentElement.clientWidth, bad = [];
  function scroller(el) {
    for (var a = el.parentElement; a; a = a.parentElement) {
      var o = getComputedStyle(a).overflowX;
      if ((o === "auto" || o === "scroll") && a.getBoundingClientRect().right <= vw + 1) return true;
    }
    return false;
  }
  Array.prototype.forEach.call(document.querySelectorAll("body *"), function (el) {
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && !scroller(el)) bad.push(el.tagName + "." + el.className + ":" + (el.textContent || "").slice(0, 20));
  });
  var hints = Array.prototype.map.call(document.querySelectorAll(".scroll-hint"), function (h) { return h.getBoundingClientRect().height > 0; });
  var deviation = document.querySelector(".attachment td:last-child");
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({viewport: vw, page: document.documentElement.scrollWidth, bad: bad, hints: hints,
    reasonWidth: deviation ? deviation.getBoundingClientRect().width : 0});
  document.body.appendChild(out);
})();
</script>"""


def _probe(browser, tmp_path, page: str, probe: str, width: int = 390) -> dict:
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    done = _run(browser, tmp_path, f"--window-size={width},844", "--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("data", ["examples/2019/hr-bureau.yaml", "examples/2019/projects/employment-subsidy.yaml"])
def test_on_a_phone_nothing_is_wider_than_the_screen_outside_a_scroll_box(data, tmp_path):
    """At 390 px every element fits the screen or sits in a box that scrolls
    sideways; the wide forms say so (a visible hint) and keep readable columns."""
    browser = _chromium()
    code, page, err = run_cli("evaluate", data, "--format", "html")
    assert code == 0, err
    seen = _probe(browser, tmp_path, page, OVERFLOW_PROBE)
    assert seen["bad"] == [] and seen["page"] <= seen["viewport"]
    assert seen["hints"] and all(seen["hints"])  # the form is wide: its hint shows
    assert seen["reasonWidth"] >= 100  # 偏差原因 keeps a readable width instead of two characters


def _pdf_pages(browser, tmp_path, page: str, name: str) -> int:
    source = tmp_path / f"{name}.html"
    source.write_text(page, encoding="utf-8")
    pdf = tmp_path / f"{name}.pdf"
    _run(browser, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri())
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_printing_leaves_no_page_holding_only_the_footer(page, tmp_path):
    browser = _chromium()
    assert "<footer>" in page  # HTML is a review page: the stamp is in its footer
    with_footer = _pdf_pages(browser, tmp_path, page, "with")
    without = _pdf_pages(browser, tmp_path, re.sub(r"<footer>.*?</footer>", "", page, flags=re.S), "without")
    assert with_footer == without  # the footer never needs a page of its own
    assert "<thead>" in page and "break-after: avoid" in page  # headers repeat, captions stay with their tables


def test_the_summary_page_shows_its_title_once():
    code, page, err = run_cli("evaluate", "examples/2019/projects/", "--format", "html")
    assert code == 0, err
    body = page[page.index("<body>"):]
    assert body.count("项目支出自评情况汇总表</p>") == 1
