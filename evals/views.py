"""Files that show an eval run to people and CI: JUnit XML and a self-contained HTML page."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from evals.metrics import FIGURES, RATES, Metrics
from evals.report import Report, fmt
from evals.results import CaseResult

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- JUnit XML ---------------------------------------------------------------------------------
def junit(report: Report) -> str:
    """One <testsuite> per suite, one <testcase> per case, a <failure> per failing case."""
    root = ET.Element(
        "testsuites",
        name="mediation-eval",
        tests=str(len(report.results)),
        failures=str(len(report.failed)),
        time=f"{report.config.seconds:.3f}",
    )
    for suite, group in _by_suite(report.results).items():
        node = ET.SubElement(
            root, "testsuite", name=suite, tests=str(len(group)),
            failures=str(sum(not r.passed for r in group)), errors="0",
            time=f"{sum(r.seconds for r in group):.3f}", timestamp=report.config.timestamp,
        )  # fmt: skip
        for r in group:
            case = ET.SubElement(node, "testcase", classname=f"evals.{suite}", name=r.case_id,
                                 time=f"{r.seconds:.3f}")  # fmt: skip
            if not r.passed:
                failure = ET.SubElement(
                    case, "failure", message=_xml(r.reasons()), type=r.failures[0].check
                )
                failure.text = _xml(
                    f"{r.reasons()}\n\nquestion: {r.question}\nstatus: {r.evidence.status}\n"
                    f"answer:\n{r.evidence.answer}"
                )
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _xml(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _by_suite(results: Sequence[CaseResult]) -> dict[str, list[CaseResult]]:
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        groups.setdefault(r.suite, []).append(r)
    return groups


# --- HTML --------------------------------------------------------------------------------------
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em}
td.n{text-align:right}details{border:1px solid #ddd;margin:.3em 0;padding:.3em .6em}
details.fail{border-color:#c33}summary{cursor:pointer}.fail>summary b{color:#c33}
.pass>summary b{color:#282}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}
.reason{color:#c33}.meta{color:#666}
"""


def html_page(report: Report) -> str:
    """A self-contained page (no scripts, no external assets); every text is escaped."""
    e = html.escape
    config = report.config
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Eval report: {e(config.mode)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Eval report: {e(config.mode)}</h1>",
        f"<p class='meta'>{e(config.timestamp)} · k {e(str(config.k or 'per suite'))} · "
        f"{len(report.results)} cases, {len(report.blocking)} blocking and {len(report.known)} "
        f"known failures · {config.seconds:.1f} s</p>",
        _html_metrics(report.metrics),
        "<h2>Cases</h2>",
    ]
    parts += [_html_case(r) for r in sorted(report.results, key=lambda r: r.passed)]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _html_metrics(metrics: Metrics) -> str:
    scopes = [("overall", metrics.overall), *metrics.suites.items()]
    head = "".join(f"<th>{html.escape(name)}</th>" for name, _ in scopes)
    rows = "".join(
        f"<tr><th>{metric}</th>"
        + "".join(f"<td class='n'>{fmt(getattr(m, metric))}</td>" for _, m in scopes)
        + "</tr>"
        for metric in ("cases", "passed", *RATES, *FIGURES, "seconds")
    )
    return f"<h2>Metrics</h2><table><tr><th></th>{head}</tr>{rows}</table>"


def _html_case(r: CaseResult) -> str:
    e = html.escape
    ev = r.evidence
    verdict = "pass" if r.passed else "fail"
    shown = verdict.upper() if r.passed else ("FAIL (blocking)" if r.blocking else "FAIL (known)")
    out = [
        f"<details class='{verdict}'><summary><b>{shown}</b> "
        f"{e(r.suite)}/{e(r.case_id)} · {e(ev.status or 'error')} · {r.seconds:.1f} s</summary>",
        f"<p><b>Question:</b> {e(r.question)}</p>",
        f"<p class='meta'>tags: {e(', '.join(r.tags))} · k {r.k} · mode {e(ev.mode)} · "
        f"expected {e(' | '.join(r.expected_status))}</p>",
    ]
    out += [f"<p class='reason'>{e(f.check)}: {e(f.reason)}</p>" for f in r.failures]
    out.append(f"<h4>Answer</h4><pre>{e(ev.answer)}</pre>")
    if r.answers is not None and ev.points:
        items = "".join(
            f"<li>{'answers' if set(p.refs) & set(r.answers) else '<b>does not answer</b>'}: "
            f"{e(', '.join(p.refs))}</li>"
            for p in ev.points
        )
        gold = e(", ".join(r.answers)) or "nothing in the corpus"
        out.append(f"<h4>Points</h4><p class='meta'>answered by: {gold}</p><ol>{items}</ol>")
    if ev.boundaries:
        items = "".join(f"<li>{e(b.rule_id)} ({e(b.action)})</li>" for b in ev.boundaries)
        out.append(f"<h4>Boundaries</h4><ul>{items}</ul>")
    if ev.notices:
        items = "".join(f"<li>{e(n)}</li>" for n in ev.notices)
        out.append(f"<h4>Notices</h4><ul>{items}</ul>")
    if ev.citations:
        items = "".join(
            f"<li>[{c.marker}] {e(', '.join(c.refs))} "
            f"{'supported' if c.supported else '<b>unsupported</b>'}<pre>{e(c.quote)}</pre></li>"
            for c in ev.citations
        )
        out.append(f"<h4>Cited paragraphs</h4><ul>{items}</ul>")
    if ev.passages:
        items = "".join(
            f"<li>{p.rank}. {e(', '.join(p.refs))} <span class='meta'>{e(p.section)}</span>"
            f"<pre>{e(p.text)}</pre></li>"
            for p in ev.passages
        )
        out.append(f"<h4>Passages</h4><ul>{items}</ul>")
    out.append("</details>")
    return "\n".join(out)
