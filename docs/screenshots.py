"""Screenshots of every workbench page at desktop (1280) and phone (390) width.

    python docs/screenshots.py          # writes docs/screenshots/*.png

Starts `jixiao serve` on 127.0.0.1 at a free port and drives the OS's
Chromium with Playwright (`pip install playwright`; the browser is
/usr/bin/chromium, never `playwright install`).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "screenshots")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shoot(page, name: str) -> None:
    for label, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.screenshot(path=os.path.join(OUT, f"{name}-{label}.png"), full_page=False)


def main() -> int:
    from playwright.sync_api import sync_playwright

    os.makedirs(OUT, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--port", str(port), "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + "/")
            shoot(page, "rulesets")
            page.goto(url + "/ruleset/2020/department")
            shoot(page, "ruleset")
            page.goto(url + "/edit/2020/department")
            page.wait_for_selector("#preview-total")
            page.evaluate("""() => { const v = window.jixiaoEditor.view, d = v.state.doc.toString();
                const at = d.indexOf("\\n", d.indexOf("- id: 预算调整率")); v.dispatch({changes: {from: at, insert: "\\n    weight: 12"}}); }""")
            page.wait_for_selector("li.diagnostic.error")
            page.wait_for_timeout(300)
            shoot(page, "edit")
            page.goto(url + "/evaluate")
            page.set_input_files("input[name=file]", os.path.join(ROOT, "examples", "2019", "hr-bureau.yaml"))
            page.click("button[type=submit]")
            page.wait_for_selector("#total")
            page.fill("input[data-name='全年执行数']", "4000")
            page.click("#whatif button[type=submit]")
            page.wait_for_function("document.getElementById('total').textContent === '87.55'")
            shoot(page, "evaluate")
            page.goto(url + "/compare")
            page.click("button[type=submit]")
            page.wait_for_selector("#diff pre")
            shoot(page, "compare")
            page.goto(url + "/batch")
            batch = os.path.join(ROOT, "examples", "2019", "projects-batch")
            page.set_input_files("input[name=file]", os.path.join(batch, "projects.csv"))
            page.click("details summary")
            page.set_input_files("input[name=columns]", os.path.join(batch, "columns.yaml"))
            page.set_input_files("input[name=rows]", os.path.join(batch, "indicators.csv"))
            page.select_option("select[name=ruleset]", "2019/project")
            page.click("button[type=submit]")
            page.wait_for_selector("#batch-summary", timeout=60000)
            shoot(page, "batch")
            page.goto(url + "/?lang=en")
            shoot(page, "rulesets-en")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print("written:", ", ".join(sorted(os.listdir(OUT))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
