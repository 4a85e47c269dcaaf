"""bot/activity_parse.py: the incoming activity parsed as msrest's `Activity.deserialize` parses
it, attribute by attribute and type by type, and refused where msrest refuses it."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from isodate.tzinfo import Utc
from msrest.serialization import DeserializationError, Model

from bench.turns import activity as bench_activity
from bot.activity_parse import parse_activity
from tests.support import FIXTURES, fixture

PAYLOADS = sorted(path.name for path in FIXTURES.glob("*.json"))
SERVICE_URL = "http://127.0.0.1:9/"


def msrest(body: dict[str, Any]) -> Activity:
    return Activity.deserialize(copy.deepcopy(body))


def assert_same(ours: Any, theirs: Any, where: str = "activity") -> None:
    """Equal values of the same types all the way down; a model's attributes in the same order.
    Only additional_properties may differ in order: msrest builds it from a set."""
    assert type(ours) is type(theirs), f"{where}: {type(ours)} is not {type(theirs)}"
    if isinstance(theirs, Model):
        assert list(vars(ours)) == list(vars(theirs)), where
        for name, value in vars(theirs).items():
            assert_same(getattr(ours, name), value, f"{where}.{name}")
    elif isinstance(theirs, dict):
        if where.endswith(".additional_properties"):
            assert sorted(ours) == sorted(theirs), where
        else:
            assert list(ours) == list(theirs), where
        for key, value in theirs.items():
            assert_same(ours[key], value, f"{where}[{key!r}]")
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), where
        for index, (mine, value) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(mine, value, f"{where}[{index}]")
    elif isinstance(theirs, datetime):
        assert ours == theirs, where
        assert type(ours.tzinfo) is type(theirs.tzinfo), where
        assert ours.utcoffset() == theirs.utcoffset(), where
        assert ours.tzname() == theirs.tzname(), where
    else:
        assert ours == theirs, where


def outcome(parse: Any, body: dict[str, Any]) -> Activity | BaseException:
    try:
        return parse(copy.deepcopy(body))  # type: ignore[no-any-return]
    except Exception as error:
        return error


def bench_bodies() -> list[dict[str, Any]]:
    return [
        bench_activity(SERVICE_URL, "kari", text="meld bekymring"),
        bench_activity(SERVICE_URL, "kari", value={"step": "acute", "answer": "no"}),
    ]


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_teams_payload_serializes_as_msrests_parse_does(name: str) -> None:
    body = fixture(name)
    ours, theirs = parse_activity(fixture(name)), msrest(body)
    assert ours.serialize() == theirs.serialize()
    assert ours.as_dict() == theirs.as_dict()
    assert ours == theirs


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_teams_payload_gives_msrests_attribute_values_and_types(name: str) -> None:
    assert_same(parse_activity(fixture(name)), msrest(fixture(name)))


@pytest.mark.parametrize("body", bench_bodies(), ids=["text", "value"])
def test_the_benchmarks_activities_parse_as_msrest_parses_them(body: dict[str, Any]) -> None:
    ours, theirs = parse_activity(copy.deepcopy(body)), msrest(body)
    assert ours.serialize() == theirs.serialize()
    assert_same(ours, theirs)


@pytest.mark.parametrize("name", PAYLOADS)
def test_a_teams_payload_is_parsed_without_msrest(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Activity:
        raise AssertionError("msrest was asked")

    monkeypatch.setattr(Activity, "deserialize", refuse)
    assert isinstance(parse_activity(fixture(name)), Activity)


def test_from_is_read_into_from_property() -> None:
    parsed = parse_activity(fixture("01_message_personal.json"))
    assert isinstance(parsed.from_property, ChannelAccount)
    assert parsed.from_property.id == fixture("01_message_personal.json")["from"]["id"]


def test_keys_no_attribute_claims_go_to_additional_properties_of_their_model() -> None:
    body = {**fixture("02_message_channel_thread_reply_mention.json"), "surprise": {"x": 1}}
    parsed = parse_activity(body)
    assert parsed.additional_properties == {"surprise": {"x": 1}}
    # The schema's key is "tenantID"; Teams sends "tenantId", which msrest keeps aside too.
    assert isinstance(parsed.conversation, ConversationAccount)
    assert parsed.conversation.tenant_id is None
    assert "tenantId" in parsed.conversation.additional_properties
    assert_same(parsed, msrest(body))


def test_a_utc_timestamp_is_an_aware_datetime_cut_to_microseconds() -> None:
    parsed = parse_activity(fixture("02_message_channel_thread_reply_mention.json"))
    assert parsed.timestamp == datetime(2025, 10, 8, 17, 33, 1, 495374, tzinfo=Utc())
    assert isinstance(parsed.timestamp.tzinfo, Utc)


def test_a_local_timestamp_keeps_its_offset_and_its_name() -> None:
    parsed = parse_activity(fixture("02_message_channel_thread_reply_mention.json"))
    assert parsed.local_timestamp.utcoffset() == timedelta(hours=-7)
    assert parsed.local_timestamp.tzname() == "-07:00"


def test_object_fields_are_the_bodys_own_values() -> None:
    body = fixture("03_invoke_adaptivecard_action_execute_personal.json")
    parsed = parse_activity(body)
    assert parsed.value is body["value"]
    assert parsed.channel_data is body["channelData"]


@pytest.mark.parametrize("body", [None, [], "{}", 7], ids=repr)
def test_a_body_that_is_not_an_object_is_refused(body: Any) -> None:
    # msrest refuses these too, except None, for which it gives None: not an activity either.
    with pytest.raises(DeserializationError):
        parse_activity(body)


def nested(depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for _ in range(depth):
        tree = {"a": tree}
    return tree


def with_field(path: str, value: Any) -> dict[str, Any]:
    """The personal-chat message with one field (dotted path, list index as a number) replaced."""
    body = fixture("01_message_personal.json")
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return body


UNUSUAL = {
    # not an object where a model belongs
    "from is a list": with_field("from", [{"id": "29:x"}]),
    "conversation is a string": with_field("conversation", "a:1"),
    "recipient is a number": with_field("recipient", 7),
    "an entity is a list": with_field("entities", [["mention"]]),
    "an attachment is a string": with_field("attachments", ["text/html"]),
    "relatesTo is a list": with_field("relatesTo", []),
    "an empty model": with_field("recipient", {}),
    "null in a list of models": with_field("membersAdded", [None, {"id": "29:x"}]),
    # not a list where a list belongs
    "attachments is an object": with_field("attachments", {"contentType": "text/html"}),
    "membersAdded is a string": with_field("membersAdded", "29:x"),
    "listenFor is a string": with_field("listenFor", "ja"),
    "listenFor holds numbers": with_field("listenFor", [1, None, "ja"]),
    # wrong scalar types
    "a numeric id": with_field("id", 1485983408511),
    "a numeric from.id": with_field("from.id", 29),
    "an object as conversation.id": with_field("conversation.id", {"id": "a:1"}),
    "a boolean text": with_field("text", True),
    "a list as text": with_field("text", ["hei"]),
    "isGroup as a string": with_field("conversation", {"id": "a:1", "isGroup": "true"}),
    "isGroup as nonsense": with_field("conversation", {"id": "a:1", "isGroup": "maybe"}),
    "isGroup as a number": with_field("conversation", {"id": "a:1", "isGroup": 1}),
    "occurrence as a string": with_field("textHighlights", [{"text": "x", "occurrence": "2"}]),
    "occurrence as text": with_field("textHighlights", [{"text": "x", "occurrence": "two"}]),
    "occurrence as a boolean": with_field("textHighlights", [{"text": "x", "occurrence": True}]),
    "occurrence as a float": with_field("textHighlights", [{"text": "x", "occurrence": 2.5}]),
    "semantic entities as pairs": with_field(
        "semanticAction", {"id": "s", "entities": [{"key": "k", "value": {"type": "t"}}]}
    ),
    "semantic entities as an object": with_field(
        "semanticAction", {"id": "s", "entities": {"k": {"type": "t"}}}
    ),
    "semantic entities as a string": with_field("semanticAction", {"entities": "k"}),
    # timestamps
    "a timestamp in words": with_field("timestamp", "yesterday"),
    "a numeric timestamp": with_field("timestamp", 1485983408),
    "a timestamp that is an object": with_field("timestamp", {"at": "now"}),
    "the 30th of February": with_field("timestamp", "2017-02-30T21:10:07.437Z"),
    "hour 24": with_field("timestamp", "2017-02-01T24:10:07Z"),
    "a leap second": with_field("timestamp", "2016-12-31T23:59:60Z"),
    "an offset of a day": with_field("localTimestamp", "2017-02-01T14:10:07.437+24:00"),
    "an offset of 23:75": with_field("localTimestamp", "2017-02-01T14:10:07.437+23:75"),
    "an offset of -23:59": with_field("localTimestamp", "2017-02-01T14:10:07.437-23:59"),
    "an offset of -00:00": with_field("localTimestamp", "2017-02-01T14:10:07.437-00:00"),
    "year one, ahead of UTC": with_field("timestamp", "0001-01-01T00:10:07+01:00"),
    "year one in UTC": with_field("timestamp", "0001-01-01T00:10:07Z"),
    "year 9999, behind UTC": with_field("timestamp", "9999-12-31T23:10:07-01:00"),
    "year zero": with_field("timestamp", "0000-01-01T00:10:07Z"),
    "no time zone": with_field("timestamp", "2017-02-01T21:10:07.437"),
    "lower case": with_field("timestamp", "2017-02-01t21:10:07.437z"),
    "seven fraction digits, cut not rounded": with_field(
        "timestamp", "2017-02-01T21:10:07.1234567Z"
    ),
    "nine fraction digits": with_field("timestamp", "2017-02-01T21:10:07.123456789Z"),
    "no fraction": with_field("expiration", "2017-02-01T21:10:07+05:30"),
    "a comma fraction": with_field("timestamp", "2017-02-01T21:10:07,437Z"),
    "a basic offset": with_field("localTimestamp", "2017-02-01T14:10:07.437-0700"),
    "trailing text": with_field("timestamp", "2017-02-01T21:10:07.437Zjunk"),
    "Arabic-Indic digits": with_field("timestamp", "٢٠١٧-02-01T21:10:07.437Z"),
    "a date only": with_field("timestamp", "2017-02-01"),
    # object fields
    "value is a list": with_field("value", [1, {"a": [None, 2.5, True]}]),
    "value is a string": with_field("value", "tap"),
    "channelData is a number": with_field("channelData", 0),
    "value nested 60 deep": with_field("value", nested(60)),
    "value nested 200 deep": with_field("value", nested(200)),
    "value nested 5000 deep": with_field("value", nested(5000)),
    "an attachment's content nested 5000 deep": with_field("attachments.0.content", nested(5000)),
    "properties nested 5000 deep": with_field("from.properties", nested(5000)),
    # nulls
    "null everywhere it may be": with_field("conversation", {"id": "a:1", "isGroup": None}),
    "a null from": with_field("from", None),
}


@pytest.mark.parametrize("body", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_an_unusual_body_gets_msrests_answer(body: dict[str, Any]) -> None:
    ours, theirs = outcome(parse_activity, body), outcome(Activity.deserialize, body)
    if isinstance(theirs, BaseException):
        assert type(ours) is type(theirs), f"msrest refused ({theirs!r}), ours gave {ours!r}"
    else:
        assert not isinstance(ours, BaseException), f"msrest parsed it, ours raised {ours!r}"
        assert ours.serialize() == theirs.serialize()
        assert_same(ours, theirs)


def test_a_refused_timestamp_is_refused_with_msrests_error() -> None:
    with pytest.raises(DeserializationError):
        parse_activity(with_field("timestamp", "2017-02-30T21:10:07.437Z"))


def test_a_body_nested_too_deep_for_msrest_is_refused() -> None:
    # msrest's recursive copy of an object field runs out of stack; so must this, not accept it.
    with pytest.raises(RecursionError):
        parse_activity(with_field("value", nested(5000)))


def test_an_offset_datetime_cannot_hold_is_refused() -> None:
    with pytest.raises(DeserializationError):
        parse_activity(with_field("localTimestamp", "2017-02-01T14:10:07.437+24:00"))


def test_a_numeric_id_becomes_the_string_msrest_makes_of_it() -> None:
    assert parse_activity(with_field("id", 1485983408511)).id == "1485983408511"
