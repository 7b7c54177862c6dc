"""The web app in a real browser: `mediation serve` driven by headless Chromium via Selenium.

Asks the amnesty question, opens a citation, follows it to the Library, then asks 19 more
questions; screenshots and the measured figures (first text, complete answer, server RSS) go to
artifacts/. Every wait is bounded and the server is always terminated.
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
from pathlib import Path

import pytest

from tests.ui.conftest import AMNESTY, REPO

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


@pytest.fixture
def server(web_env: Path, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`mediation serve` on a free port (it execs Streamlit, so the pid is the server's)."""
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    mediation = Path(sys.executable).with_name("mediation")
    proc = subprocess.Popen(
        [str(mediation), "serve", "--port", str(port), "--host", "127.0.0.1"],
        cwd=REPO, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
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
        log.close()


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not CHROMEDRIVER.exists():
        pytest.fail("/usr/bin/chromedriver is missing; apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--window-size=1280,1800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


# JS probes: one round trip per poll, so the timings are not dominated by WebDriver calls.
_PROBE = """
const answers = document.querySelectorAll('[class*="st-key-answer-"]').length;
const streams = [...document.querySelectorAll('[class*="st-key-stream-"]')];
const text = streams.length ? streams[streams.length - 1].innerText.trim() : '';
const running = !!document.querySelector('[data-testid="stStatusWidget"]');
return [answers, text.startsWith('Searching') ? '' : text, running];
"""


def _ask(driver, question: str) -> tuple[float, float]:
    """Submit a question; seconds to the first streamed text and to the complete answer."""
    from selenium.webdriver.common.keys import Keys

    before = driver.execute_script(_PROBE)[0]
    box = _clickable(driver, '[data-testid="stChatInputTextArea"]')  # re-enabled after a run
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


def _clickable(driver, css: str, timeout: float = 30):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    element = WebDriverWait(driver, timeout).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, css))
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    return element


def _wait_for(driver, css: str, timeout: float = 30):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def test_field_officer_asks_opens_a_citation_and_reads_the_paragraph(server, browser) -> None:
    from selenium.webdriver.common.by import By

    url, pid = server
    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(url)
    _wait_for(browser, '[data-testid="stChatInputTextArea"]', START_TIMEOUT_S)
    first_text, complete = _ask(browser, AMNESTY)
    answer = browser.find_element(By.CSS_SELECTOR, '[class*="st-key-answer-"]')
    assert "S/2009/189" in answer.text
    assert "Boundary" in answer.text  # the callout
    assert "[1]" in answer.text
    rss_first = _rss_mb(pid)
    question = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", question)
    time.sleep(0.5)
    browser.save_screenshot(str(ARTIFACTS / "web_chat.png"))

    _clickable(browser, '[class*="st-key-answer-"] [class*="st-key-chip-"] button').click()
    paragraph = _wait_for(browser, '[class*="st-key-source-text-"]')
    assert "S/2009/189, para." in paragraph.text
    assert "amnest" in paragraph.text.lower()
    assert len(paragraph.text) > 200
    assert paragraph.find_elements(By.CSS_SELECTOR, ".stMarkdownColoredBackground")  # the quote
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", paragraph)
    time.sleep(0.5)
    browser.save_screenshot(str(ARTIFACTS / "web_source.png"))

    _clickable(browser, '[data-testid="stPageLink-NavLink"]').click()
    focus = _wait_for(browser, ".st-key-library-focus")
    assert "S/2009/189, para." in focus.text
    time.sleep(1.0)  # the scroll script retries for up to 3 s
    browser.save_screenshot(str(ARTIFACTS / "web_library.png"))

    _clickable(browser, '[data-testid="stTopNavLink"]').click()  # the first one: Ask
    _wait_for(browser, '[data-testid="stChatInputTextArea"]')
    firsts, completes = [first_text], [complete]
    for question in QUESTIONS:
        first, done = _ask(browser, question)
        firsts.append(first)
        completes.append(done)
    rss = _rss_mb(pid)
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
    assert len(browser.find_elements(By.CSS_SELECTOR, '[class*="st-key-answer-"]')) == 20
