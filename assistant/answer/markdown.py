"""An `Answer` as markdown: the `answer` field of the JSON contract, and the streamed draft.

A pure function of the answer's data. Interfaces with their own widgets (the web app, the
terminal) render the same fields themselves; this form is for readers of the JSON, the audit
and feedback exports, and anything that shows plain markdown.

Layout, top to bottom: a refusal (each refused rule: what is not drafted, the rule with its
paragraphs, the nuance, what the assistant can do instead) followed by "What the guidance says
instead", or the boundary notices and corrections the question raised; then the summary, the
points and, for extractive points, the Sources list; last, the rules whose violating sentences
were removed from the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.types import Answer, AnswerPoint, BoundaryEvent, Source

INSTEAD = "**What the guidance says instead:**"


def render(answer: Answer) -> str:
    """The whole answer as markdown with `[n]` markers (n = passage rank)."""
    body = body_markdown(answer.summary, answer.points, answer.sources, answer.layout)
    if answer.refusal:
        refusals = "\n\n".join(refusal(b) for b in answer.refusal)
        return f"{refusals}\n\n{INSTEAD}\n\n{body}"
    before = [notice(b) for b in answer.boundaries if b.kind in ("notice", "correction")]
    after = [removal(b) for b in answer.boundaries if b.kind == "removal"]
    return "\n\n".join(part for part in (*before, body, *after) if part)


def body_markdown(
    summary: str, points: Sequence[AnswerPoint], sources: Sequence[Source], layout: str
) -> str:
    """Summary and points; extractive points end with their Sources list."""
    if layout == "prose":
        return "\n\n".join(p.text for p in points)
    if not points and not sources:
        return summary
    lines = [summary, "", *(f"- {p.text}" for p in points)]
    lines += [*([""] if points else []), "Sources:", *(source_line(s) for s in sources)]
    return "\n".join(lines)


def source_line(source: Source) -> str:
    """One compact line per cited paragraph: marker, citation, document, nearest heading."""
    heading = source.section.rsplit(">", 1)[-1].strip()
    return f"[{source.marker}] {source.label} — {source.title}" + (
        f" ({heading})" if heading else ""
    )


def notice(event: BoundaryEvent) -> str:
    """A boundary the question raises, or a correction of a premise that crosses it."""
    if event.kind == "correction":
        lead = (
            f"> **Correction — {event.title}.** The question assumes something UN guidance does "
            "not allow."
        )
    else:
        lead = f"> **Boundary — {event.title}.**"
    return f"{lead} {event.cited_statement()}\n>\n> {event.nuance}"


def refusal(event: BoundaryEvent) -> str:
    """What is not drafted and why, the nuance, and what the assistant can do instead."""
    alternatives = "\n".join(f"- {alt}" for alt in event.alternatives)
    return (
        f"**Not drafted — {event.title}.** {event.refusal} {event.cited_statement()}\n\n"
        f"{event.nuance}\n\n**What I can do instead:**\n{alternatives}"
    )


def removal(event: BoundaryEvent) -> str:
    """The rule an answer's removed sentences crossed, restated with its sources."""
    return f"> **Boundary — {event.title}.** {event.cited_statement()}"


def guarded_text(kept: str, removed: Sequence[BoundaryEvent]) -> str:
    """Text from which violating sentences were removed, followed by the rules they crossed."""
    return "\n\n".join(part for part in (kept, *(removal(e) for e in removed)) if part)
