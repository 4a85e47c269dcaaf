"""The conversation's dialogue state for one turn, kept in the SDK's per-turn dict: loaded once —
with the activity's claim by ExactlyOnce (bot/middleware.py) for a message or an invoke, plainly
by the handler otherwise — handed to the dialogues as Turn.state, saved when the turn ends
(bot/handler.py's on_turn)."""

from __future__ import annotations

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext

from storage.state_store import ConversationStates, LoadedState, conversation_key

# Where the turn's LoadedState is kept in TurnContext.turn_state.
LOADED_STATE = "tryggest.conversation_state"


def state_key_of(activity: Activity) -> str:
    """The conversation's state key (ValueError without a channel or conversation id)."""
    conversation = activity.conversation
    return conversation_key(activity.channel_id or "", conversation.id if conversation else "")


def loaded_state(context: TurnContext) -> LoadedState | None:
    """The state loaded in this turn, if it has been."""
    loaded = context.turn_state.get(LOADED_STATE)
    return loaded if isinstance(loaded, LoadedState) else None


async def claim_and_load_state(
    states: ConversationStates, context: TurnContext, activity_key: str
) -> bool:
    """Take the turn's activity and load the state with it; False when it was taken already."""
    loaded = await states.claim_and_load(state_key_of(context.activity), activity_key)
    if loaded is None:
        return False
    context.turn_state[LOADED_STATE] = loaded
    return True


async def load_state(states: ConversationStates, context: TurnContext) -> LoadedState:
    """The state of this turn: loaded already (with the claim), or now."""
    loaded = loaded_state(context)
    if loaded is None:
        loaded = await states.load(state_key_of(context.activity))
        context.turn_state[LOADED_STATE] = loaded
    return loaded
