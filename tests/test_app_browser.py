"""The web app in a real browser: `run.py ui` serves it, Chromium loads it, a student's
clicks change what it shows.

Uses Debian's Chromium (/usr/bin/chromium; `.ci/run` installs it) through Playwright,
never a downloaded browser. Waits are on page content, never fixed sleeps. The
screenshot goes to the test's tmp dir and results/app_screenshot.png; with
SIM_UPDATE_SCREENSHOT=1 also to docs/screenshots/app.png (the README's picture).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_START_TIMEOUT = 60  # seconds; a cold start imports Solara and the model
WAIT_MS = 20_000  # longest wait for the page to react to one action


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"run.py ui exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"run.py ui did not answer at {url} within {SERVER_START_TIMEOUT} s:\n{log.read_text()}")


@pytest.fixture
def app_url(tmp_path):
    """`run.py ui` on a free port, as a user starts it; stopped at the end even on failure."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run should have installed Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "run.py", "ui", "--port", str(port)], cwd=ROOT,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        url = f"http://localhost:{port}"
        wait_until_serving(url, server, log)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: the server and anything it started
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1350})
        context.set_default_timeout(WAIT_MS)
        try:
            yield context.new_page()
        finally:
            browser.close()


def asean_shares(page_or_text) -> dict[str, float]:
    """The 'ASEAN now' percentages shown at the top of the page (or in a copy of its text)."""
    text = page_or_text if isinstance(page_or_text, str) else page_or_text.locator(".asean-now").inner_text()
    return {name: float(value) for name, value in re.findall(r"([A-Z][A-Za-z ]+?) (\d+\.\d)%", text)}


def wait_for_text_change(page, selector: str, old: str) -> None:
    page.wait_for_function("([sel, old]) => document.querySelector(sel).innerText !== old", arg=[selector, old])


def test_app_serves_the_page_and_reacts_to_slider_step_play_and_tile(app_url, page, tmp_path):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(app_url)

    # The charts render: three non-empty images (timeline, state bars, explain chart).
    page.wait_for_function("() => Array.from(document.images).filter(i => i.naturalWidth > 100).length >= 3")
    assert set(asean_shares(page)) == {"United States", "China", "Japan", "South Korea"}
    assert page.locator(".tile").count() == 10
    start = page.locator(".asean-now").inner_text()
    assert "Quarter 0 of 40" in start

    # Move a slider (keyboard on the thumb, as a user can): before the first step it sets the starting world.
    slider = page.locator(".v-input", has_text="US commitment")
    label = slider.locator("label").inner_text()
    slider.locator("[role=slider]").press("PageDown")
    wait_for_text_change(page, ".asean-now", start)
    assert slider.locator("label").inner_text() != label
    after_slider = asean_shares(page)
    assert after_slider["United States"] < asean_shares(start)["United States"]  # less US commitment

    # Step: one quarter later the displayed alignment values change.
    page.locator(".step-button").click()
    page.get_by_text("Quarter 1 of 40").wait_for()
    assert asean_shares(page) != after_slider

    # Play, then pause: the model runs on by itself.
    page.locator(".play-button").click()
    page.get_by_text("Quarter 8 of 40").wait_for()
    page.locator(".play-button").click()
    page.locator(".play-button", has_text="Play").wait_for()
    quarter = int(re.search(r"Quarter (\d+)", page.locator(".asean-now").inner_text()).group(1))
    assert quarter >= 8

    # A slider during the run is a change from the next quarter, listed under the chart.
    page.locator(".v-input", has_text="ASEAN unity").locator("[role=slider]").press("PageUp")
    page.get_by_text("Your changes during the run").wait_for()
    assert "ASEAN unity = 0.6" in page.get_by_text("Your changes during the run").inner_text()
    page.locator(".step-button").click()
    page.get_by_text(f"Quarter {quarter + 1} of 40").wait_for()

    # Click a tile: the explain panel shows that state.
    page.locator(".tile-Cambodia").click()
    page.locator(".explain-panel h3", has_text="Cambodia").wait_for()
    assert page.locator(".explain-sentence").inner_text().startswith("Cambodia leans to")
    assert page.locator(".tile-Cambodia.selected").count() == 1

    save_screenshot(page, tmp_path)
    assert not failed, f"requests that failed (missing offline assets?): {failed}"


def save_screenshot(page, tmp_path: Path) -> None:
    targets = [tmp_path / "app.png", ROOT / "results" / "app_screenshot.png"]
    if os.environ.get("SIM_UPDATE_SCREENSHOT") == "1":
        targets.append(ROOT / "docs" / "screenshots" / "app.png")
    image = page.screenshot()
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(image)
