"""The teaching page in a real headless browser (Debian chromium driven by Playwright).

Starts ``xenosim app --no-browser`` on a free localhost port, loads the page, presses Step,
clicks a cell, changes a control and presses Reset, and saves a screenshot under
``test-artifacts/``. Skipped (with the reason) when chromium or playwright is missing, unless
``XENOSIM_REQUIRE_BROWSER=1`` (``make test-browser``, CI), where a missing browser is a failure.
Never downloads a browser: it uses the system's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import free_port, wait_for_app_ready

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("XENOSIM_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("XENOSIM_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

pytestmark = pytest.mark.browser


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (Debian: apt-get install chromium; or set XENOSIM_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright python package is not installed (pip install -e '.[dev]')"
    try:
        import solara  # noqa: F401
    except ImportError:
        return "the app extra is not installed (pip install -e '.[app]')"
    return None


@pytest.fixture(scope="module")
def server():
    reason = _missing()
    if reason:
        if REQUIRE:
            pytest.fail(f"browser test required but {reason}")
        pytest.skip(reason)
    port = free_port()
    exe = shutil.which("xenosim", path=str(Path(sys.executable).parent)) or "xenosim"
    proc = subprocess.Popen([exe, "app", "--lesson", "1", "--port", str(port), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    started = time.monotonic()
    lines = wait_for_app_ready(proc)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "teaching_page_startup.txt").write_text(
        f"server answered {time.monotonic() - started:.1f} s after `xenosim app`\n"
        + "".join(lines))
    yield url
    proc.terminate()  # xenosim app stops its solara server on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    _wait_closed(port)


def _wait_closed(port: int, timeout_s: float = 10.0) -> None:
    """The server's port is released (its process ended with xenosim app)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.3)
    pytest.fail(f"the page server on port {port} outlived xenosim app")


def _title_day(page) -> float:
    text = page.locator("text=/Tumour cross-section/").first.inner_text()
    return float(re.search(r"day (-?\d+\.\d)", text).group(1))


def test_page_in_headless_chromium(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})  # a projector
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("console", lambda m: errors.append(f"console error: {m.text}")
                    if m.type == "error" else None)
            t_goto = time.monotonic()
            page.goto(server)
            # loads: the lesson title, the cross-section picture and the live plots
            expect(page.get_by_text("lesson 1", exact=False).first).to_be_visible(timeout=45000)
            page.wait_for_selector("img.xenosim-section", timeout=30000)
            expect(page.get_by_text("Live plots")).to_be_visible()
            first_page_s = time.monotonic() - t_goto
            assert _title_day(page) == 0.0
            # Mesa's internals are not shown to students
            for internal in ("Play Interval", "Render Interval", "Use Threads"):
                assert page.get_by_text(internal).count() == 0, internal
            # the section and the whole of the plots are above the fold at 1280x720, side by side
            section = page.locator("img.xenosim-section").bounding_box()
            plots_box = page.locator(".v-card", has_text="Live plots").locator(
                "img").first.bounding_box()
            assert section["y"] + section["height"] <= 720
            assert plots_box["y"] + plots_box["height"] <= 720, plots_box
            assert plots_box["x"] > section["x"] + section["width"], (section, plots_box)
            page.screenshot(path=str(ARTIFACTS / "teaching_page_first.png"))
            before = page.locator("img.xenosim-section").get_attribute("src")

            # Step advances the model by one 12-h step and redraws the tumour
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text("Tumour cross-section — day 0.5")).to_be_visible(
                timeout=20000)
            assert page.locator("img.xenosim-section").get_attribute("src") != before

            # clicking a cell shows that cell's state (the agent's view)
            img = page.locator("img.xenosim-section")
            box = img.bounding_box()
            img.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.3})
            expect(page.get_by_text(re.compile(r"Cell \d+ —"))).to_be_visible(timeout=20000)
            expect(page.get_by_text("Akt activity").first).to_be_visible()

            # a control changes the model: lesson 1 starts with tamoxifen; untick it, Reset
            treatment = page.locator("strong", has_text="estradiol pellet")  # the run in words
            expect(treatment).to_contain_text("tamoxifen 0.5 mg s.c. daily")
            page.locator("label", has_text=re.compile(r"^Tamoxifen$")).click()
            page.get_by_role("button", name="Reset").click()
            expect(treatment).to_contain_text("no drug", timeout=20000)
            assert "tamoxifen 0.5 mg" not in treatment.inner_text()
            assert _title_day(page) == 0.0

            # the readout toggle recolours the section by fate, with a counted legend
            page.get_by_role("button", name="fate").click()
            expect(page.get_by_text(re.compile(r"necrotic \(\d"))).to_be_visible(timeout=20000)
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text("Tumour cross-section — day 0.5")).to_be_visible(
                timeout=20000)
            page.screenshot(path=str(ARTIFACTS / "teaching_page.png"), full_page=True)

            # play runs the model continuously; the rate (steps/s shown) is recorded
            start_day = _title_day(page)
            page.get_by_role("button", name="▶").click()
            t0 = time.monotonic()
            # on a loaded machine a step can take seconds: keep playing until two steps are
            # shown (at most a minute), so the check is that Play runs, not how fast. On a quiet
            # machine play is fast enough to reach the end of the study in a few seconds, which
            # disables the pause button: pause as soon as two steps are shown.
            pause = page.get_by_role("button", name="❚❚")
            while (round((_title_day(page) - start_day) / 0.5) < 2
                   and time.monotonic() - t0 < 60):
                page.wait_for_timeout(100)
            if pause.is_enabled():
                pause.click()
            else:  # the run ended while we looked: the page says so
                expect(page.get_by_text(re.compile("Run finished"))).to_be_visible()
            elapsed = time.monotonic() - t0
            page.wait_for_timeout(1000)
            steps = round((_title_day(page) - start_day) / 0.5)
            (ARTIFACTS / "teaching_page_speed.txt").write_text(
                f"played {steps} steps in {elapsed:.1f} s: {steps / elapsed:.1f} steps/s "
                f"shown in the browser (model + cross-section + live plots per step)\n")
            assert steps >= 2, f"play advanced only {steps} steps in {elapsed:.1f} s"
            page.screenshot(path=str(ARTIFACTS / "teaching_page_plots.png"))

            # keep this run: it is listed as A under the plots and the plot image changes
            plots = page.locator(".v-card", has_text="Live plots").locator("img").first
            plot_before = plots.get_attribute("src")
            page.get_by_role("button", name="Keep this run").click()
            expect(page.get_by_text(re.compile(r"^A \(solid\)"))).to_be_visible(timeout=20000)
            page.get_by_role("button", name="Reset").click()
            expect(page.get_by_text("Tumour cross-section — day 0.0")).to_be_visible(
                timeout=20000)
            assert plots.get_attribute("src") != plot_before
            page.get_by_role("button", name="Step").click()
            expect(page.get_by_text("Tumour cross-section — day 0.5")).to_be_visible(
                timeout=20000)
            page.screenshot(path=str(ARTIFACTS / "teaching_page_kept_run.png"))

            # the lesson picker switches lesson without a restart
            page.locator(".v-select__selection", has_text="Lesson 1").click()
            page.locator(".v-list-item__title", has_text="Lesson 2").click()
            expect(page.get_by_text(re.compile(r"lesson 2:", re.I)).first).to_be_visible(
                timeout=30000)
            expect(treatment).to_contain_text("myr-Akt", timeout=30000)
            assert page.get_by_text(re.compile(r"^A \(solid\)")).count() == 0
            page.screenshot(path=str(ARTIFACTS / "teaching_page_lesson2.png"))
            (ARTIFACTS / "teaching_page_startup.txt").open("a").write(
                f"first page drawn {first_page_s:.1f} s after the browser opened it\n")
        finally:
            browser.close()
    assert not errors, "\n".join(errors)
