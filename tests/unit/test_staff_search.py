"""Staff search: how a query is read, and the prefix searches over name, email and phone (with fakes)."""

from __future__ import annotations

import pytest

from arportal.adapters.dynamodb import customer_items, entity_items, search_items
from arportal.domain.search import SearchKind
from arportal.ports import LookupHit
from arportal.services.search import looks_like_phone, prefix_kinds, search
from tests import builders as b
from tests.fakes import InMemoryCustomerRecords

K = SearchKind


class Prefixes:
    """Answers prefix searches from a list of customers, the way the ByName index does."""

    def __init__(self, customers) -> None:
        self.customers = customers
        self.asked: list[tuple[SearchKind, str]] = []

    def prefix_search(self, kind, text, *, limit):
        self.asked.append((kind, text))
        hits = []
        for c in self.customers:
            values = {
                K.NAME: search_items.name_words(c.name),  # one entry per word, as the WORD pointers
                K.EMAIL: [search_items.normalise_email(c.email or "")],
                K.PHONE: [search_items.normalise_phone(c.phone or "")],
            }[kind]
            prefix = {
                K.NAME: search_items.normalise_name,
                K.EMAIL: search_items.normalise_email,
                K.PHONE: search_items.normalise_phone,
            }[kind](text)
            for word, value in enumerate(values):
                if prefix and value.startswith(prefix):  # like the adapter: an empty prefix finds nothing
                    brief = {"customer_id": c.customer_id, "name": c.name, "email": c.email, "phone": c.phone}
                    brief |= {"name_word": word} if kind is K.NAME else {}
                    hits.append((value, LookupHit(kind, "customer", c.customer_id, c.customer_id, brief)))
        return [hit for _, hit in sorted(hits, key=lambda h: h[0])][:limit]  # in index (NSK) order


@pytest.fixture
def pat():
    return b.customer("CUS-0000PAT1", name="Pat Rivera", email="pat.rivera@example.org").model_copy(
        update={"phone": "+1 (217) 555-0142"}
    )


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("pat@exa", [K.EMAIL]),
        ("+1 (217) 555", [K.PHONE]),
        ("217 555 01", [K.PHONE]),
        ("pat", [K.NAME, K.EMAIL]),
        ("pat rivera", [K.NAME]),
        ("12", [K.NAME, K.EMAIL]),  # too short to be a phone number
    ],
)
def test_free_text_is_read_as_the_start_of_a_contact_detail(text, kinds):
    assert prefix_kinds(text) == kinds


def test_what_looks_like_a_phone_number():
    assert looks_like_phone("(217) 555-0142") and looks_like_phone("+44 20 7946")
    assert not looks_like_phone("UT-200001") and not looks_like_phone("21")


def test_an_email_prefix_is_one_search_and_needs_no_second_read(pat):
    repo, prefixes = InMemoryCustomerRecords(), Prefixes([pat])
    result = search(repo, "PAT.RIVERA@EX", prefixes=prefixes)
    assert result.kinds == [K.EMAIL] and [m.customer.customer_id for m in result.matches] == [pat.customer_id]
    assert prefixes.asked == [(K.EMAIL, "PAT.RIVERA@EX")] and repo.reads == 0
    assert result.matches[0].customer.name == "Pat Rivera"


def test_a_word_searches_names_and_addresses_and_lists_a_customer_once(pat):
    result = search(InMemoryCustomerRecords(), "pat", prefixes=Prefixes([pat]))
    assert result.kinds == [K.NAME, K.EMAIL] and len(result.matches) == 1
    assert result.matches[0].hit.kind is K.NAME


def test_a_single_word_without_digits_is_a_name_not_an_invoice_number(pat):
    repo = InMemoryCustomerRecords()
    result = search(repo, "rivera", prefixes=Prefixes([pat]))
    assert result.kinds == [K.NAME, K.EMAIL] and repo.reads == 0


def test_a_phone_number_that_looks_like_a_key_is_tried_as_a_key_then_as_a_phone(pat):
    repo, prefixes = InMemoryCustomerRecords(), Prefixes([pat])
    result = search(repo, "217-555-01", prefixes=prefixes)
    assert result.kinds == [K.INVOICE_NUMBER, K.PHONE]
    assert [m.customer.customer_id for m in result.matches] == [pat.customer_id]
    assert repo.reads == 1 and prefixes.asked == [(K.PHONE, "217-555-01")]


def test_a_key_that_matches_is_not_searched_as_a_phone(pat):
    account = b.account(pat.customer_id, number="UT-2175550")
    repo, prefixes = InMemoryCustomerRecords(), Prefixes([pat])
    repo.put_new([pat, account])
    result = search(repo, "UT-2175550", prefixes=prefixes)
    assert [m.hit.kind for m in result.matches] == [K.ACCOUNT_NUMBER] and prefixes.asked == []


def test_an_explicit_kind_restricts_the_search(pat):
    prefixes = Prefixes([pat])
    assert search(InMemoryCustomerRecords(), "pat", kind=K.PHONE, prefixes=prefixes).matches == []
    assert prefixes.asked == [(K.PHONE, "pat")]
    assert len(search(InMemoryCustomerRecords(), "2175", kind=K.PHONE, prefixes=prefixes).matches) == 1


def test_any_word_of_a_name_finds_it_ranked_whole_name_then_first_word_then_later_words():
    people = [
        b.customer("CUS-00000001", name="Jordan Rivera"),
        b.customer("CUS-00000002", name="Rivera Plumbing and Heating"),
        b.customer("CUS-00000003", name="Rivera"),
        b.customer("CUS-00000004", name="Ana Rivera-Soto"),
        b.customer("CUS-00000005", name="Pat Stone", email="rivera.fan@example.org"),
    ]
    result = search(InMemoryCustomerRecords(), "Rivera", prefixes=Prefixes(people))
    assert [m.customer.name for m in result.matches] == [
        "Rivera",  # the whole name
        "Rivera Plumbing and Heating",  # starts with it
        "Ana Rivera-Soto",  # a later word starts with it
        "Jordan Rivera",
        "Pat Stone",  # by email address only
    ]


def test_a_business_is_found_by_any_word_and_a_customer_listed_once():
    plumbing = b.customer("CUS-00000002", name="Rivera Plumbing and Heating")
    for word in ("plumbing", "HEAT", "and heat"):
        result = search(InMemoryCustomerRecords(), word, prefixes=Prefixes([plumbing]))
        assert [m.customer.customer_id for m in result.matches] == ["CUS-00000002"], word
    twice = b.customer("CUS-00000006", name="Rivera Rivera")
    assert len(search(InMemoryCustomerRecords(), "rivera", prefixes=Prefixes([twice])).matches) == 1


def test_limit_bounds_the_matches(pat):
    many = [pat.model_copy(update={"customer_id": f"CUS-000PAT{i:02d}"}) for i in range(8)]
    assert len(search(InMemoryCustomerRecords(), "pat", limit=3, prefixes=Prefixes(many)).matches) == 3


class TestPointerItems:
    def test_a_profile_brings_an_email_and_a_phone_pointer_with_its_brief(self, pat):
        pointers = {p["SK"]: p for p in search_items.search_pointers(pat)}
        email, phone = pointers[search_items.EMAIL_POINTER], pointers[search_items.PHONE_POINTER]
        assert email["PK"] == phone["PK"] == customer_items.customer_pk(pat.customer_id)
        assert (email["NPK"], email["NSK"]) == ("EMAIL#p", f"pat.rivera@example.org#{pat.customer_id}")
        assert (phone["NPK"], phone["NSK"]) == ("PHONE#2", f"2175550142#{pat.customer_id}")
        assert email["name"] == "Pat Rivera" and email["phone"] == "+1 (217) 555-0142"
        assert [i["SK"] for i in entity_items.items_of(pat)] == [
            customer_items.PROFILE,
            search_items.EMAIL_POINTER,
            search_items.PHONE_POINTER,
            "SRCH#WORD#0",
            "SRCH#WORD#1",
        ]

    def test_no_contact_detail_no_contact_pointer(self, pat):
        bare = pat.model_copy(update={"email": None, "phone": None})
        assert [p["SK"] for p in search_items.search_pointers(bare)] == ["SRCH#WORD#0", "SRCH#WORD#1"]
        assert len(entity_items.items_of(b.account(pat.customer_id))) == 1

    def test_each_word_of_the_name_has_a_pointer_from_that_word_on(self):
        cruz = b.customer("CUS-0000CRUZ", name="Jordan de la Cruz")
        words = {p["SK"]: p for p in search_items.search_pointers(cruz) if p["SK"].startswith("SRCH#WORD#")}
        assert [(p["NPK"], p["NSK"], p["name_word"]) for p in words.values()] == [
            ("WORD#j", "jordan de la cruz#CUS-0000CRUZ", 0),
            ("WORD#d", "de la cruz#CUS-0000CRUZ", 1),
            ("WORD#l", "la cruz#CUS-0000CRUZ", 2),
            ("WORD#c", "cruz#CUS-0000CRUZ", 3),
        ]
        assert words["SRCH#WORD#0"]["name"] == "Jordan de la Cruz"

    def test_a_long_name_fills_the_fixed_slots_and_its_tail_holds_the_rest(self):
        long = b.customer("CUS-0000LONG", name="City of Springfield Water and Light Department")
        tails = [p["NSK"] for p in search_items.search_pointers(long) if p["SK"] in search_items.WORD_POINTERS]
        assert len(tails) == search_items.NAME_WORDS == len(search_items.WORD_POINTERS)
        assert tails[-1] == "and light department#CUS-0000LONG"

    @pytest.mark.parametrize("typed", ["+1 (217) 555-0142", "1-217-555-0142", "217.555.0142", "2175550142"])
    def test_phone_numbers_meet_however_they_are_typed(self, typed):
        assert search_items.normalise_phone(typed) == "2175550142"
