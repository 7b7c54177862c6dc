"""The web app in a real browser: `mediation serve` driven by headless Chromium via Selenium.

Asks the amnesty question, opens a citation, follows it to the Library, then asks 19 more
questions; screenshots and the measured figures (first text, complete answer, server RSS) go to
artifacts/. A planted document must not run a script or load anything. Every wait is bounded and
the server is always terminated.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.interfaces.conftest import AMNESTY, PLANTED, REPO, corpus_settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO / "artifacts"
START_TIMEOUT_S = 90
ANSWER_TIMEOUT_S = 120
QUESTIONS = (
    "What are the lessons learned about spoilers?",
    "How should women be included in a peace process?",
    "What is the role of regional organizations in mediation?",
    "What does preventive diplomacy mean?",
    "Why is impartiality important for a mediator?",
    "How should civil society be consulted?",
    "What support does the Mediation Support Unit provide?",
    "What is the standby team of mediation experts?",
    "How can mediation efforts be financed?",
    "What does the guidance say about ceasefires?",
    "and what about spoilers?",
    "How should mediators coordinate with other actors?",
    "What are the normative boundaries for UN mediators?",
    "How long do peace processes take?",
    "What is the role of the Security Council in preventive diplomacy?",
    "How can the UN build national capacities for mediation?",
    "What are good offices?",
    "What is the recipe for a good chocolate cake?",
    "How should mediators deal with sexual violence in conflict?",
)
# One round trip per poll, so the timings are not dominated by WebDriver calls.
_PROBE = """
const answers = document.querySelectorAll('[class*="st-key-answer-"]').length;
const streams = [...document.querySelectorAll('[class*="st-key-stream-"]')];
const text = streams.length ? streams[streams.length - 1].innerText.trim() : '';
const input = document.querySelector('[data-testid="stChatInputTextArea"]');
const running = !!document.querySelector('[data-testid="stStatusWidget"]')
    || !!(input && input.disabled);  // submit_mode="disable": the input is off while a run lasts
return [answers, text.startsWith('Searching') ? '' : text, running];
"""

# Clicks the n-th shown element in one call (reruns replace elements between WebDriver calls).
_CLICK_NTH = """
const shown = [...document.querySelectorAll(arguments[0])].filter(e => e.offsetWidth > 0);
if (arguments[1] >= shown.length) { return false; }
shown[arguments[1]].click();
return true;
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


@contextmanager
def _serve(log_path: Path) -> Iterator[tuple[str, int]]:
    """`mediation serve` on a free port (it execs Streamlit, so the pid is the server's)."""
    port = _free_port()
    mediation = Path(sys.executable).with_name("mediation")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(mediation), "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=REPO,
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _healthy(url):
                assert proc.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "the server did not start in time"
                time.sleep(0.25)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not CHROMEDRIVER.exists():
        pytest.fail("/usr/bin/chromedriver is missing; apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1800",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _visible(driver, css: str, timeout: float = 30):
    """The first displayed, enabled element matching `css`, scrolled into view."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def find(d):
        shown = [
            e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed() and e.is_enabled()
        ]
        return shown[0] if shown else False

    element = WebDriverWait(driver, timeout, poll_frequency=0.1).until(find)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    return element


def _idle(driver, timeout: float = ANSWER_TIMEOUT_S) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    time.sleep(0.3)
    WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: not d.execute_script(_PROBE)[2]
    )


def _ask(driver, question: str) -> tuple[float, float]:
    """Submit a question; seconds to the first streamed text and to the complete answer."""
    from selenium.webdriver.common.keys import Keys

    before = driver.execute_script(_PROBE)[0]
    box = _visible(driver, '[data-testid="stChatInputTextArea"]')  # re-enabled after a run
    box.send_keys(question)
    started = time.perf_counter()
    box.send_keys(Keys.ENTER)
    first = None
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while time.monotonic() < deadline:
        answers, text, running = driver.execute_script(_PROBE)
        now = time.perf_counter() - started
        if first is None and (text or answers > before):
            first = now
        if answers > before and not running:
            return first or now, now
        time.sleep(0.02)
    raise AssertionError(f"no answer to {question!r} within {ANSWER_TIMEOUT_S} s")


def _screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    time.sleep(0.5)
    driver.save_screenshot(str(ARTIFACTS / name))


def test_field_officer_asks_opens_a_citation_and_reads_the_paragraph(
    web_env: Path, tmp_path: Path, browser
) -> None:
    from selenium.webdriver.common.by import By

    with _serve(tmp_path / "server.log") as (url, pid):
        browser.get(url)
        _visible(browser, '[data-testid="stChatInputTextArea"]', START_TIMEOUT_S)
        first_text, complete = _ask(browser, AMNESTY)
        answer = browser.find_element(By.CSS_SELECTOR, '[class*="st-key-answer-"]')
        assert "S/2009/189" in answer.text and "[1]" in answer.text
        assert "Boundary" in answer.text  # the callout
        rss_first = _rss_mb(pid)
        question = browser.find_element(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", question)
        _screenshot(browser, "web_chat.png")

        _visible(browser, '[class*="st-key-chip-"] button').click()
        paragraph = _visible(browser, '[class*="st-key-source-text-"]')
        # textContent: Selenium's visible-text heuristic sometimes drops the bold label line
        shown = paragraph.get_attribute("textContent") or ""
        assert "S/2009/189, para." in shown
        assert "amnest" in shown.lower() and len(shown) > 200
        assert paragraph.find_elements(By.CSS_SELECTOR, ".stMarkdownColoredBackground")  # quote
        _screenshot(browser, "web_source.png")

        _visible(browser, '[data-testid="stPageLink-NavLink"]').click()
        focus = _visible(browser, ".st-key-library-focus")
        assert "S/2009/189, para." in focus.text
        _idle(browser)
        time.sleep(1.5)  # the scroll script retries for up to 3 s
        _screenshot(browser, "web_library.png")

        _visible(browser, '[data-testid="stTopNavLink"]').click()  # the first one: Ask
        _visible(browser, '[data-testid="stChatInputTextArea"]')
        firsts, completes = [first_text], [complete]
        for question in QUESTIONS:
            first, done = _ask(browser, question)
            firsts.append(first)
            completes.append(done)
        rss = _rss_mb(pid)
        answers = browser.find_elements(By.CSS_SELECTOR, '[class*="st-key-answer-"]')
        messages = [
            m.text[:120]
            for m in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')
        ]
        assert len(answers) == 20, messages
    metrics = {
        "questions": len(completes),
        "first_text_s": round(first_text, 3),
        "complete_answer_s": round(complete, 3),
        "median_first_text_s": round(statistics.median(firsts), 3),
        "median_complete_answer_s": round(statistics.median(completes), 3),
        "max_complete_answer_s": round(max(completes), 3),
        "server_rss_mb_after_first_question": round(rss_first, 1),
        "server_rss_mb_after_20_questions": round(rss, 1),
    }
    print(json.dumps(metrics, indent=1))
    (ARTIFACTS / "browser_metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")


def test_planted_document_runs_no_script_and_loads_nothing(
    own_data_dir: Path, tmp_path: Path, browser
) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    from ingest.pipeline import ingest

    planted = own_data_dir / "uploads" / "planted-note.md"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(PLANTED)
    assert not ingest(corpus_settings(own_data_dir), [planted]).failed
    with _serve(tmp_path / "server.log") as (url, _):
        browser.get(f"{url}/library?doc=planted-note")
        reader = _visible(browser, '[class*="st-key-para-"]', START_TIMEOUT_S)
        _idle(browser)
        main = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMainBlockContainer"]')
        assert reader.text and "<script>alert(1)</script>" in main.text  # shown, as text
        browser.get(url)
        _ask(browser, "How fast must ceasefire monitoring teams report violations?")
        for index in range(3):  # open the sources: the planted paragraph is among them
            if browser.execute_script(_CLICK_NTH, '[class*="st-key-chip-"] button', index):
                _idle(browser)
        main = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMainBlockContainer"]')
        assert "planted-note" in main.text
        _screenshot(browser, "web_planted.png")
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert not [name for name in loaded if "127.0.0.1:9" in name or "x.png" in name]
        assert not browser.execute_script(
            "return [...document.images].filter(i => i.src.includes('127.0.0.1:9')).length"
        )
        assert not browser.execute_script(
            "return [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length"
        )
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018 - reading it is the check
