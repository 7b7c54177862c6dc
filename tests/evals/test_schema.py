"""The case-file format: the seed files load, and every mistake is reported with file and line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from evals.schema import CaseFileError, Suite, default_case_files, load_suite, load_suites

# Every citable `doc_id#label`, generated once from the chunked corpus; regenerate it when the
# paragraph structure of a seed document changes on purpose.
LABELS = Path(__file__).with_name("labels.txt")
DOC_IDS = (
    "S/2009/189",
    "S/2011/552",
    "cr-msn-letter-2016",
    "un-mediation-initiatives-2011",
    "dpa-prevention-mediation",
)

VALID = """\
suite: demo
description: a small suite
cases:
  - id: first
    question: Who picks the Friends of the process?
    expect:
      status: [answered, partial]
      retrieved: ["S/2009/189#18"]
"""


def _write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture(scope="module")
def seed_suites() -> list[Suite]:
    return load_suites(default_case_files())


def test_seed_case_files_load(seed_suites: list[Suite]) -> None:
    names = {suite.suite for suite in seed_suites}
    assert {"retrieval", "out_of_scope"} <= names


def test_default_case_files_are_sorted_yaml() -> None:
    files = default_case_files()
    assert files == sorted(files)
    assert {path.name for path in files} >= {"retrieval.yaml", "out_of_scope.yaml"}


def test_retrieval_suite_covers_every_document(seed_suites: list[Suite]) -> None:
    retrieval = next(suite for suite in seed_suites if suite.suite == "retrieval")
    assert len(retrieval.cases) >= 66
    first_gold = Counter(case.expect.retrieved[0].partition("#")[0] for case in retrieval.cases)
    assert all(first_gold[doc_id] >= 3 for doc_id in DOC_IDS), first_gold
    assert all(case.expect.retrieved for case in retrieval.cases)


def test_out_of_scope_suite_expects_no_evidence(seed_suites: list[Suite]) -> None:
    out_of_scope = next(suite for suite in seed_suites if suite.suite == "out_of_scope")
    assert len(out_of_scope.cases) >= 14
    assert all(case.expect.status == ("no_evidence",) for case in out_of_scope.cases)


def test_every_seed_reference_names_an_existing_paragraph(seed_suites: list[Suite]) -> None:
    labels = set(LABELS.read_text(encoding="utf-8").splitlines())
    unknown = [
        (case.case_id, ref)
        for suite in seed_suites
        for case in suite.cases
        for ref in (*case.expect.retrieved, *case.expect.cited)
        if ref not in labels
    ]
    assert unknown == []


def test_valid_file_loads_with_defaults(tmp_path: Path) -> None:
    suite = load_suite(_write(tmp_path, VALID))
    case = suite.cases[0]
    assert (suite.k, case.case_id, case.expect.retrieved_mode) == (5, "first", "any")


def test_unknown_key_is_reported_with_file_and_line(tmp_path: Path) -> None:
    text = VALID.replace("      retrieved:", "      retreived:")
    path = _write(tmp_path, text)
    with pytest.raises(CaseFileError) as caught:
        load_suite(path)
    assert caught.value.line == _line_of(text, "retreived")
    assert f"{path}:{caught.value.line}:" in str(caught.value)
    assert "unknown key 'retreived'" in str(caught.value)
    assert "cases[0].expect" in str(caught.value)


def test_unknown_top_level_key_is_reported_with_line(tmp_path: Path) -> None:
    text = VALID.replace("cases:", "top_k: 3\ncases:")
    with pytest.raises(CaseFileError) as caught:
        load_suite(_write(tmp_path, text))
    assert caught.value.line == _line_of(text, "top_k")


def test_wrong_type_is_reported_with_line(tmp_path: Path) -> None:
    text = VALID.replace("    expect:", "    k: many\n    expect:")
    with pytest.raises(CaseFileError) as caught:
        load_suite(_write(tmp_path, text))
    assert caught.value.line == _line_of(text, "k: many")
    assert "cases[0].k" in str(caught.value)


def test_unknown_status_is_reported_with_line(tmp_path: Path) -> None:
    text = VALID.replace("[answered, partial]", "[answered, maybe]")
    with pytest.raises(CaseFileError) as caught:
        load_suite(_write(tmp_path, text))
    assert caught.value.line == _line_of(text, "maybe")


def test_missing_expect_is_reported_at_its_case(tmp_path: Path) -> None:
    text = VALID.split("    expect:")[0]
    with pytest.raises(CaseFileError) as caught:
        load_suite(_write(tmp_path, text))
    assert caught.value.line == _line_of(text, "- id: first")
    assert "expect" in str(caught.value)


def test_bad_regex_is_reported_with_file_and_line(tmp_path: Path) -> None:
    text = VALID + '      must_not: ["amnesty", "(unclosed"]\n'
    path = _write(tmp_path, text)
    with pytest.raises(CaseFileError) as caught:
        load_suite(path)
    assert caught.value.line == _line_of(text, "(unclosed")
    assert str(path) in str(caught.value)
    assert "invalid regular expression '(unclosed'" in str(caught.value)


def test_malformed_reference_is_reported(tmp_path: Path) -> None:
    text = VALID.replace('"S/2009/189#18"', '"S/2009/189 para 18"')
    with pytest.raises(CaseFileError, match="doc_id#label"):
        load_suite(_write(tmp_path, text))


def test_duplicate_ids_across_files_are_reported(tmp_path: Path) -> None:
    first = _write(tmp_path, VALID, "a.yaml")
    second = _write(tmp_path, VALID.replace("suite: demo", "suite: other"), "b.yaml")
    with pytest.raises(CaseFileError) as caught:
        load_suites([first, second])
    message = str(caught.value)
    assert "duplicate case id 'first'" in message
    assert f"{second}:4:" in message and f"{first}:4" in message


def test_duplicate_ids_in_one_file_are_reported(tmp_path: Path) -> None:
    case = VALID.split("cases:\n")[1]
    with pytest.raises(CaseFileError, match="duplicate case id 'first'"):
        load_suite(_write(tmp_path, VALID + case))


def test_duplicate_yaml_key_is_reported_with_line(tmp_path: Path) -> None:
    text = VALID.replace("    question:", "    question: twice\n    question:")
    with pytest.raises(CaseFileError, match="duplicate key 'question'") as caught:
        load_suite(_write(tmp_path, text))
    assert caught.value.line == _line_of(text, "question: Who")


def test_invalid_yaml_is_reported_with_line(tmp_path: Path) -> None:
    text = VALID.replace("status: [answered, partial]", "status: [answered, partial")
    with pytest.raises(CaseFileError, match="not valid YAML") as caught:
        load_suite(_write(tmp_path, text))
    assert caught.value.line is not None


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_suite(tmp_path / "absent.yaml")
