"""The Microsoft 365 Agents SDK's echo bot, measured by bench/turns.py beside botbuilder's.

    python bench/agents_echo_bot.py PORT           # stock: AgentApplication, as the SDK's samples
    python bench/agents_echo_bot.py PORT --lean    # the SDK's public extension points only

Stock is the SDK's quickstart: AgentApplication with memory storage, CloudAdapter with the
default client factory (a new connector client, and so a new HTTP session, every turn). Lean is
what a bot built for speed can do without touching a private name: a plain `Agent`, and the
bot's own client factory (bot/transport.py, a `ChannelServiceClientFactoryBase` that keeps one
connector client per service URL).
Both run anonymous (local) mode, like the other bots there: no token on the way in or out.
"""

from __future__ import annotations

import sys

from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_middleware,
    start_agent_process,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    MemoryStorage,
    TurnContext,
    TurnState,
)

from bot.transport import TeamsClients

# Local mode: one connection that allows anonymous requests.
LOCAL = AgentAuthConfiguration(anonymous_allowed=True)
CONNECTIONS = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": LOCAL})


async def echo(context: TurnContext, _state: TurnState | None = None) -> None:
    await context.send_activity(f"Echo: {context.activity.text}")


class EchoAgent:
    async def on_turn(self, context: TurnContext) -> None:
        if context.activity.type == "message":
            await echo(context)


def main() -> None:
    port = int(sys.argv[1])
    app = web.Application(middlewares=[jwt_authorization_middleware])
    app["agent_configuration"] = LOCAL
    if "--lean" in sys.argv:
        clients = TeamsClients()
        adapter = CloudAdapter(channel_service_client_factory=clients)
        agent = EchoAgent()

        async def messages(request: web.Request) -> web.Response:
            response = await adapter.process(request, agent)
            return response or web.Response(status=201)

        async def close_clients(_app: web.Application) -> None:
            await clients.close()

        app.on_cleanup.append(close_clients)
    else:
        adapter = CloudAdapter(connection_manager=CONNECTIONS)
        application = AgentApplication[TurnState](
            storage=MemoryStorage(), connection_manager=CONNECTIONS
        )
        application.activity("message")(echo)

        async def messages(request: web.Request) -> web.Response:
            response = await start_agent_process(request, application, adapter)
            return response or web.Response(status=201)

    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
