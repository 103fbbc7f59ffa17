"""docs/processors.md lists the sandbox's test numbers and their outcomes: the tables there and the sandbox's own
(``adapters/sandbox_cards.py``) must say the same, row for row, so the documentation cannot drift."""

from __future__ import annotations

from pathlib import Path

from arportal.adapters.sandbox_cards import KINDS, TEST_ACCOUNT_KINDS, TEST_CARD_KINDS, brand_of

DOC = Path(__file__).resolve().parents[2] / "docs" / "processors.md"


def _table(heading: str) -> list[list[str]]:
    text = DOC.read_text()
    section = text.split(heading, 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]  # without the header


def _outcome(kind: str) -> tuple[str, str | None]:
    k = KINDS[kind]
    if k.answer_lost:
        return "answer lost", None
    if k.no_answer:
        return "no answer", None
    if k.code is None:
        return "succeeds", None
    return ("retryable decline" if k.code in {"insufficient_funds", "processing_error"} else "hard decline"), k.code


def _said(outcome: str) -> str:
    """The documented outcome in the words ``_outcome`` uses."""
    if "answer is lost" in outcome:
        return "answer lost"
    if outcome.startswith("**no answer"):
        return "no answer"
    return outcome


def test_every_test_card_is_documented_with_its_brand_outcome_and_code():
    documented = {}
    for number, brand, outcome, code, method in _table("### Test cards"):
        digits = number.replace(" ", "")
        documented[digits] = (brand, outcome, code.strip("`") or None, method or None)
    assert set(documented) == set(TEST_CARD_KINDS)
    for digits, kind in TEST_CARD_KINDS.items():
        brand, outcome, code, method = documented[digits]
        expected_outcome, expected_code = _outcome(kind)
        assert brand == brand_of(digits), digits
        assert _said(outcome) == expected_outcome, digits
        assert code == expected_code, digits
        if method:
            assert method == KINDS[kind].method, digits


def test_every_test_bank_account_is_documented_with_its_story_and_code():
    documented = {row[0]: (row[1], row[2]) for row in _table("### Test bank accounts (ACH)")}
    assert set(documented) == set(TEST_ACCOUNT_KINDS)
    for number, kind in TEST_ACCOUNT_KINDS.items():
        story, code = documented[number]
        k = KINDS[kind]
        assert k.pending and k.method == "ach"
        if kind == "ach":
            assert story == "settles"
        elif kind == "achreturn":
            assert "returned after posting" in story and f"`{k.code}`" in code
        else:
            assert story == "fails before settling" and f"`{k.code}`" == code
