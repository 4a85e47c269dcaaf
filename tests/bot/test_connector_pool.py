"""bot/connector_pool.py's shortcut for cards: the same JSON msrest would have produced."""

from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.core import CardFactory, MessageFactory
from botframework.connector import models
from msrest import Serializer

from bot.connector_pool import _fast_objects, is_plain_json
from cards.catalogue import sample_cards


def serializers() -> tuple[Serializer, Serializer]:
    client_models = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    fast = Serializer(client_models)
    _fast_objects(fast)
    return Serializer(client_models), fast


def test_every_card_serializes_exactly_as_msrest_would():
    stock, fast = serializers()
    for name, card in sample_cards().items():
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        assert fast.body(activity, "Activity") == stock.body(activity, "Activity"), name


def test_what_is_not_plain_json_still_goes_msrests_way():
    stock, fast = serializers()
    value = {"when": datetime(2026, 11, 28, 12, 0, tzinfo=UTC), "n": [1, 2]}

    assert not is_plain_json(value)
    assert fast.serialize_type["object"](value) == stock.serialize_object(value)


def test_plain_json_is_recognised_and_other_values_are_not():
    assert is_plain_json({"a": [1, 2.5, "x", None, True, {"b": []}]})
    assert not is_plain_json({1: "a key that is not a string"})
    assert not is_plain_json({"a": (1, 2)})
