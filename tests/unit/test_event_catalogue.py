"""The event catalogue cannot drift from the code: every detail-type the code publishes (outbox items, the state
machines' ``events:putEvents`` tasks) is one a webhook endpoint may subscribe to (``arportal.domain.webhooks.
EVENT_TYPES``) and is documented in docs/events.md, and every type in ``EVENT_TYPES`` is published somewhere.

What is published is read from the code, not listed here: the literal first argument of every ``outbox_item`` call,
every ``DetailType`` in ``statemachines/*.asl.json``, and, for the calls whose type is computed, the tables and
producers that compute it (each such call must be declared below, so a new computed one fails until it is).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from arportal.domain.source_records import SourceKind
from arportal.domain.staff_actions import AdjustmentKind
from arportal.domain.webhooks import EVENT_TYPES
from arportal.services import payment_status, payments

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "arportal" / "python"
PACKAGE = LAYER / "arportal"
DOC = ROOT / "docs" / "events.md"
TYPE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _modules() -> Iterator[tuple[str, ast.Module]]:
    """Every product module (the layer and the functions), by a path relative to the layer or the repository."""
    for base, root in ((LAYER, PACKAGE), (ROOT, ROOT / "functions")):
        for path in sorted(root.rglob("*.py")):
            yield path.relative_to(base).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _module(relative: str) -> ast.Module:
    return ast.parse((LAYER / relative).read_text(encoding="utf-8"))


def _calls(tree: ast.AST, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                yield node


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "literal"`` assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


# --- the computed types, each derived from what computes it -------------------------------------------------------


def _payment_statuses_posted() -> set[str]:
    # a new payment's status is the charge outcome's (services/payments.py)
    return {f"payment.{status.value}" for status in payments._STATUS_OF.values()}


def _payment_statuses_reported() -> set[str]:
    # a processor's report moves a payment to one of these (services/payment_status.py)
    return {f"payment.{to.value}" for moves in payment_status.TARGETS.values() for to in moves.values()}


def _payment_statuses_of_staff_actions() -> set[str]:
    # what a refund, void or reversal leaves a payment in: the statuses ``_target`` returns (domain/staff_actions.py)
    (target,) = [
        node
        for node in ast.walk(_module("arportal/domain/staff_actions.py"))
        if isinstance(node, ast.FunctionDef) and node.name == "_target"
    ]
    names = {
        attribute.attr
        for node in ast.walk(target)
        if isinstance(node, ast.Return) and node.value is not None
        for attribute in ast.walk(node.value)
        if isinstance(attribute, ast.Attribute) and attribute.attr.isupper()
    }
    assert names, "domain/staff_actions._target returns no status any more: update this test"
    from arportal.domain.status import PaymentStatus

    return {f"payment.{PaymentStatus[name].value}" for name in names}


def _loaded_kinds() -> set[str]:
    # services/source_loads.py names each batch record's event f"{kind.value}.loaded", for every SourceKind
    producers = [
        ast.unparse(node)
        for node in ast.walk(_module("arportal/services/source_loads.py"))
        if isinstance(node, ast.JoinedStr)
    ]
    assert "f'{kind.value}.loaded'" in producers, producers
    return {f"{kind.value}.loaded" for kind in SourceKind}


def _reconciler_events() -> set[str]:
    # services/reconciliation.py builds each LedgerEvent with one of its module constants
    tree = _module("arportal/services/reconciliation.py")
    constants = _string_constants(tree)
    found = set()
    for call in _calls(tree, "LedgerEvent"):
        first = call.args[0]
        assert isinstance(first, ast.Name) and first.id in constants, ast.unparse(call)
        found.add(constants[first.id])
    assert found, "the reconciler builds no LedgerEvent any more: update this test"
    return found


def _import_events() -> set[str]:
    # services/import_pipeline.py finishes a job with (detail_type, detail)
    found = set()
    for call in _calls(_module("arportal/services/import_pipeline.py"), "finish"):
        event = call.args[1]
        assert isinstance(event, ast.Tuple) and isinstance(event.elts[0], ast.Constant), ast.unparse(call)
        found.add(str(event.elts[0].value))
    assert found, "the import pipeline publishes nothing any more: update this test"
    return found


# (module, the outbox_item call's first argument) -> the types that argument takes
COMPUTED: dict[tuple[str, str], Callable[[], set[str]]] = {
    ("arportal/adapters/dynamodb/posting.py", "f'payment.{payment.status.value}'"): _payment_statuses_posted,
    ("arportal/adapters/dynamodb/status_changes.py", "f'payment.{after.status.value}'"): _payment_statuses_reported,
    (
        "arportal/adapters/dynamodb/staff_actions.py",
        "f'payment.{after.status.value}'",
    ): _payment_statuses_of_staff_actions,
    ("arportal/adapters/dynamodb/staff_actions.py", "f'invoice.{record.kind.value}'"): lambda: {
        f"invoice.{kind.value}" for kind in AdjustmentKind
    },
    ("arportal/adapters/dynamodb/source_loads.py", "detail_type"): _loaded_kinds,
    ("arportal/adapters/dynamodb/intents.py", "event.detail_type"): _reconciler_events,
    ("arportal/adapters/dynamodb/import_jobs.py", "detail_type"): _import_events,
}


def _outbox_types() -> tuple[set[str], set[tuple[str, str]]]:
    """The literal types of ``outbox_item`` calls, and the (module, expression) of the computed ones."""
    literal, computed = set(), set()
    for relative, tree in _modules():
        for call in _calls(tree, "outbox_item"):
            first = call.args[0] if call.args else None
            if first is None:
                continue  # the definition's own recursion guard, should there ever be one
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literal.add(first.value)
            else:
                computed.add((relative, ast.unparse(first)))
    return literal, computed


def _machine_types() -> set[str]:
    found = set()
    for path in sorted((ROOT / "statemachines").glob("*.asl.json")):
        for entry in _put_events_entries(json.loads(path.read_text(encoding="utf-8"))):
            assert "DetailType" in entry, f"{path.name}: a computed DetailType must be declared in this test: {entry}"
            assert entry.get("Source") == "arportal", f"{path.name}: {entry}"
            found.add(entry["DetailType"])
    return found


def _put_events_entries(node: object) -> Iterator[dict[str, object]]:
    if isinstance(node, dict):
        if str(node.get("Resource", "")).endswith(":events:putEvents"):
            yield from node["Parameters"]["Entries"]
        for value in node.values():
            yield from _put_events_entries(value)
    elif isinstance(node, list):
        for value in node:
            yield from _put_events_entries(value)


def published() -> set[str]:
    literal, computed = _outbox_types()
    undeclared = computed - set(COMPUTED)
    assert not undeclared, f"outbox_item calls whose type is computed: declare how in COMPUTED: {sorted(undeclared)}"
    stale = set(COMPUTED) - computed
    assert not stale, f"COMPUTED names calls that no longer exist: {sorted(stale)}"
    types = literal | _machine_types()
    for key in sorted(COMPUTED):
        types |= COMPUTED[key]()
    return types


def documented() -> set[str]:
    """The detail-types in the first column of docs/events.md's catalogue (the table headed ``| detail-type |``)."""
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("| detail-type |") :].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[1])}


def test_nothing_else_puts_events_on_the_bus() -> None:
    # The outbox relay and the state machines are the two publishers; a put_events call in the product code would be
    # a third that this test does not read.
    callers = [relative for relative, tree in _modules() if any(_calls(tree, "put_events"))]
    assert callers == []


def test_every_published_type_is_one_an_endpoint_may_subscribe_to() -> None:
    types = published()
    assert all(TYPE.match(t) for t in types), sorted(types)
    assert len(types) > 20, sorted(types)  # the scan found the publishers, not a handful
    assert sorted(types - EVENT_TYPES) == []


def test_every_type_an_endpoint_may_subscribe_to_is_published() -> None:
    assert sorted(EVENT_TYPES - published()) == []


def test_every_published_type_is_in_the_catalogue_and_the_catalogue_names_no_other() -> None:
    types = published()
    assert sorted(types - documented()) == []
    assert sorted(documented() - types) == []


def test_the_computed_types_are_read_from_the_code() -> None:
    # a payment is never published as authorized (a step in its history); settled is settlement's own literal
    payment_types = _payment_statuses_posted() | _payment_statuses_reported() | _payment_statuses_of_staff_actions()
    assert {
        "payment.posted",
        "payment.pending",
        "payment.failed",
        "payment.refunded",
        "payment.voided",
    } <= payment_types
    assert not {"payment.authorized", "payment.settled"} & payment_types
    assert _reconciler_events() == {"payment.reconciled", "payment_intent.closed"}
    assert _import_events() == {"import.completed", "import.failed"}
