"""Question -> checked, cited `Answer`: the answer chain (a LangChain Runnable).

Order of work: validate (unknown document ids are errors; a question about the present gets a
notice) -> follow-up rewrite -> boundary pre-check -> hybrid retrieval (plus the triggered rules'
source paragraphs) -> relevance (`points.PointPicker`: which passages answer, which sentences to
quote; a filter that left the evidence out -> `no_evidence`) -> evidence check (`no_evidence`) ->
honest badge (`status`) -> extractive answer or
LLM answer (`GuardedWriter`: streamed through the guard, then citation-checked; no supported
citation -> extractive fallback) -> boundary post-check on whatever was produced. The checks
never depend on the model. The result is data (`Answer`); `markdown.render` fills its
`answer` text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForChainRun
from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, ConfigDict

from assistant.answer import extractive, markdown, status
from assistant.answer.evidence import unknown_names
from assistant.answer.followup import standalone_question
from assistant.answer.grounds import Grounds
from assistant.answer.guarded import LENIENT, GuardedWriter, Written
from assistant.answer.llm import mode_name
from assistant.answer.points import Picked
from assistant.answer.question import AskInput, mostly_latin, validate_question
from assistant.config import Settings
from assistant.errors import LLMUnavailable
from assistant.guard.engine import BoundaryGuard, PreCheck
from assistant.retrieval.hybrid import HybridRetriever
from assistant.types import (
    Answer,
    AnswerPoint,
    BoundaryEvent,
    Citation,
    Layout,
    Passage,
    Source,
    Status,
    body_text,
)

__all__ = ["NO_EVIDENCE", "AnswerChain", "AskInput", "Body"]

NO_EVIDENCE = (
    "The guidance documents do not cover this question. The closest passages are listed below; "
    "none of them answers it."
)


class AnswerChain(Runnable[AskInput, Answer]):
    """The product's core, a LangChain Runnable: `invoke`, `batch`, `stream` and their async forms
    run the chain with the caller's config (callbacks, tags, run name); the guarded text deltas
    reach callback handlers as `on_text`. `iter_answer` yields those deltas, then the Answer."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        guard: BoundaryGuard,
        chat_model: Callable[[str | None], Any] = lambda spec: None,
        on_events: Callable[[Answer], None] = lambda answer: None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.guard = guard
        self.scorer = extractive.SentenceScorer(retriever.embeddings)
        self.grounds = Grounds(retriever, self.scorer)
        self.chat_model = chat_model
        self.on_events = on_events

    def invoke(
        self, input: AskInput | dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return self._call_with_config(
            self._answer, AskInput.model_validate(input), config, run_type="chain"
        )

    def _answer(self, ask: AskInput, run_manager: CallbackManagerForChainRun) -> Answer:
        final: Answer | None = None
        for item in self.iter_answer(ask):
            if isinstance(item, Answer):
                final = item
            else:
                run_manager.on_text(item)
        assert final is not None, "iter_answer always ends with the Answer"
        return final

    def writer(self, spec: str | None) -> GuardedWriter | None:
        """The guarded writer for an LLM spec (default `settings.llm`); None means extractive."""
        model = self.chat_model(spec)
        if model is None:
            return None
        return GuardedWriter(model, mode_name(spec or self.settings.llm), self.settings, self.guard)

    # ------------------------------------------------------------------------------------------
    def iter_answer(self, ask: AskInput) -> Iterator[str | Answer]:
        started = time.perf_counter()
        question = validate_question(ask.question, self.settings)
        library = self.grounds.library()
        library.check(ask.filters)
        notices: list[str] = []
        present = library.about_present(question)
        if present:
            notices.append(library.present_notice())
        if not mostly_latin(question):
            notices.append(
                "The guidance documents are in English; a question in English finds them best."
            )
        standalone = standalone_question(question, ask.history)
        pre = self.guard.before(f"{question}\n{standalone}" if standalone != question else question)
        vector = self.retriever.embeddings.embed_query(standalone)
        k = ask.k or self.settings.k
        docs = self.retriever.search(standalone, vector, k, ask.filters)
        evidence = max((float(d.metadata.get("similarity", 0.0)) for d in docs), default=0.0)
        docs = self._with_pinned(docs, pre, vector, k)
        # A passage that talks to the assistant ("ignore previous instructions ...") is content
        # planted in a document, not guidance: it is never quoted or shown to a model.
        planted = [d for d in docs if self.guard.is_injection(body_text(d))]
        if planted:
            docs = [d for d in docs if d not in planted]
            notices.append(
                f"Left out {len(planted)} passage(s) that contain instructions addressed to the "
                "assistant rather than guidance: "
                + ", ".join(
                    f"{d.metadata.get('doc_id')}#{d.metadata.get('paragraphs')}" for d in planted
                )
                + "."
            )
        passages = tuple(Passage.from_document(d, rank) for rank, d in enumerate(docs, start=1))
        retrieved_ms = (time.perf_counter() - started) * 1000

        def finish(status: Status, body: Body, events: Sequence[BoundaryEvent] = ()) -> Answer:
            total = (time.perf_counter() - started) * 1000
            answer = Answer(
                question=question,
                status=status,
                summary=body.summary,
                points=body.points,
                layout=body.layout,
                sources=body.sources,
                citations=body.citations,
                passages=passages,
                boundaries=(*pre.events, *events),
                mode=body.mode,
                notices=tuple(notices),
                standalone_question=standalone,
                timings_ms={
                    "retrieve": retrieved_ms,
                    "generate": total - retrieved_ms,
                    "total": total,
                },
            )
            answer = answer.model_copy(update={"answer": markdown.render(answer)})
            if answer.boundaries:
                self.on_events(answer)
            return answer

        required = [i for i, p in enumerate(passages, 1) if set(p.refs) & set(pre.pinned_refs)]
        picked = self.grounds.pick(standalone, vector, passages, required)
        passages = picked.passages
        model = self.grounds.picker.model
        excluded = None if pre.rules else self.grounds.excluded(standalone, vector, k, ask, picked)
        if excluded:  # the filter left the evidence out: say so rather than answer from scraps
            final = finish("no_evidence", Body(summary=excluded))
            yield final.answer
            yield final
            return
        missing = unknown_names(question, self.vocabulary())
        floor = self.settings.min_evidence
        if not pre.rules and (not passages or evidence < floor or missing):
            summary = NO_EVIDENCE
            if missing and passages and evidence >= floor:
                summary = (
                    f"The guidance documents do not mention {', '.join(missing)}, so they cannot "
                    "answer this question. The closest passages are listed below."
                )
            final = finish("no_evidence", Body(summary=summary))
            yield final.answer
            yield final
            return
        if pre.refused:
            final = finish("refused", self._extractive(picked, "refused"))
            yield final.answer
            yield final
            return
        badge: Status = status.badge(picked.best, model.answer_threshold, present)
        if pre.rules and evidence < floor:
            badge = "partial"
        if badge == "partial" and picked.best < model.answer_threshold:
            gaps = status.missing_terms(question, self.grounds.picker.weights())
            notices.append(status.partial_notice(gaps))
        writer = self.writer(ask.llm)
        body: Body | None = None
        events: tuple[BoundaryEvent, ...] = ()
        if writer is not None:
            try:
                written = yield from writer.write(question, passages, pre, LENIENT)
            except LLMUnavailable as exc:
                notices.append(f"{exc} Showing the extractive answer instead.")
            else:
                notices.extend(written.removed_markers)
                if not written.ok:
                    notices.append(
                        "The language model's answer had no citation supported by the passages; "
                        "showing the extractive answer instead."
                    )
                else:
                    if written.unsupported:
                        notices.append(
                            f"{written.unsupported} sentence(s) of the model's answer are not "
                            "supported by the passage they cite; their citations are marked "
                            "unsupported."
                        )
                    body, events = _prose(written, writer.mode), written.events
        if body is None:
            body = self._extractive(picked, badge)
            body, events = self._guard_points(body, pre)
        if events:
            notices.append("Sentences that crossed a normative boundary were removed.")
        final = finish(badge, body, events)
        if writer is None:
            yield final.answer
        yield final

    def vocabulary(self) -> frozenset[str]:
        """Words of every indexed chunk ({} without a lexical index)."""
        lexical = self.retriever.lexical
        return lexical.vocabulary if lexical is not None else frozenset()

    # ------------------------------------------------------------------------------------------
    def _with_pinned(
        self, docs: list[Document], pre: PreCheck, vector: list[float], k: int
    ) -> list[Document]:
        """Put the triggered rules' source paragraphs among the passages (first, if missing)."""
        if not pre.pinned_refs:
            return docs
        have = {f"{d.metadata.get('doc_id')}#{d.metadata.get('paragraphs')}" for d in docs}
        missing = [
            d for d in self.retriever.fetch_refs([r for r in pre.pinned_refs if r not in have])
        ]
        if not missing:
            return docs
        pinned = self.retriever.with_similarity(vector, [(0.0, d) for d in missing])
        return (pinned + docs)[: max(k, len(pinned))]

    def _extractive(self, picked: Picked, badge: Status) -> Body:
        """The picked points as the extractive answer, under a summary that matches the badge."""
        found = extractive.compose(picked.points, picked.passages)
        return Body(
            summary=status.summary(badge),
            points=found.points,
            sources=found.sources,
            citations=found.citations,
        )

    def _guard_points(self, body: Body, pre: PreCheck) -> tuple[Body, tuple[BoundaryEvent, ...]]:
        """The points without sentences that cross a boundary; the rules they crossed."""
        kept: list[AnswerPoint] = []
        events: dict[str, BoundaryEvent] = {}
        for point in body.points:
            post = self.guard.after(point.text, pre)
            for event in post.events:
                events.setdefault(event.rule_id, event)
            if post.text:
                kept.append(point if post.text == point.text else AnswerPoint.of(post.text))
        return body.model_copy(update={"points": tuple(kept)}), tuple(events.values())


class Body(BaseModel):
    """What an answer says, before status and boundaries are attached."""

    model_config = ConfigDict(frozen=True)

    summary: str = ""
    points: tuple[AnswerPoint, ...] = ()
    layout: Layout = "points"
    sources: tuple[Source, ...] = ()
    citations: tuple[Citation, ...] = ()
    mode: str = "extractive"


def _prose(written: Written, mode: str) -> Body:
    """A language model's checked text as paragraphs, with the sources its citations name."""
    paragraphs = [p.strip() for p in written.text.split("\n\n") if p.strip()]
    shown = written.shown
    return Body(
        points=tuple(AnswerPoint.of(p) for p in paragraphs),
        layout="prose",
        sources=tuple(Source.of(c.marker, shown[c.marker - 1]) for c in written.citations),
        citations=written.citations,
        mode=mode,
    )
