"""The web app in a real browser: `run.py ui` serves it, Chromium loads it, a student's
clicks change what it shows: sliders, step and play (its rate is printed and must be 4
quarters a second or more), tiles, the charts' hover, legend and PNG, the link, the downloads
and the compare view.

Uses Debian's Chromium (/usr/bin/chromium; `.ci/run` installs it) through Playwright,
never a downloaded browser. Waits are on page content, never fixed sleeps. The
screenshots go to the test's tmp dir and results/; with SIM_UPDATE_SCREENSHOT=1 also to
docs/screenshots/ (the README's pictures).
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
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import sim

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
def browser_context(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1350}, accept_downloads=True)
        context.set_default_timeout(WAIT_MS)
        try:
            yield context
        finally:
            browser.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


def asean_shares(page_or_text) -> dict[str, float]:
    """The 'ASEAN now' percentages shown at the top of the page (or in a copy of its text)."""
    text = page_or_text if isinstance(page_or_text, str) else page_or_text.locator(".asean-now").inner_text()
    return {name: float(value) for name, value in re.findall(r"([A-Z][A-Za-z ]+?) (\d+\.\d)%", text)}


def quarter(page) -> int:
    return int(re.search(r"Quarter (\d+)", page.locator(".asean-now").inner_text()).group(1))


def wait_for_text_change(page, selector: str, old: str) -> None:
    page.wait_for_function("([sel, old]) => document.querySelector(sel).innerText !== old", arg=[selector, old])


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3")  # three charts drawn


# Records each quarter the page shows, with the browser's clock: what a viewer sees, not what the server sent.
WATCH_QUARTERS = """() => {
  window.quartersSeen = [];
  const seen = () => {
    const match = document.querySelector('.asean-now').innerText.match(/Quarter (\\d+)/);
    const last = window.quartersSeen[window.quartersSeen.length - 1];
    if (match && (!last || last[0] !== +match[1])) window.quartersSeen.push([+match[1], performance.now()]);
  };
  new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def test_app_serves_the_page_and_reacts_to_slider_step_play_and_tile(app_url, page, tmp_path):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    open_page(page, app_url)
    partners = {"United States", "China", "Japan", "South Korea"}  # baseline_2020's partners
    assert partners <= set(asean_shares(page))
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

    # Play: the model runs on by itself to the end, each quarter shown. Its pace follows the browser's
    # drawing (a loaded machine draws slower), so only a stall fails here; docs/performance.md gives rates.
    page.evaluate(WATCH_QUARTERS)
    page.locator(".play-button").click()
    page.get_by_text("Quarter 40 of 40").wait_for(timeout=60_000)
    page.locator(".play-button[disabled]").wait_for()  # at the end Play stops and is disabled
    seen = page.evaluate("window.quartersSeen")
    first, last = next(s for s in seen if s[0] >= 4), next(s for s in seen if s[0] >= 36)
    rate = (last[0] - first[0]) / ((last[1] - first[1]) / 1000)
    drawn = len([s for s in seen if first[0] <= s[0] <= last[0]])
    print(f"\nplay rate in the browser: {rate:.2f} quarters/s ({last[0] - first[0]} quarters, {drawn} of them drawn)")
    assert drawn >= (last[0] - first[0]) // 2, f"Play skipped most quarters on screen ({drawn} drawn)"
    assert rate >= 1.0, f"play stalled: {rate:.2f} quarters/s"

    # Reset, play and pause: the run stops where it is.
    page.locator(".reset-button").click()
    page.get_by_text("Quarter 0 of 40").wait_for()
    page.evaluate("window.quartersSeen = []")
    page.locator(".play-button").click()
    page.wait_for_function("() => window.quartersSeen.some(([q]) => q >= 3)")
    page.locator(".play-button").dispatch_event("click")  # at once: no wait for the moving page to settle
    page.locator(".play-button", has_text="Play").wait_for()
    now = quarter(page)
    assert 3 <= now < 40

    # A slider during the run is a change from the next quarter, listed under the chart.
    page.locator(".v-input", has_text="ASEAN unity").locator("[role=slider]").press("PageUp")
    page.locator(".changes-line").wait_for()
    assert "ASEAN unity = 0.6" in page.locator(".changes-line").inner_text()
    page.locator(".step-button").click()
    page.get_by_text(f"Quarter {now + 1} of 40").wait_for()

    # Click a tile: the explain panel shows that state.
    page.locator(".tile-Cambodia").click()
    page.locator(".explain-panel h3", has_text="Cambodia").wait_for()
    assert page.locator(".explain-sentence").inner_text().startswith("Cambodia leans to")
    assert page.locator(".tile-Cambodia.selected").count() == 1

    save_screenshot(page, tmp_path, "app.png")
    assert not failed, f"requests that failed (missing offline assets?): {failed}"


def test_pause_lands_on_the_quarter_on_screen_and_the_scrubber_goes_back(app_url, page):
    """Issue 27: Pause within a quarter of the screen; the scrubber, speed control and event markers
    found by their accessible names; sliders show the value in force at the quarter on screen."""
    open_page(page, app_url + "/?scenario=us_retrenchment")
    commitment = page.locator(".v-input", has_text="US commitment").locator("label")
    at_start = commitment.inner_text()
    scrubber = page.get_by_role("slider", name="Quarter shown")
    assert page.get_by_role("combobox", name=re.compile("speed", re.I)).count() == 1
    marker = page.get_by_role("button", name=re.compile(r"US commitment = "))
    event_quarter = int(re.search(r"\(quarter (\d+)\)", marker.get_attribute("aria-label")).group(1))

    page.evaluate(WATCH_QUARTERS)
    page.locator(".play-button").click()
    page.wait_for_function(f"() => window.quartersSeen.some(([q]) => q >= {event_quarter + 4})")
    # read the screen and click Pause in one go: between two Playwright calls a loaded machine lets
    # the screen move on a quarter or two, which said nothing about where Pause stops
    on_screen = page.evaluate("() => { const q = +document.querySelector('.asean-now').innerText"
                              ".match(/Quarter (\\d+)/)[1]; document.querySelector('.play-button').click(); return q; }")
    page.locator(".play-button", has_text="Play").wait_for()
    stopped = quarter(page)
    print(f"\npause: {on_screen} on screen at the click, stopped at {stopped}")
    assert 0 <= stopped - on_screen <= 1
    assert commitment.inner_text() != at_start  # the scenario's own change, in force on screen

    scrubber.press("Home")  # back to the start: the computed run, shown again
    page.get_by_text("Quarter 0 of 40").wait_for()
    assert commitment.inner_text() == at_start
    marker.click()  # a marker goes to its quarter
    page.get_by_text(f"Quarter {event_quarter} of 40").wait_for()
    scrubber.press("ArrowLeft")
    page.get_by_text(f"Quarter {event_quarter - 1} of 40").wait_for()
    page.wait_for_function(f"() => location.search.includes('step={event_quarter - 1}')")


def test_charts_are_interactive_hover_legend_and_png(app_url, page, tmp_path):
    open_page(page, app_url)
    timeline = page.locator(".timeline-chart .js-plotly-plot")
    # Hover: a value appears over the chart.
    for _ in range(4):
        page.locator(".step-button").click()
    page.get_by_text("Quarter 4 of 40").wait_for()
    box = timeline.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.02, box["y"] + box["height"] * 0.5)
    page.mouse.move(box["x"] + box["width"] * 0.04, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => document.querySelector('.timeline-chart .hoverlayer').textContent.includes('%')")
    # Legend: a click hides a partner's line and band, a second click shows them again.
    page.mouse.move(0, 0)
    timeline.locator(".infolayer .legend .traces", has_text="China").click()
    page.wait_for_function("() => [...document.querySelectorAll('.timeline-chart .infolayer .legend .traces')]"
                           ".some(t => t.textContent.includes('China') && t.style.opacity === '0.5')")
    # PNG: the chart's own toolbar downloads it.
    timeline.hover()
    with page.expect_download() as download:
        timeline.locator("[data-title='Download plot as a PNG']").click()
    path = tmp_path / "timeline.png"
    download.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def move_slider(page, label, key, in_link):
    """Press ``key`` on the slider labelled ``label`` and wait until the link shows ``in_link``."""
    page.locator(".v-input", has_text=label).locator("[role=slider]").press(key)
    page.wait_for_function(f"() => location.search.includes('{in_link}')")


def step_to(page, quarter, steps):
    """Press Step ``steps`` times and wait for quarter ``quarter``."""
    for _ in range(steps):
        page.locator(".step-button").click()
    page.get_by_text(f"Quarter {quarter} of 40").wait_for()


def test_a_copied_link_reopens_the_same_view(app_url, page, browser_context):
    open_page(page, app_url)
    move_slider(page, "US-China rivalry", "PageUp", "world.rivalry=")
    step_to(page, 3, 3)
    page.locator(".v-input", has_text="ASEAN unity").locator("[role=slider]").press("PageUp")
    page.locator(".tile-Laos").click()
    page.wait_for_function("() => location.search.includes('state=Laos') && location.search.includes('q4.')")
    link, shown = page.url, page.locator(".asean-now").inner_text()
    rivalry = page.locator(".v-input", has_text="US-China rivalry").locator("label").inner_text()
    changes = page.locator(".changes-line").inner_text()
    assert "step=3" in link

    other = browser_context.new_page()  # a second reader opens the link
    open_page(other, link)
    other.get_by_text("Quarter 3 of 40").wait_for()
    assert other.locator(".asean-now").inner_text() == shown
    assert other.locator(".explain-panel h3", has_text="Laos").count() == 1
    assert other.locator(".v-input", has_text="US-China rivalry").locator("label").inner_text() == rivalry
    assert other.locator(".changes-line").inner_text() == changes

    bad = browser_context.new_page()
    open_page(bad, app_url + "/?scenario=nowhere")
    assert bad.locator(".error-line").inner_text().startswith("This link could not be opened: ")


def test_downloads_and_save_as_scenario_reproduce_the_run(app_url, page, tmp_path):
    open_page(page, app_url)
    move_slider(page, "North Korea threat", "PageDown", "world.nk_threat=")
    step_to(page, 2, 2)
    move_slider(page, "US commitment", "PageDown", "q3.")
    step_to(page, 4, 2)

    files = {}
    for label in ("Download run (CSV)", "Save as scenario (TOML)"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        files[label] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[label])
    with zipfile.ZipFile(files["Download run (CSV)"]) as bundle:
        shown = pd.read_csv(bundle.open("alignment.csv"))
    rerun = sim.run(files["Save as scenario (TOML)"], steps=4)  # the saved file, as `run.py run FILE` reads it
    pd.testing.assert_frame_equal(shown, rerun.alignment.astype(shown.dtypes.to_dict()), check_exact=False,
                                  rtol=0, atol=1e-15)


def test_compare_view_reads_for_students_and_marks_a_result_out_of_date(app_url, page, tmp_path):
    open_page(page, app_url)
    run_cohesion = re.search(r"cohesion (\d+\.\d)%", page.locator(".asean-now").inner_text())
    assert run_cohesion, "the Run tab shows cohesion in percent"
    page.get_by_role("tab", name="Compare").click()
    page.locator(".compare-sidebar-note").wait_for()  # Run's sliders are not beside the columns
    assert not page.get_by_text("The world", exact=True).is_visible()
    column_b = page.locator(".compare-column-B")
    column_b.locator(".v-input", has_text="US commitment").locator("[role=slider]").press("PageDown")
    column_b.get_by_text("Sliders changed: US commitment = ").wait_for()
    title = sim.schema.scenario.load("baseline_2020").title
    assert f"B: {title}, US commitment = " in column_b.inner_text()  # named by title and what was changed
    page.locator(".compare-button").click()
    page.locator(".compare-time").wait_for()
    seconds = float(re.search(r"Computed in ([\d.]+) s", page.locator(".compare-time").inner_text()).group(1))
    print(f"\ncompare view: two columns of 100 replicates computed in {seconds:.2f} s")
    for chart in ("difference-chart", "compare-timeline-chart", "state-difference-chart"):
        assert page.locator(f".{chart} .js-plotly-plot").count() == 1, chart
    headers = page.locator(".compare-table").first.locator("th").all_inner_texts()
    assert "cohesion (%)" in headers and "forced choice: US (%)" in headers
    page.wait_for_function("() => location.search.includes('compared=1')")
    save_screenshot(page, tmp_path, "app_compare.png")
    page.locator(".compare-timeline-chart").scroll_into_view_if_needed()
    save_screenshot(page, tmp_path, "app_compare_result.png", full_page=False)
    column_b.locator(".v-input", has_text="ASEAN unity").locator("[role=slider]").press("PageUp")
    page.locator(".compare-stale").wait_for()  # the result shown no longer matches the columns
    page.wait_for_function("() => !location.search.includes('compared=1')")
    started = time.monotonic()
    page.locator(".compare-button").click()
    page.locator(".compare-stale").wait_for(state="detached")
    page.wait_for_function("() => location.search.includes('compared=1')")
    print(f"re-compare on screen: {time.monotonic() - started:.1f} s")


def test_a_link_opens_the_compare_tab_with_its_columns_and_result(app_url, page):
    page.goto(app_url + "/?scenario=baseline_2020&tab=compare&a=baseline_2020&b=us_retrenchment&b.world.rivalry=0.9"
              "&compared=1")
    page.locator(".compare-column-B").get_by_text("Sliders changed: US-China rivalry = 0.9").wait_for()
    assert page.locator(".compare-column-A").get_by_text("Sliders changed: none").count() == 1
    page.locator(".compare-time").wait_for(timeout=3 * WAIT_MS)  # the result, not only the columns (3 new charts)
    assert "US-China rivalry = 0.9" in page.locator(".compare-lines").inner_text()
    page.wait_for_function("() => location.search.includes('tab=compare') && location.search.includes('b=us_retr')")
    page.get_by_role("tab", name="Run").click()  # back on the Run tab, the link no longer names the columns
    page.wait_for_function("() => !location.search.includes('tab=compare')")


def test_a_lesson_loads_its_scenario_and_shows_its_steps_and_questions(app_url, page, tmp_path):
    from sim.app import lessons  # the lesson as its file says, not as this test remembers it
    from sim.schema.scenario import load
    lesson = next(item for item in lessons.lessons() if item.scenario != "baseline_2020")
    open_page(page, app_url)
    page.locator(".step-button").click()
    page.get_by_text("Quarter 1 of 40").wait_for()
    page.locator(".lesson-panel .v-select__slot").click()
    page.locator(".v-menu__content .v-list-item", has_text=lesson.title).click()
    page.get_by_text("Quarter 0 of 40").wait_for()  # the lesson starts its scenario from the beginning
    page.wait_for_function("t => location.search.includes('scenario=' + t)", arg=lesson.scenario)
    panel = page.locator(".lesson-panel")
    assert load(lesson.scenario).title in page.locator(".timeline-chart").inner_text()
    steps = panel.locator(".v-expansion-panel--active")
    assert steps.count() == 1 and "what to change" in steps.inner_text().lower()
    panel.get_by_text("Questions for discussion").click()
    question = lesson.sections["Questions for discussion"].splitlines()[0].split(". ", 1)[1][:30]
    panel.get_by_text(question, exact=False).wait_for()
    assert "claim:" not in panel.inner_text()  # the claim marks are for the checks, not for students
    started = time.monotonic()
    panel.get_by_role("button", name="Check the claims").click()
    summary = panel.locator(".claims-summary")
    summary.wait_for()
    print(f"claims checked on screen in {time.monotonic() - started:.1f} s: {summary.inner_text()}")
    checks = panel.locator(".claim-check")
    assert checks.count() == len(lesson.claims)
    for i, name in enumerate(lesson.claims):  # each claim: its sentence, a mark, what was measured per line
        text = checks.nth(i).inner_text()
        assert lesson.sentences[name][:40] in text and text.strip()[0] in "✓✗"
        assert checks.nth(i).locator(".claim-lines li").count() == len(lesson.claims[name])
    assert f"{panel.locator('.claim-check.holds').count()} of {len(lesson.claims)} claims hold" in summary.inner_text()
    save_screenshot(page, tmp_path, "app_lesson.png", full_page=False)
    key, value = next(iter(lesson.tries[0][1].items()))
    panel.locator(".lesson-tries button").first.click()  # a setting the lesson asks for, one click
    page.wait_for_function("q => location.search.includes(q)", arg=f"{key}={value:g}")
    panel.get_by_text("Out of date").wait_for()  # the run changed after the check


def test_the_words_a_student_sees_have_tooltips_and_a_glossary(app_url, page):
    from sim.app.glossary import GLOSSARY
    from sim.core.equations import TERMS
    open_page(page, app_url)
    page.locator(".step-button").click()
    page.get_by_text("Quarter 1 of 40").wait_for()
    glossed = page.evaluate("() => [...document.querySelectorAll('abbr.term')].map(a => [a.innerText, a.title])")
    words = {text for text, gloss in glossed if gloss}
    assert {"cohesion", "hedging", "ASEAN-centred", *TERMS} <= words, words  # summary, map, explain table
    assert all(gloss in GLOSSARY.values() for _, gloss in glossed)
    page.get_by_text("Glossary: the words on this page").click()
    listed = page.locator(".glossary dt").all_inner_texts()
    assert listed == list(GLOSSARY)
    page.get_by_role("tab", name="Compare").click()
    page.locator(".compare-button").wait_for()
    compare_words = page.evaluate("() => [...document.querySelectorAll('.compare-tab abbr.term, abbr.term')]"
                                  ".filter(a => a.offsetParent).map(a => a.innerText)")
    assert {"clear of zero", "bootstrap intervals"} <= set(compare_words), compare_words


# What a layout must hold (issue 27): no horizontal scroll, every chart inside its card, tiles that
# neither overlap nor cut their text, and the timeline not covered by anything.
LAYOUT_FAULTS = """() => {
  const faults = [];
  if (document.documentElement.scrollWidth > innerWidth) faults.push('horizontal scroll ' +
      document.documentElement.scrollWidth + ' > ' + innerWidth);
  for (const plot of document.querySelectorAll('.chart .js-plotly-plot')) {
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const card = plot.closest('.chart').getBoundingClientRect();
    if (svg.width > card.width + 1) faults.push('chart ' + svg.width + ' px in a ' + card.width + ' px card');
  }
  const tiles = [...document.querySelectorAll('.tile')].map(t => [t, t.getBoundingClientRect()]);
  for (const [tile, box] of tiles) {
    if (tile.scrollWidth > tile.clientWidth + 1 || tile.scrollHeight > tile.clientHeight + 1)
      faults.push('tile text cut: ' + tile.innerText);
    const name = tile.querySelector('.tile-name'), range = document.createRange();
    range.selectNodeContents(name);  // a name on two lines must break at its soft hyphen, not mid-word
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    if (lines > 1 && !name.textContent.includes('\u00ad'))
      faults.push('tile name broken mid-word: ' + name.textContent);
    for (const [other, o] of tiles) if (other !== tile && box.left < o.right - 1 && o.left < box.right - 1
        && box.top < o.bottom - 1 && o.top < box.bottom - 1) faults.push('tiles overlap');
  }
  const timeline = document.querySelector('.timeline-chart');
  timeline.scrollIntoView({block: 'center'});
  const box = timeline.getBoundingClientRect();
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!timeline.contains(top)) faults.push('the timeline is covered by ' + (top && top.className));
  return faults;
}"""


@pytest.mark.parametrize("width, height, name", [(1024, 768, "projector"), (390, 844, "phone")])
def test_layouts_hold_on_a_projector_and_a_phone(app_url, browser_context, tmp_path, width, height, name):
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, app_url)
    page.locator(".step-button").click()
    page.get_by_text("Quarter 1 of 40").wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('.chart .js-plotly-plot')].every(p => "
                           "p.querySelector('.main-svg').getBoundingClientRect().width <= "
                           "p.closest('.chart').getBoundingClientRect().width + 1)")
    faults = page.evaluate(LAYOUT_FAULTS)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    print(f"\n{name} {width}x{height}: scroll width {widths[0]} in a {widths[1]} px window")
    assert not faults, faults
    drawer = page.locator(".v-navigation-drawer")
    if width < 960:  # a phone: the side panel starts closed, the menu button opens it, it leaves room to close it
        assert "v-navigation-drawer--open" not in drawer.get_attribute("class")
        page.locator(".v-app-bar .v-app-bar__nav-icon, .v-app-bar button").first.click()
        page.wait_for_function("() => document.querySelector('.v-navigation-drawer--open')")
        assert drawer.bounding_box()["width"] < width
        page.mouse.click(width - 10, height // 2)  # a tap beside the panel closes it
        page.wait_for_function("() => !document.querySelector('.v-navigation-drawer--open')")
    page.locator(".tile-Laos").click()  # a click reaches the link at once, not at the next step
    page.wait_for_function("() => location.search.includes('state=Laos')")
    page.locator(".tile-Laos").scroll_into_view_if_needed()
    save_screenshot(page, tmp_path, f"app_{name}.png", full_page=False)


def save_screenshot(page, tmp_path: Path, name: str, full_page: bool = True) -> None:
    targets = [tmp_path / name, ROOT / "results" / f"screenshot_{name}"]
    if os.environ.get("SIM_UPDATE_SCREENSHOT") == "1":
        targets.append(ROOT / "docs" / "screenshots" / name)
    image = page.screenshot(full_page=full_page)
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(image)
