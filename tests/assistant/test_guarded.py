"""The one guarded-generation path, on the real boundary rules with a scripted chat model.

A scripted model (LangChain's `GenericFakeChatModel`) is the unit-test double for logic; the
real SmolLM2 runs the same path in test_answer.py and test_briefing.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer.guarded import LENIENT, STRICT, GuardedWriter
from assistant.config import Settings
from assistant.guard.engine import BoundaryGuard
from assistant.types import ChunkMeta, Passage

RULES = Path(__file__).resolve().parents[2] / "guidance_docs" / "boundaries.yaml"
PASSAGES = (
    Passage(
        rank=1,
        meta=ChunkMeta(
            chunk_id="S/2009/189#30#0",
            doc_id="S/2009/189",
            title="Report",
            kind="report",
            date="2009-04-08",
            section="G. Managing spoilers",
            paragraphs=("30",),
            order=1,
        ),
        text="Spoilers can be managed by engaging them early and keeping the process inclusive.",
        score=1.0,
    ),
)
SUPPORTED = "Spoilers can be managed by engaging them early [1]. "
UNSUPPORTED = "Mediators should always bring a drum to the talks [1]. "
UNCITED = "This is a general remark. "
VIOLATING = "Amnesty for war crimes is acceptable when it secures a ceasefire [1]. "


def writer(text: str) -> GuardedWriter:
    model = GenericFakeChatModel(messages=iter([AIMessage(content=text)]))
    return GuardedWriter(model, "llm:fake", Settings(llm_timeout_s=30), BoundaryGuard.load(RULES))


@pytest.fixture(scope="module")
def guard() -> BoundaryGuard:
    return BoundaryGuard.load(RULES)


def test_lenient_keeps_and_counts_unsupported_sentences(guard: BoundaryGuard) -> None:
    pre = guard.before("What should a mediator do about spoilers?")
    done = writer(SUPPORTED + UNSUPPORTED + "See [7].").write_all("q", PASSAGES, pre, LENIENT)
    # the drum sentence, and "See [7]." whose only marker named no passage
    assert done.ok and done.unsupported == 2 and done.dropped == 0
    assert "drum" in done.text and "[7]" not in done.text
    assert done.removed_markers == ("Removed citation [7]: there is no passage 7.",)


def test_strict_keeps_only_sentences_with_a_supported_citation(guard: BoundaryGuard) -> None:
    pre = guard.before("managing spoilers")
    done = writer(SUPPORTED + UNSUPPORTED + UNCITED).write_all("q", PASSAGES, pre, STRICT)
    assert done.ok and done.dropped == 2
    assert done.text == SUPPORTED.strip()
    assert [c.supported for c in done.citations] == [True]


def test_what_crosses_a_boundary_never_stands(guard: BoundaryGuard) -> None:
    pre = guard.before("What should a mediator do about spoilers?")
    lenient = writer(SUPPORTED + VIOLATING).write_all("q", PASSAGES, pre, LENIENT)
    assert lenient.ok and "acceptable" not in lenient.text  # the guard removed it, and says so
    assert [(e.rule_id, e.kind) for e in lenient.events] == [("amnesty-serious-crimes", "removal")]
    strict = writer(SUPPORTED + VIOLATING).write_all("q", PASSAGES, pre, STRICT)
    assert strict.ok and strict.text == SUPPORTED.strip()  # unsupported: gone before the guard


def test_streamed_pieces_never_show_a_violating_sentence(guard: BoundaryGuard) -> None:
    pre = guard.before("What should a mediator do about spoilers?")
    stream = writer(VIOLATING + SUPPORTED).write("q", PASSAGES, pre, LENIENT)
    pieces = []
    with pytest.raises(StopIteration):
        while True:
            pieces.append(next(stream))
    shown = "".join(pieces)
    assert "acceptable when" not in shown and "Boundary —" in shown  # the rule stands in for it


def test_nothing_supported_cannot_stand(guard: BoundaryGuard) -> None:
    pre = guard.before("spoilers")
    for policy in (LENIENT, STRICT):
        assert not writer(UNSUPPORTED + UNCITED).write_all("q", PASSAGES, pre, policy).ok
