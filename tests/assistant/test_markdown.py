"""The markdown form of an Answer (`answer` in the JSON contract) is a pure function of its data."""

from __future__ import annotations

from assistant.answer import markdown
from assistant.types import Answer, AnswerPoint, BoundaryEvent, Source

RULE = dict(
    rule_id="amnesty-serious-crimes",
    statement="UN-endorsed peace agreements can never promise amnesty for genocide.",
    sources=("S/2009/189#36", "Rome Statute"),
    external=("Rome Statute",),
    title="No amnesty for genocide",
    nuance="This is not a ban on every amnesty.",
)
SOURCE = Source(marker=2, doc_id="S/2009/189", paragraphs=("36",), title="Report", section="III")
POINT = AnswerPoint(text="Amnesties for genocide are never endorsed [2].", markers=(2,))


def answer(*events: BoundaryEvent, **fields: object) -> Answer:
    data: dict[str, object] = {
        "question": "q",
        "status": "answered",
        "summary": "The guidance addresses this most directly in S/2009/189, para. 36:",
        "points": (POINT,),
        "sources": (SOURCE,),
        "boundaries": events,
    }
    return Answer.model_validate({**data, **fields})


def test_extractive_points_render_with_the_sources_list() -> None:
    assert markdown.render(answer()) == (
        "The guidance addresses this most directly in S/2009/189, para. 36:\n\n"
        "- Amnesties for genocide are never endorsed [2].\n\n"
        "Sources:\n[2] S/2009/189, para. 36 — Report (III)"
    )


def test_notice_comes_first_and_removal_last() -> None:
    text = markdown.render(
        answer(
            BoundaryEvent(action="notice", premise=True, **RULE),  # type: ignore[arg-type]
            BoundaryEvent(action="corrected", **RULE),  # type: ignore[arg-type]
        )
    )
    first, *_, last = text.split("\n\n")
    assert first.startswith("> **Correction — No amnesty for genocide.** The question assumes")
    assert "(S/2009/189, para. 36). Other sources: Rome Statute." in first
    assert text.count("> This is not a ban on every amnesty.") == 1  # the notice's nuance
    assert last == (
        "> **Boundary — No amnesty for genocide.** UN-endorsed peace agreements can never "
        "promise amnesty for genocide (S/2009/189, para. 36). Other sources: Rome Statute."
    )


def test_refusal_replaces_the_notices_and_introduces_the_guidance() -> None:
    refused = BoundaryEvent(
        action="refused",
        refusal="I cannot draft that.",
        alternatives=("Explain the UN position.",),
        **RULE,  # type: ignore[arg-type]
    )
    other = BoundaryEvent(**{**RULE, "rule_id": "icc-justice", "title": "ICC"}, action="notice")  # type: ignore[arg-type]
    text = markdown.render(answer(refused, other, status="refused"))
    assert text.startswith("**Not drafted — No amnesty for genocide.** I cannot draft that. ")
    assert "**What I can do instead:**\n- Explain the UN position." in text
    assert "\n\n**What the guidance says instead:**\n\nThe guidance addresses" in text
    assert "ICC" not in text


def test_no_evidence_is_the_summary_alone() -> None:
    none = answer(status="no_evidence", summary="The documents do not cover this.", points=(),
                  sources=())  # fmt: skip
    assert markdown.render(none) == "The documents do not cover this."


def test_prose_paragraphs_have_no_sources_list() -> None:
    prose = answer(layout="prose", summary="", points=(POINT, POINT))
    assert markdown.render(prose) == f"{POINT.text}\n\n{POINT.text}"
