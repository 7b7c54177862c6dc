"""Line cleaning: stamps, captions, debris, footnote markers, continuation joins."""

from __future__ import annotations

from ingest import clean


def test_page_stamps_are_recognised() -> None:
    assert clean.is_page_stamp("09-27878 5")
    assert clean.is_page_stamp("5 09-27878")
    assert clean.is_page_stamp("⁰⁹⁻²⁷⁸⁷⁸")
    assert not clean.is_page_stamp("36. Some important normative boundaries")


def test_captions_and_debris_are_recognised() -> None:
    assert clean.is_caption("The Secretary-General briefing the Security Council. (UN Photo)")
    assert clean.is_caption("(photo UN)")
    assert clean.is_debris("Add new comment")
    assert clean.is_debris("Oct 2016")
    assert not clean.is_debris("Mediation")


def test_footnote_bodies_are_recognised() -> None:
    assert clean.footnote_body("¹⁴ Report of the Secretary-General") == (
        "14",
        "Report of the Secretary-General",
    )
    assert clean.footnote_body("^a These include the Carter Center.") == (
        "a",
        "These include the Carter Center.",
    )
    assert clean.footnote_body("17 www.un.org/peacemaker.") == ("17", "www.un.org/peacemaker.")
    assert clean.footnote_body("36. A numbered paragraph") is None


def test_markers_are_removed_and_recorded() -> None:
    text, keys, last = clean.take_markers(
        "human rights. ¹⁴ When parties", set(), set(range(1, 20)), 13
    )
    assert (text, keys, last) == ("human rights. When parties", ["14"], 14)
    text, keys, _ = clean.take_markers("to this role, 7 and although", set(), set(range(1, 9)), 6)
    assert (text, keys) == ("to this role, and although", ["7"])


def test_numbers_in_prose_are_not_markers() -> None:
    text, keys, _ = clean.take_markers(
        "Articles 10 and 11 of the Charter", set(), set(range(1, 20)), 10
    )
    assert keys == [] and "11" in text
    text, keys, _ = clean.take_markers(
        "supported 18 ongoing processes", set(), set(range(1, 20)), 16
    )
    assert keys == [] and "18" in text


def test_hyphenated_continuation_is_joined() -> None:
    assert clean.join_continuation("crisis manage-", "ment mode") == "crisis management mode"
    assert (
        clean.join_continuation("support for the", "process are") == "support for the process are"
    )


def test_markdown_emphasis_is_removed() -> None:
    assert (
        clean.normalize("(b) **Professionalize support.** It costs \\$8")
        == "(b) Professionalize support. It costs $8"
    )
