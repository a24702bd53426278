"""The report in a real browser (Debian's Chromium, driven by Playwright): charts render, the
console stays clean, and a screenshot is kept in out/screenshots/ for a person to look at."""
import os
import shutil

import pytest
from conftest import ROOT


def test_report_renders_in_chromium(report_dir):
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; `make test` installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    problems = []
    shots = ROOT / "out" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: problems.append(f"network: {r.url}") if not r.url.startswith("file:") else None)
        page.goto((report_dir / "report.html").as_uri())
        charts = page.locator("svg.chart")
        assert charts.count() >= 5
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 20
        bars = page.locator("svg.chart rect.bar")
        assert bars.count() >= 20
        assert all(bars.nth(i).is_visible() for i in range(4))
        assert "Hovedresultat" in page.inner_text("body")
        page.screenshot(path=str(shots / "report.png"), full_page=True)
        browser.close()
    assert problems == []
