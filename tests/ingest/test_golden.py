"""Chunk boundaries of the seed documents, checked against golden files a reviewer can read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.manifest import load_manifest
from ingest.pipeline import parse_file
from tests.conftest import CORPUS

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
MANIFEST = load_manifest(CORPUS)
BY_ID = {info.doc_id: (CORPUS / file, info) for file, info in MANIFEST.items()}


def chunks_of(doc_id: str) -> list[dict[str, object]]:
    path, info = BY_ID[doc_id]
    _, docs, _ = parse_file(path, info)
    return [
        {
            "label": d.metadata["paragraphs"],
            "piece": d.metadata["piece"],
            "section": d.metadata["section"],
            "footnotes": json.loads(d.metadata["footnotes"]),
            "header": d.page_content[: d.metadata["body_start"]].strip(),
            "text": d.page_content[d.metadata["body_start"] :],
        }
        for d in docs
    ]


def golden_name(doc_id: str) -> Path:
    return GOLDEN / f"{doc_id.replace('/', '-')}.chunks.json"


@pytest.mark.parametrize("doc_id", sorted(BY_ID))
def test_chunks_match_golden_file(doc_id: str, update_golden: bool) -> None:
    chunks = chunks_of(doc_id)
    path = golden_name(doc_id)
    if update_golden or not path.exists():
        path.write_text(json.dumps(chunks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert chunks == json.loads(path.read_text(encoding="utf-8")), (
        f"{doc_id} chunks changed; review and rerun with --update-golden if intended"
    )


def labels(doc_id: str) -> list[str]:
    return list(dict.fromkeys(str(c["label"]) for c in chunks_of(doc_id)))


def test_s2009189_yields_paragraphs_1_to_63_recommendations_and_annex() -> None:
    expected = [str(n) for n in range(1, 63)]
    expected += [f"62({c})" for c in "abcdefgh"] + ["63"] + [f"annex {n}" for n in range(1, 6)]
    assert labels("S/2009/189") == expected


def test_s2011552_yields_paragraphs_1_to_72() -> None:
    assert labels("S/2011/552") == [str(n) for n in range(1, 73)]


def test_unnumbered_documents_get_reading_order_labels() -> None:
    assert labels("dpa-prevention-mediation") == [f"¶{n}" for n in range(1, 15)]
    assert labels("cr-msn-letter-2016") == [f"¶{n}" for n in range(1, 9)]


_NOISE = [
    (re.compile(r"\d{2}-\d{5}"), "page stamp"),
    (re.compile(r"UN Photo|photo UN", re.I), "photo caption"),
    (re.compile(r"\t|\.{4,}|Table of contents|^Contents", re.I), "table of contents"),
    (re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]|\^[a-z]"), "footnote marker"),
    (re.compile(r"Add new comment", re.I), "web debris"),
    (re.compile(r"^- "), "list dash"),
]
_FOOTNOTE_BODIES = [
    "A wide range of consultations was held",
    "Report of the Secretary-General of 23 August 2004",
    "Margaret Anstee in Angola",
    "In 1993, UNITAR established",
    "These include the Carter Center",
    "peace and security (S/2008/186)",
    "See World Bank, 2011",
    "James D. Fearon",
]


@pytest.mark.parametrize("doc_id", sorted(BY_ID))
def test_no_chunk_contains_stamps_captions_toc_or_footnote_bodies(doc_id: str) -> None:
    for chunk in chunks_of(doc_id):
        text = str(chunk["text"])
        for pattern, what in _NOISE:
            assert not pattern.search(text), f"{doc_id} {chunk['label']}: {what} in {text[:80]!r}"
        for body in _FOOTNOTE_BODIES:
            assert body not in text, f"{doc_id} {chunk['label']}: footnote body in text"


def test_paragraph_36_is_whole_and_is_the_amnesty_chunk() -> None:
    chunks = chunks_of("S/2009/189")
    amnesty = [c for c in chunks if "amnesties for genocide" in str(c["text"])]
    assert [c["label"] for c in amnesty] == ["36"]
    text = str(amnesty[0]["text"])
    assert text.startswith("Some important normative boundaries")
    assert text.endswith("consult with relevant partners at Headquarters.")
    assert any("S/2004/616" in f for f in amnesty[0]["footnotes"])  # type: ignore[union-attr]


def test_paragraph_15_broken_by_a_page_break_is_joined() -> None:
    pieces = [c for c in chunks_of("S/2009/189") if c["label"] == "15"]
    text = " ".join(str(c["text"]) for c in pieces)
    assert "financial support for the process are also important" in text
    assert any("seven deadly sins" in f for c in pieces for f in c["footnotes"])  # type: ignore[attr-defined]


def test_hyphenated_page_break_is_rejoined() -> None:
    (para,) = [c for c in chunks_of("S/2011/552") if c["label"] == "27"]
    assert "crisis management mode" in str(para["text"])


def test_sections_follow_headings() -> None:
    by_label = {c["label"]: c for c in chunks_of("S/2009/189")}
    assert by_label["36"]["section"] == (
        "III. Lessons learned and mediation challenges > H. Accommodating peace and justice"
    )
    assert by_label["38"]["section"].startswith("III. Lessons learned")  # type: ignore[union-attr]
    assert by_label["annex 1"]["section"].startswith("Annex")  # type: ignore[union-attr]
    s2011 = {c["label"]: c for c in chunks_of("S/2011/552")}
    assert str(s2011["12"]["section"]).endswith("> Security Council")


def test_long_paragraph_pieces_keep_the_label() -> None:
    pieces = [c for c in chunks_of("S/2009/189") if c["label"] == "10"]
    assert len(pieces) >= 2
    assert [c["piece"] for c in pieces] == list(range(len(pieces)))
