"""A new thread in a team's channel, from the reminder sweep's handlers (a gathering's
announcement, an experience, the team meeting's agenda): the same checks and the same answer
to Teams saying the bot was removed, in one place."""

from __future__ import annotations

from typing import Any

from domain.views import PostedMessage
from scheduler.reminders import Obsolete, Unreachable
from scheduler.sender import ChannelSender, SendRefused
from storage.channels import Channels


class ChannelNotKnownYet(Exception):
    """The bot has not yet been told where the team's channel is: tried again later."""


async def post_in_channel(
    channels: Channels, sender: ChannelSender, team_id: str, card: dict[str, Any]
) -> PostedMessage:
    """Start a thread with `card` in the team's channel. Raises Obsolete (the team is gone),
    Unreachable (the bot is not in the team), ChannelNotKnownYet, or SendRefused."""
    channel = await channels.channel_of(team_id)
    if channel is None:
        raise Obsolete("the team is gone")
    if channel.blocked:
        raise Unreachable("the bot is not in the team")
    if channel.address is None:
        raise ChannelNotKnownYet(team_id)
    try:
        return await sender.post_thread(channel.address, card)
    except SendRefused as refused:
        if refused.bot_removed:
            await channels.bot_removed(team_id)
        raise
