"""What a briefing note cannot cover: words the corpus never uses, thin sections, the corpus's age.

Open questions close the note's Risks section; an uncovered topic's note names the words the
documents never use.
"""

from __future__ import annotations

from assistant.answer.evidence import unknown_names
from assistant.briefing.guidance import Guidance
from assistant.briefing.types import SPECS, SectionKind, topic_words
from assistant.text import stem


def unknown_topic_words(guidance: Guidance, topic: str) -> list[str]:
    """Words of the topic that no indexed text contains, in any inflection."""
    stems = {stem(v) for v in guidance.vocabulary()}
    return [w for w in topic_words(topic) if stem(w) not in stems]


def unmentioned(guidance: Guidance, topic: str, context: str) -> list[str]:
    """The topic's unknown words and the context's unknown names and numbers."""
    names = unknown_names(context, guidance.vocabulary())
    return list(dict.fromkeys(unknown_topic_words(guidance, topic) + names))


def open_questions(
    guidance: Guidance, topic: str, context: str, evidence: dict[SectionKind, float]
) -> list[str]:
    """Open questions: words the corpus never uses, thin sections, the corpus's age."""
    missing = unmentioned(guidance, topic, context)
    notes = []
    if missing:
        notes.append(
            "The documents never mention "
            + ", ".join(f"“{w}”" for w in missing)
            + "; that aspect is not covered by this note."
        )
    thin = [
        SPECS[k].title.lower() for k, e in evidence.items() if e < guidance.settings.min_evidence
    ]
    if thin:
        notes.append(f"Little in the documents bears on: {'; '.join(thin)}.")
    if context:
        notes.append(
            "The documents are general guidance and do not assess the situation described; "
            "the mission's own analysis has to apply them to it."
        )
    dates = sorted(d.date for d in guidance.documents() if d.date)
    if dates:
        notes.append(
            f"The guidance consulted dates from {dates[0]} to {dates[-1]}; later policy and "
            "recent events are not reflected."
        )
    return notes
