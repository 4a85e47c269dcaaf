"""bot/turns.py: a real Teams activity read into the Turn the dialogues see (the fixtures are
payloads Teams sent), and the places where Teams puts things somewhere else than expected."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext

from bot.transport import TeamsClients
from bot.turns import turn_of
from dialogs.turn import Mention
from domain.case import Reporter
from tests.support import fixture

ADAPTER = CloudAdapter(channel_service_client_factory=TeamsClients())


def turn_from(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return turn_of(TurnContext(ADAPTER, Activity.model_validate(body)))


def test_a_channel_reply_names_the_team_the_channel_the_person_and_the_mention() -> None:
    turn = turn_from(fixture("02_message_channel_thread_reply_mention.json"))

    assert not turn.is_personal
    assert turn.tenant_id == "50612dbb-0237-4969-b378-8d42590f9c00"
    assert turn.person == Reporter(
        "50612dbb-0237-4969-b378-8d42590f9c00", "b15a9416-0ad3-4172-9210-7beb711d3f70"
    )
    assert turn.team_id == "19:66P469zibfbsGI-_a0aN_toLTZpyzS6u7CT3TsXdgPw1@thread.tacv2"
    assert turn.channel_id == "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
    assert turn.conversation_id.endswith(";messageid=1759881511856")  # type: ignore[union-attr]
    assert turn.mentions == (
        Mention("28:0b6fe6d1-fece-44f7-9a48-56465e2d5ab8", "ridotest", "<at>ridotest</at>"),
    )
    assert turn.bot_id == "28:0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
    assert turn.lang == "en"


def test_a_personal_message_is_typed_text_in_personal_chat() -> None:
    turn = turn_from(fixture("01_message_personal.json"))

    assert turn.is_personal
    assert turn.text == "Hello Teams TestBot.Sending bold-italic rich text"
    assert turn.value is None and turn.card_data is None
    assert turn.team_id is None
    assert turn.person == Reporter(
        "72f988bf-86f1-41af-91ab-2d7cd011db47", "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"
    )


def test_the_tenant_comes_from_channel_data_before_the_conversation() -> None:
    body = fixture("01_message_personal.json")
    body["conversation"]["tenantId"] = "00000000-0000-0000-0000-000000000000"

    assert turn_from(body).tenant_id == "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_without_channel_data_the_conversations_tenant_is_used() -> None:
    body = fixture("01_message_personal.json")
    body.pop("channelData")
    body["conversation"]["tenantId"] = "00000000-0000-0000-0000-000000000000"

    assert turn_from(body).tenant_id == "00000000-0000-0000-0000-000000000000"


def test_a_locale_only_in_the_client_info_entity_sets_the_language() -> None:
    body = fixture("01_message_personal.json")
    body.pop("locale")
    body["entities"][0]["locale"] = "nn-NO"

    assert turn_from(body).lang == "nn"


def test_without_an_entra_id_there_is_no_person() -> None:
    body = fixture("01_message_personal.json")
    body["from"].pop("aadObjectId")

    assert turn_from(body).person is None


def test_an_action_execute_press_carries_its_value_but_is_not_one_of_our_cards() -> None:
    turn = turn_from(fixture("03_invoke_adaptivecard_action_execute_personal.json"))

    assert turn.value is not None and turn.value["action"]["data"] == {"feedback": "test invokes"}
    assert turn.card_data is None  # our cards' data carry the action key


def test_a_press_whose_value_is_no_object_is_still_a_press() -> None:
    body = fixture("01_message_personal.json")
    body["value"] = "not an object"

    assert turn_from(body).value == {}
