"""Question -> checked, cited `Answer`: the answer chain (a LangChain Runnable).

Order of work: validate -> follow-up rewrite -> boundary pre-check -> hybrid retrieval (plus the
triggered rules' source paragraphs) -> evidence check (`no_evidence`) -> extractive answer or
LLM answer (streamed, then citation-checked; no supported citation -> extractive fallback) ->
boundary post-check on whatever was produced. The checks never depend on the model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, ConfigDict

from assistant.answer import extractive
from assistant.answer.citations import check_citations, has_supported_citation
from assistant.answer.evidence import unknown_names
from assistant.answer.followup import standalone_question
from assistant.answer.llm import mode_name
from assistant.config import Settings
from assistant.errors import InvalidQuestion, LLMUnavailable
from assistant.guard.engine import BoundaryGuard, PreCheck
from assistant.retrieval.hybrid import HybridRetriever
from assistant.types import (
    Answer,
    BoundaryEvent,
    Passage,
    RetrievalFilter,
    Status,
    Turn,
    body_text,
)

NO_EVIDENCE = (
    "The guidance documents do not cover this question. The closest passages are listed below; "
    "none of them answers it."
)


class AskInput(BaseModel):
    """What the chain is invoked with."""

    model_config = ConfigDict(frozen=True)

    question: str
    history: tuple[Turn, ...] = ()
    filters: RetrievalFilter | None = None
    k: int | None = None
    llm: str | None = None  # overrides settings.llm for this question


def validate_question(question: str, settings: Settings) -> str:
    """The question, stripped; `InvalidQuestion` with the limit when it cannot be asked."""
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        raise InvalidQuestion("The question is empty; type a question about mediation guidance.")
    if len(text) > settings.max_question_chars:
        raise InvalidQuestion(
            f"The question is {len(text):,} characters; the limit is "
            f"{settings.max_question_chars:,} (MEDIATION_MAX_QUESTION_CHARS). Shorten it to the "
            "question itself."
        )
    return text


def _mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(c.isascii() for c in letters) / len(letters) >= 0.5


class AnswerChain(Runnable[AskInput, Answer]):
    """The product's core. `iter_answer` streams text deltas, then yields the final Answer."""

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
        self.chat_model = chat_model
        self.on_events = on_events

    def invoke(
        self, input: AskInput | dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        final: Answer | None = None
        for item in self.iter_answer(AskInput.model_validate(input)):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    # ------------------------------------------------------------------------------------------
    def iter_answer(self, ask: AskInput) -> Iterator[str | Answer]:
        started = time.perf_counter()
        question = validate_question(ask.question, self.settings)
        notices: list[str] = []
        if not _mostly_latin(question):
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

        def finish(
            status: Status,
            text: str,
            citations: Sequence[Any],
            mode: str,
            events: Sequence[BoundaryEvent] = (),
        ) -> Answer:
            total = (time.perf_counter() - started) * 1000
            answer = Answer(
                question=question,
                status=status,
                answer=text,
                citations=tuple(citations),
                passages=passages,
                boundaries=(*pre.events, *events),
                mode=mode,
                notices=tuple(notices),
                standalone_question=standalone,
                timings_ms={
                    "retrieve": retrieved_ms,
                    "generate": total - retrieved_ms,
                    "total": total,
                },
            )
            if answer.boundaries:
                self.on_events(answer)
            return answer

        missing = unknown_names(question, self.vocabulary())
        if not pre.rules and (not passages or evidence < self.settings.min_evidence or missing):
            text = NO_EVIDENCE
            if missing and passages and evidence >= self.settings.min_evidence:
                text = (
                    f"The guidance documents do not mention {', '.join(missing)}, so they cannot "
                    "answer this question. The closest passages are listed below."
                )
            yield text
            yield finish("no_evidence", text, (), "extractive")
            return
        required = [i for i, p in enumerate(passages, 1) if set(p.refs) & set(pre.pinned_refs)]
        if pre.refused:
            body, citations = self._extractive(question, vector, passages, required)
            text = f"{pre.refusal_text}\n\n**What the guidance says instead:**\n\n{body}"
            yield text
            yield finish("refused", text, citations, "extractive")
            return
        status: Status = "answered" if evidence >= self.settings.min_evidence + 0.15 else "partial"
        if pre.rules and evidence < self.settings.min_evidence:
            status = "partial"
        model = self.chat_model(ask.llm)
        text, citations, mode = "", [], "extractive"
        if model is not None:
            mode = mode_name(ask.llm or self.settings.llm)
            text, citations, llm_notices = yield from self._generate(model, question, passages, pre)
            notices.extend(llm_notices)
        if not text:
            mode = "extractive"
            text, citations = self._extractive(question, vector, passages, required)
            if model is None:
                yield text
        post = self.guard.after(text, pre)
        if post.events:
            notices.append("Sentences that crossed a normative boundary were removed.")
        text = post.text
        if pre.notice_text:
            text = f"{pre.notice_text}\n\n{text}"
        yield finish(status, text, citations, mode, post.events)

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

    def _extractive(
        self, question: str, vector: list[float], passages: Sequence[Passage], required: list[int]
    ) -> tuple[str, list[Any]]:
        self.scorer.prime(self.retriever.sentence_vectors([p.meta.chunk_id for p in passages]))
        points = self.scorer.points(question, vector, passages)
        chosen = extractive.select_points(points, required=required)
        return extractive.compose(chosen, passages)

    def _generate(
        self, model: Any, question: str, passages: Sequence[Passage], pre: PreCheck
    ) -> Generator[str, None, tuple[str, list[Any], list[str]]]:
        """Stream the model's deltas; return the checked text, its citations and notices.

        Text is released a sentence at a time, each sentence through the boundary guard, so a
        reader never sees a sentence the final answer removes.
        """
        from assistant.answer.generation import fit_passages, prompt_budget, stream_answer

        shown = fit_passages(question, passages, prompt_budget(self.settings))
        parts: list[str] = []
        pending = ""
        try:
            for delta in stream_answer(model, question, shown, self.settings):
                parts.append(delta)
                pending += delta
                cut = _last_sentence_end(pending)
                if cut:
                    yield self._guarded(pending[:cut], pre)
                    pending = pending[cut:]
        except LLMUnavailable as exc:
            return "", [], [f"{exc} Showing the extractive answer instead."]
        if pending:
            yield self._guarded(pending, pre)
        check = check_citations("".join(parts), shown)
        notices = list(check.notices)
        if not has_supported_citation(check):
            notices.append(
                "The language model's answer had no citation supported by the passages; "
                "showing the extractive answer instead."
            )
            return "", [], notices
        if check.unsupported_sentences:
            notices.append(
                f"{len(check.unsupported_sentences)} sentence(s) of the model's answer are not "
                "supported by the passage they cite; their citations are marked unsupported."
            )
        return check.text, list(check.citations), notices

    def _guarded(self, text: str, pre: PreCheck) -> str:
        """Streamed text with any boundary-crossing sentence replaced by the rule statement."""
        return self.guard.after(text, pre).text


def _last_sentence_end(text: str) -> int:
    """Index just after the last sentence end ('. ', '? ', newline) in `text`, 0 if none."""
    ends = [m.end() for m in re.finditer(r"[.!?](?:\[\d+\])*[\s]+|\n", text)]
    return ends[-1] if ends else 0
