"""The two briefing parts that are not extractive points: LLM prose and the open questions.

`section_prose` asks the model for one section, keeps only sentences with a supported citation,
runs the boundary guard on what is left, and says when extractive points must stand in.
`open_questions` lists what the note cannot cover: words the corpus never uses, thin sections,
the situation itself, and the age of the guidance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from assistant.answer.citations import check_citations, strip_markers
from assistant.answer.evidence import unknown_names
from assistant.briefing.types import SPECS, SectionKind, topic_words
from assistant.config import Settings
from assistant.guard.engine import BoundaryGuard, PreCheck
from assistant.text import split_sentences, stem
from assistant.types import BoundaryEvent, Citation, Passage

if TYPE_CHECKING:
    from assistant.service import Assistant

_MARKER = re.compile(r"\[\d+\]")


class SectionProse(BaseModel):
    """What the model wrote for a section, after citation and boundary checks."""

    model_config = ConfigDict(frozen=True)

    ok: bool  # False: show extractive points instead
    shown: tuple[Passage, ...] = ()  # the passages the model saw (markers index these)
    text: str = ""
    citations: tuple[Citation, ...] = ()
    events: tuple[BoundaryEvent, ...] = ()
    notices: tuple[str, ...] = ()


def section_prose(
    model: Any,
    guard: BoundaryGuard,
    pre: PreCheck,
    settings: Settings,
    kind: SectionKind,
    topic: str,
    passages: Sequence[Passage],
) -> SectionProse:
    """Prose for one section; raises LLMUnavailable when the backend fails."""
    from assistant.answer.generation import fit_passages, prompt_budget, stream_answer

    title = SPECS[kind].title
    question = SPECS[kind].prompt.format(topic=topic)
    shown = tuple(fit_passages(question, passages, prompt_budget(settings)))
    text = "".join(stream_answer(model, question, shown, settings))
    check = check_citations(text, shown)
    bad = set(check.unsupported_sentences)
    sentences = split_sentences(check.text)
    kept = [
        s
        for s in sentences
        if _MARKER.search(s) and strip_markers(s).lstrip("-*•> ").strip() not in bad
    ]
    post = guard.after(" ".join(kept), pre)
    final = check_citations(post.text, shown)
    if not any(c.supported for c in final.citations):
        notice = (
            f"{title}: the language model's text had no supported citation; "
            "showing verbatim points instead."
        )
        return SectionProse(ok=False, events=post.events, notices=(notice,))
    notices = []
    if dropped := len(sentences) - len(kept):
        notices.append(
            f"{title}: {dropped} sentence(s) of the language model without a supported "
            "citation were left out."
        )
    if post.events:
        notices.append(f"{title}: sentences that crossed a normative boundary were removed.")
    return SectionProse(
        ok=True,
        shown=shown,
        text=final.text,
        citations=final.citations,
        events=post.events,
        notices=tuple(notices),
    )


def unknown_topic_words(assistant: Assistant, topic: str) -> list[str]:
    """Words of the topic that no indexed text contains, in any inflection."""
    stems = {stem(v) for v in assistant.vocabulary()}
    return [w for w in topic_words(topic) if stem(w) not in stems]


def unmentioned(assistant: Assistant, topic: str, context: str) -> list[str]:
    """The topic's unknown words and the context's unknown names and numbers."""
    names = unknown_names(context, assistant.vocabulary())
    return list(dict.fromkeys(unknown_topic_words(assistant, topic) + names))


def open_questions(
    assistant: Assistant, topic: str, context: str, evidence: dict[SectionKind, float]
) -> list[str]:
    """Open questions: words the corpus never uses, thin sections, the corpus's age."""
    missing = unmentioned(assistant, topic, context)
    notes = []
    if missing:
        notes.append(
            "The documents never mention "
            + ", ".join(f"“{w}”" for w in missing)
            + "; that aspect is not covered by this note."
        )
    thin = [
        SPECS[k].title.lower() for k, e in evidence.items() if e < assistant.settings.min_evidence
    ]
    if thin:
        notes.append(f"Little in the documents bears on: {'; '.join(thin)}.")
    if context:
        notes.append(
            "The documents are general guidance and do not assess the situation described; "
            "the mission's own analysis has to apply them to it."
        )
    dates = sorted(d.date for d in assistant.documents() if d.date)
    if dates:
        notes.append(
            f"The guidance consulted dates from {dates[0]} to {dates[-1]}; later policy and "
            "recent events are not reflected."
        )
    return notes
