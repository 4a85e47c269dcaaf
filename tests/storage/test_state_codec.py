"""The dialogue state's encoding (storage/state_codec.py): plain JSON for what a dialogue really
stores, jsonpickle for anything else, nothing lost either way; and every row written before read
without botbuilder (jsonpickle rows, and "state/1" rows holding botbuilder-dialogs' DialogState)."""

from __future__ import annotations

import copy
import dataclasses
import enum
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from storage import state_codec
from storage.crypto import FieldCipher, parse_keys
from storage.models import DialogState as DialogStateRow
from storage.state_store import SqlStorage, StoredState, row_key_of, state_context
from tests.conftest import DATA_KEY, add_municipality
from tests.e2e.test_report_dialogue import (
    answer_up_to_summary_anonymously,
    answer_up_to_summary_with_consent,
    last,
    start_report,
)
from tests.support import Chat, find_action

KEY = "msteams/conversations/a:personal-7faf8ab2"
FORMAT = state_codec.FORMAT
ENCODE = state_codec.encode  # the codec's own, whatever a test records through the module's


def typed(value: Any) -> Any:
    """`value` with the exact type of every node spelt out, so that a tuple read back as a list
    or 1 as True compares unequal."""
    kind = type(value)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if kind is dict:
        return name, [(typed(k), typed(v)) for k, v in value.items()]
    if kind in (list, tuple):
        return name, [typed(item) for item in value]
    return name, value


def through_the_cipher(stored: Any) -> Any:
    """What FieldCipher does to the encoded value: its JSON text, read back."""
    return json.loads(json.dumps(stored, ensure_ascii=False, separators=(",", ":")))


def round_trip(value: Any) -> Any:
    return state_codec.decode(through_the_cipher(ENCODE(value)))


def report_state() -> dict[str, Any]:
    """A report dialogue's own state mid-way (the real ones come from the dialogue below)."""
    return {
        "draft": {
            "draft_id": "27f68c887a514336b97196be66db8313",
            "answers": {"person_name": "Kari Nordmann", "vulnerability": ["dementia", "old_age"]},
            "automatic": ["municipality"],
            "municipalities": [{"id": "m1", "name": "Moss"}],
            "earlier": {},
        },
        "step": "gender",
        "card_id": None,
    }


# A report mid-way as the bot on botbuilder-dialogs stored it: the conversation state's
# "DialogState" (botbuilder-dialogs' DialogState and its stack of DialogInstances), as this
# codec's marked objects and as jsonpickle's text, each under botbuilder's own attribute names.
def state_1_row_of_botbuilder(report: dict[str, Any]) -> list[Any]:
    instance = {"$type": "DialogInstance", "id": "ReportDialog", "state": report}
    return [FORMAT, {"DialogState": {"$type": "DialogState", "_dialog_stack": [instance]}}]


def jsonpickle_row_of_botbuilder(report: dict[str, Any]) -> str:
    instance = {
        "py/object": "botbuilder.dialogs.dialog_instance.DialogInstance",
        "id": "ReportDialog",
        "state": report,
    }
    stack = {
        "py/object": "botbuilder.dialogs.dialog_state.DialogState",
        "_dialog_stack": [instance],
    }
    return json.dumps({"DialogState": stack})


def read_without_botbuilder(report: dict[str, Any]) -> dict[str, Any]:
    """What either row reads as: plain dicts with the classes' marks and public attribute names
    (what dialogs/report_dialog.py's carry-over reads)."""
    instance = {"$type": "DialogInstance", "id": "ReportDialog", "state": report}
    return {"DialogState": {"$type": "DialogState", "dialog_stack": [instance]}}


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every value the bot's storage encodes from now on (a deep copy, as it was then)."""
    values: list[Any] = []

    def recording(value: Any) -> Any:
        values.append(copy.deepcopy(value))
        return ENCODE(value)

    monkeypatch.setattr(state_codec, "encode", recording)
    return values


async def two_reports(bot_url: str, connector: Any, sessions: Any) -> None:
    """An anonymous report, sent, then a consented one in a municipality chosen from two, sent:
    every step the report dialogue stores, with and without earlier answers."""
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_anonymously(chat)
    await chat.tap(find_action(last(summary), command="send"))
    await add_municipality(sessions, "Råde")
    summary = await answer_up_to_summary_with_consent(chat, municipality="Moss")
    await chat.tap(find_action(last(summary), command="send"))


# --- what the report dialogue really stores ---------------------------------------------------


async def test_every_state_a_report_dialogue_stores_reads_back_with_the_same_types(
    bot_url: str, connector: Any, sessions: Any, encoded: list[Any]
) -> None:
    await two_reports(bot_url, connector, sessions)

    assert len(encoded) > 20
    assert [typed(round_trip(v)) for v in encoded] == [typed(v) for v in encoded]


async def test_every_state_a_report_dialogue_stores_is_encoded_as_plain_json(
    bot_url: str, connector: Any, sessions: Any, encoded: list[Any]
) -> None:
    await two_reports(bot_url, connector, sessions)

    fell_back = [v for v in encoded if isinstance(ENCODE(v), str)]
    assert encoded and not fell_back


async def test_the_stored_plaintext_of_a_report_draft_is_not_jsonpickle(
    bot_url: str, connector: Any, sessions: Any
) -> None:
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await chat.tap(find_action(last(await start_report(chat)), step="acute", answer="no"))
    async with sessions() as session:
        row = (await session.execute(select(DialogStateRow))).scalar_one()

    plaintext = FieldCipher(parse_keys(DATA_KEY)).decrypt(row.data, state_context(row.key))

    assert isinstance(plaintext, list) and plaintext[0] == state_codec.FORMAT
    assert "py/object" not in json.dumps(plaintext)
    assert '"draft"' in json.dumps(plaintext)  # the draft is in it, not only an empty state


def test_a_mid_report_state_reads_back_as_it_was() -> None:
    state = {"report": report_state(), "ExperienceDraft": {"text": "Ringte fastlegen"}}

    assert typed(round_trip(state)) == typed(state)


def test_a_state_with_the_encodings_marker_key_in_a_plain_dict_reads_back_as_that_dict() -> None:
    # Not written as "state/1" (where "$type" marks the classes of rows written before).
    state = {"report": report_state(), "card": {"$type": "DialogState", "n": 1}}

    assert isinstance(ENCODE(state), str)
    assert typed(round_trip(state)) == typed(state)


def test_a_state_read_from_a_row_of_botbuilder_reads_back_as_it_was_read() -> None:
    # Saved again before the report dialogue carried it over (a turn that did not look at it).
    state = read_without_botbuilder(report_state())

    assert typed(round_trip(state)) == typed(state)


# --- rows written before: botbuilder-dialogs' classes, and jsonpickle ---------------------------


def test_a_state_1_row_holding_botbuilders_dialog_state_reads_as_plain_dicts() -> None:
    stored = through_the_cipher(state_1_row_of_botbuilder(report_state()))

    assert typed(state_codec.decode(stored)) == typed(read_without_botbuilder(report_state()))


def test_a_jsonpickle_row_holding_botbuilders_dialog_state_reads_as_plain_dicts() -> None:
    stored = jsonpickle_row_of_botbuilder(report_state())

    assert typed(state_codec.decode(stored)) == typed(read_without_botbuilder(report_state()))


@pytest.mark.parametrize("row", [state_1_row_of_botbuilder, jsonpickle_row_of_botbuilder])
def test_a_row_of_botbuilder_reads_without_botbuilder_installed(
    row: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in sys.modules if n.startswith("botbuilder.")]:
        monkeypatch.setitem(sys.modules, name, None)  # importing it now fails
    monkeypatch.setitem(sys.modules, "botbuilder", None)

    read = state_codec.decode(through_the_cipher(row(report_state())))

    assert read == read_without_botbuilder(report_state())


def test_a_jsonpickle_row_keeps_jsonpickles_own_types() -> None:
    report = {**report_state(), "seen": {"py/tuple": ["acute", "consent"]}}

    read = state_codec.decode(jsonpickle_row_of_botbuilder(report))

    assert read["DialogState"]["dialog_stack"][0]["state"]["seen"] == ("acute", "consent")


def test_a_class_no_row_ever_held_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError):
        state_codec.decode([FORMAT, {"x": {"$type": "Dialog", "id": "ReportDialog"}}])


@pytest.fixture
def store(sessions: Any) -> SqlStorage:
    return SqlStorage(sessions, FieldCipher(parse_keys(DATA_KEY)))


@pytest.mark.parametrize("row", [state_1_row_of_botbuilder, jsonpickle_row_of_botbuilder])
async def test_a_row_written_on_botbuilder_is_read_from_the_database(
    row: Any, store: SqlStorage, sessions: Any
) -> None:
    await store.write({KEY: StoredState({"turns": 1})})
    old_format = FieldCipher(parse_keys(DATA_KEY)).encrypt(
        row(report_state()), state_context(row_key_of(KEY))
    )
    async with sessions() as session, session.begin():
        await session.execute(
            update(DialogStateRow)
            .where(DialogStateRow.key == row_key_of(KEY))
            .values(data=old_format)
        )

    read = (await store.read([KEY]))[KEY].value

    assert typed(read) == typed(read_without_botbuilder(report_state()))


def test_an_unknown_format_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError):
        state_codec.decode(["state/999", {}])


# --- anything else: jsonpickle, for the whole value -------------------------------------------


class Step(enum.StrEnum):
    ACUTE = "acute"


@dataclasses.dataclass
class Note:
    text: str
    at: datetime


class Answers(dict[str, Any]):
    pass


SHARED = ["dementia"]
CYCLE: list[Any] = []
CYCLE.append(CYCLE)

UNKNOWN = {
    "tuple": ("acute", "consent"),
    "set": {"dementia", "old_age"},
    "datetime": datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
    "str enum": Step.ACUTE,
    "str enum key": {Step.ACUTE: 1},
    "dataclass": Note("ring tilbake", datetime(2026, 11, 28, tzinfo=UTC)),
    "int key": {1941: "born"},
    "bool key": {True: "yes"},
    "decimal": Decimal("1.10"),
    "bytes": b"\x00\x01",
    "dict subclass": Answers(a=1),
    "a list twice": {"first": SHARED, "second": SHARED},
    "a lone surrogate": "x\ud800y",
}


@pytest.mark.parametrize("name", list(UNKNOWN))
def test_a_value_the_codec_does_not_know_is_stored_whole_as_jsonpickle(name: str) -> None:
    state = {"report": {**report_state(), "x": UNKNOWN[name]}}

    assert isinstance(state_codec.encode(state), str)


# jsonpickle itself reads an enum used as a dict key back as its str value, as it always did.
@pytest.mark.parametrize("name", [n for n in UNKNOWN if n != "str enum key"])
def test_a_value_the_codec_does_not_know_reads_back_with_its_type(name: str) -> None:
    state = {"report": {**report_state(), "x": UNKNOWN[name]}}

    assert typed(round_trip(state)) == typed(state)


def test_a_list_held_twice_is_still_one_list_when_read_back() -> None:
    read = round_trip(UNKNOWN["a list twice"])

    assert read["first"] is read["second"]


def test_a_list_that_holds_itself_is_stored_as_jsonpickle_and_reads_back() -> None:
    encoded = state_codec.encode({"x": CYCLE})
    read = state_codec.decode(through_the_cipher(encoded))

    assert isinstance(encoded, str)
    assert read["x"][0] is read["x"]
