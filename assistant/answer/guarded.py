"""One guarded-generation path for answers and briefings: generate -> check citations -> guard.

`GuardedWriter.write` streams the model's text a sentence at a time through the boundary guard
(a reader never sees a sentence the final text removes), then checks the `[n]` markers against
the passages the prompt showed, runs the guard on the whole text and says whether it can stand.
When it cannot (`ok` False), the caller shows extractive text instead: the fallback is the
caller's, because an answer and a briefing section fall back to different things. What differs
between the two is a `Policy`:

- answers (`LENIENT`) keep the model's text, mark citations the passages do not support, and
  judge whether the text can stand before the guard runs;
- briefing sections (`STRICT`) keep only sentences with a supported citation, and judge the text
  after the guard has removed what crosses a boundary.

`LLMUnavailable` from the backend is raised to the caller, with the text streamed so far.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ConfigDict

from assistant.answer.citations import (
    CitationCheck,
    check_citations,
    has_supported_citation,
    strip_markers,
)
from assistant.answer.generation import fit_passages, prompt_budget, stream_answer
from assistant.answer.markdown import guarded_text
from assistant.config import Settings
from assistant.guard.engine import BoundaryGuard, PreCheck
from assistant.text import split_sentences
from assistant.types import MARKER, BoundaryEvent, Citation, Passage

_SENTENCE_END = re.compile(r"[.!?](?:\[\d+\])*[\s]+|\n")
_BULLET = "-*•> "


@dataclass(frozen=True)
class Policy:
    """What generated text must satisfy to be shown."""

    supported_only: bool  # drop sentences without a supported citation (else mark them)


LENIENT = Policy(supported_only=False)
STRICT = Policy(supported_only=True)


class Written(BaseModel):
    """The model's text after the citation check and the guard, and whether it can stand."""

    model_config = ConfigDict(frozen=True)

    ok: bool  # False: no supported citation is left; show extractive text instead
    shown: tuple[Passage, ...]  # the passages the prompt showed (markers index these)
    text: str = ""  # markers canonical; sentences crossing a boundary removed
    citations: tuple[Citation, ...] = ()
    events: tuple[BoundaryEvent, ...] = ()  # `corrected`: rules the removed sentences crossed
    removed_markers: tuple[str, ...] = ()  # one line per marker that named no passage
    unsupported: int = 0  # sentences kept although no cited passage supports them (LENIENT)
    dropped: int = 0  # sentences left out for want of a supported citation (STRICT)


class GuardedWriter:
    """A chat model bound to the settings and the boundary guard: the only way text is written."""

    def __init__(
        self, model: BaseChatModel, mode: str, settings: Settings, guard: BoundaryGuard
    ) -> None:
        self.model, self.mode, self.settings, self.guard = model, mode, settings, guard

    def write(
        self, question: str, passages: Sequence[Passage], pre: PreCheck, policy: Policy
    ) -> Generator[str, None, Written]:
        """Yield guarded text as it is produced; return the checked result."""
        shown = fit_passages(question, passages, prompt_budget(self.settings))
        parts: list[str] = []
        pending = ""
        for delta in stream_answer(self.model, question, shown, self.settings):
            parts.append(delta)
            pending += delta
            cut = _last_sentence_end(pending)
            if cut:
                yield self._guarded(pending[:cut], pre)
                pending = pending[cut:]
        if pending:
            yield self._guarded(pending, pre)
        check = check_citations("".join(parts), shown)
        if policy.supported_only:
            return self._strict(check, shown, pre)
        return self._lenient(check, shown, pre)

    def write_all(
        self, question: str, passages: Sequence[Passage], pre: PreCheck, policy: Policy
    ) -> Written:
        """`write` without the streamed pieces."""
        stream = self.write(question, passages, pre, policy)
        while True:
            try:
                next(stream)
            except StopIteration as done:
                result: Written = done.value
                return result

    def _lenient(self, check: CitationCheck, shown: tuple[Passage, ...], pre: PreCheck) -> Written:
        removed = check.notices
        if not has_supported_citation(check):
            return Written(ok=False, shown=shown, removed_markers=removed)
        post = self.guard.after(check.text, pre)
        return Written(
            ok=True,
            shown=shown,
            text=post.text,
            citations=check.citations,
            events=post.events,
            removed_markers=removed,
            unsupported=len(check.unsupported_sentences),
        )

    def _strict(self, check: CitationCheck, shown: tuple[Passage, ...], pre: PreCheck) -> Written:
        bad = set(check.unsupported_sentences)
        sentences = split_sentences(check.text)
        kept = [
            s
            for s in sentences
            if MARKER.search(s) and strip_markers(s).lstrip(_BULLET).strip() not in bad
        ]
        post = self.guard.after(" ".join(kept), pre)
        final = check_citations(post.text, shown)
        if not has_supported_citation(final):
            return Written(ok=False, shown=shown, events=post.events)
        return Written(
            ok=True,
            shown=shown,
            text=final.text,
            citations=final.citations,
            events=post.events,
            dropped=len(sentences) - len(kept),
        )

    def _guarded(self, text: str, pre: PreCheck) -> str:
        """Streamed text with any boundary-crossing sentence replaced by the rule statement."""
        post = self.guard.after(text, pre)
        return guarded_text(post.text, post.events) if post.events else text


def _last_sentence_end(text: str) -> int:
    """Index just after the last sentence end ('. ', '? ', newline) in `text`, 0 if none."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return ends[-1] if ends else 0
