"""Any spelling of a card number people use or hide one in is refused: groups of 3 to 6 digits (as card numbers
are written) with any separators, digits of any script (full-width, Arabic-Indic, Persian, Devanagari, Thai,
mathematical), invisible characters anywhere, words around it; and the field is named, never the number.

And what is not a card number stays accepted: dates and times in any usual format, amounts, our ids."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.cards import card_number_paths, looks_like_card_number, luhn_valid, redact_card_numbers
from arportal.domain.ids import new_id

# Zero for each script's digits (NFKC or unicodedata.decimal brings each to ASCII)
DIGIT_ZEROS = [0x30, 0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1D7CE, 0x1D7EC, 0xFF10]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u034f", "\ufe0f"]
SEPARATORS = [" ", "  ", "   ", "-", " - ", "--", ".", ". ", "/", " / ", "_", "\n", "\r\n", "\t", "\u00a0", "\u3000"]
SEPARATORS += [",", ", ", ":", ";", "|", "*", "~", "+", "#", "\u2010", "\u2013", "\u2014", "\u2212", "\uff0d", "\u30fb"]
WORDS = st.sampled_from(["", "card ", "my card is ", "pan: ", "please charge ", "ref 123: ", "CUS-7K3M9Q "])
TAILS = st.sampled_from(["", " thanks", ", exp 12/30", " cvc 123", ".", " (visa)"])


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=11, max_size=17))  # 13 to 19 digits in all
    first = draw(st.sampled_from("23456"))  # the networks' first digits
    partial = first + body
    check = next(d for d in "0123456789" if luhn_valid(partial + d))
    return partial + check


@st.composite
def groupings(draw: st.DrawFn, number: str) -> list[str]:
    """The number cut into groups of 3 to 6 digits (4-4-4-4, 4-6-5, 4-4-4-4-3, ... and any other such cut)."""
    groups, rest = [], number
    while rest:
        if len(rest) <= 6 and ((len(rest) >= 3 and draw(st.booleans())) or len(rest) < 6):
            size = len(rest)
        else:
            size = draw(st.integers(min_value=3, max_value=min(6, len(rest) - 3)))
        groups.append(rest[:size])
        rest = rest[size:]
    if len(groups) > 1 and len(groups[-1]) < 3:  # never leave a short last group: merge it
        groups[-2:] = ["".join(groups[-2:])]
    return groups


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    number = draw(card_numbers())
    groups = [number] if draw(st.integers(0, 4)) == 0 else draw(groupings(number))
    if len(groups) > 1 and any(len(g) > 6 for g in groups):
        groups = [number]
    zeros = draw(st.lists(st.sampled_from(DIGIT_ZEROS), min_size=1, max_size=3))
    uniform = draw(st.booleans())
    separator = draw(st.sampled_from(SEPARATORS))
    text = ""
    for index, group in enumerate(groups):
        if index:
            text += separator if uniform else draw(st.sampled_from(SEPARATORS))
        for digit in group:
            text += chr(draw(st.sampled_from(zeros)) + int(digit))
            if draw(st.integers(0, 5)) == 0:
                text += draw(st.sampled_from(INVISIBLE))
    prefix = draw(WORDS)
    if not uniform and prefix.rstrip(": ").endswith("123"):
        prefix = "card "  # mixed separators are judged as one whole chain: no number may be glued before it
    return number, prefix + text + draw(TAILS)


@given(spellings())
def test_every_spelling_of_a_card_number_is_refused_and_named_never_repeated(spelling):
    number, text = spelling
    assert looks_like_card_number(text), (number, text)
    body = {"kind": "note", "summary": text, "nested": [{"memo": text}]}
    paths = list(card_number_paths(body))
    assert paths == ["summary", "nested[0].memo"]
    assert number not in "".join(paths)
    redacted = redact_card_numbers(text)
    assert not looks_like_card_number(redacted) and number not in redacted


START = datetime(2000, 1, 1)  # noqa: DTZ001 - naive on purpose: only formatted, as text people type
moments = st.datetimes(min_value=START, max_value=START + timedelta(days=365 * 100))
DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f+00:00",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y %H.%M.%S",
    "%Y/%m/%d %H:%M",
    "%a, %d %b %Y %H:%M:%S +0000",
    "%Y-%m-%d",
    "%H:%M:%S.%f",
]


@given(moments, st.sampled_from(DATE_FORMATS))
def test_dates_and_times_in_any_usual_format_are_not_card_numbers(moment, fmt):
    text = moment.strftime(fmt)
    assert not looks_like_card_number(text), text
    assert not looks_like_card_number(f"paid {text} at the counter, then {moment.isoformat(sep=' ')}"), text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_amounts_in_minor_units_written_any_usual_way_are_not(minor):
    major, cents = divmod(abs(minor), 100)
    sign = "-" if minor < 0 else ""
    for text in (f"{sign}{major:,}.{cents:02d}", f"{sign}${major:,}.{cents:02d}", f"{major:,}".replace(",", " ")):
        assert not looks_like_card_number(text), text


@given(st.sampled_from(["pay", "inv", "apr", "doc", "pm", "cn", "rcp"]), st.integers(0, 2**48 - 1))
def test_our_ids_are_not(prefix, millis):
    assert not looks_like_card_number(new_id(prefix, now_ms=millis))


def test_an_id_that_would_pass_for_a_card_number_is_drawn_again(monkeypatch):
    # 0 ms and this random part spell doc_0000000000257QAXZHTY08CH5E, whose digit run passes Luhn
    from arportal.domain import ids

    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    card_like = 0
    for char in "257QAXZHTY08CH5E":
        card_like = card_like * 32 + alphabet.index(char)
    draws = iter([card_like, 1])
    monkeypatch.setattr(ids.secrets, "randbits", lambda bits: next(draws))
    assert looks_like_card_number("doc_0000000000257QAXZHTY08CH5E")
    assert ids.new_id("doc", now_ms=0) == "doc_00000000000000000000000001"
