"""Drive the OS chromium with Playwright against test/check.html.

Run: .venv/bin/python test/playwright_check.py   (no `playwright install` needed)
"""
import pathlib
import sys

from playwright.sync_api import sync_playwright

PAGE = (pathlib.Path(__file__).resolve().parent / "check.html").as_uri()

failures = []
passed = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    (passed if cond else failures).append(what)


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1000, "height": 600})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(PAGE)

    check(page.evaluate("typeof window.htmx") == "object", "htmx loaded")
    check(page.evaluate("typeof window.JixiaoEditor.create") == "function", "JixiaoEditor loaded")
    check(page.locator(".cm-lineNumbers .cm-gutterElement").count() >= 5, "line numbers rendered")
    check(page.locator(".cm-lint-marker-error").count() == 1, "error marker in lint gutter")
    check(page.locator(".cm-lint-marker-warning").count() == 1, "warning marker in lint gutter")
    # line 2 col 5 of "分值: 10" is the "1" -> underline covers "10"
    check(page.locator(".cm-lintRange-error").first.inner_text() == "10", "error range text is '10'")
    check(page.locator(".cm-lintRange-warning").first.inner_text() == "产出指标", "warning range is '产出指标'")

    # Type at the end of line 1 (Chinese + ASCII) and wait for the debounced onChange.
    page.locator(".cm-line").first.click()
    page.keyboard.press("End")
    page.keyboard.type("（2024年）", delay=20)
    page.keyboard.press("Enter")
    page.keyboard.type("单位: 某某局")
    expected_prefix = "名称: 预算执行率（2024年）\n单位: 某某局\n分值: 10"
    try:
        page.wait_for_function(
            "p => document.getElementById('out').textContent.startsWith(p)", arg=expected_prefix, timeout=5000
        )
    except Exception:
        pass
    out = page.locator("#out").inner_text()
    check(out.startswith(expected_prefix), "onChange delivered edited text (typed with the keyboard)")
    check(page.evaluate("JixiaoEditor.getText(window.__h)") == out, "getText matches onChange text")

    # Debounce: five quick edits in one task -> exactly one onChange ~250 ms later.
    before = int(page.locator("#count").inner_text())
    page.evaluate(
        """() => { const v = window.__h.view;
                   for (let i = 0; i < 5; i++) v.dispatch({changes: {from: v.state.doc.length, insert: '#'}}); }"""
    )
    page.wait_for_timeout(100)
    check(int(page.locator("#count").inner_text()) == before, "no onChange before the debounce delay")
    page.wait_for_timeout(500)
    check(int(page.locator("#count").inner_text()) == before + 1, "five edits -> one debounced onChange")

    # setText does not fire onChange and clears diagnostics
    before = int(page.locator("#count").inner_text())
    page.evaluate("JixiaoEditor.setText(window.__h, 'a: 1\\n')")
    page.wait_for_timeout(400)
    check(int(page.locator("#count").inner_text()) == before, "setText does not fire onChange")
    check(page.locator(".cm-lint-marker").count() == 0, "setText cleared diagnostics")

    # col counts code points: an astral char (U+20BB7 𠮷) is 1 column
    page.evaluate("JixiaoEditor.setText(window.__h, '𠮷名: 值x\\n')")
    page.evaluate("JixiaoEditor.setDiagnostics(window.__h, [{line: 1, col: 5, endCol: 6, severity: 'warning', message: 'x'}])")
    check(page.locator(".cm-lintRange-warning").first.inner_text() == "值", "astral char counts as one column")
    # out-of-range diagnostics are clamped, not thrown
    page.evaluate("JixiaoEditor.setDiagnostics(window.__h, [{line: 99, col: 99, severity: 'error', message: 'late'}])")
    check(not errors, f"no page errors {errors}")

    page.screenshot(path=str(pathlib.Path(__file__).resolve().parent.parent / "check-playwright.png"))
    browser.close()

print(f"{len(passed)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
