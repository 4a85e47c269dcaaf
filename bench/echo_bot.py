"""A stock Bot Framework echo bot (botbuilder 4.17, CloudAdapter, no state, no middleware): the
yardstick bench/turns.py measures TryggEst against on the same machine in the same run.

Run by bench/turns.py as `python bench/echo_bot.py PORT`; local mode (no app id), like ours.
`python bench/echo_bot.py PORT --pooled` is the same echo bot on our transport
(bot/connector_pool.py: kept clients, one pooled aiohttp session, replies as one JSON request):
what the SDK's own turn costs once its transport's waste is gone, the floor under any bot.
"""

from __future__ import annotations

import sys

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class _Config:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"Echo: {turn_context.activity.text}")


def main() -> None:
    port = int(sys.argv[1])
    if "--pooled" in sys.argv:
        from bot.connector_pool import ConnectionPool, PooledBotFrameworkAuthentication

        pool = ConnectionPool()
        adapter = CloudAdapter(PooledBotFrameworkAuthentication(_Config(), pool))
    else:
        pool = None
        adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_Config()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        response = await adapter.process(request, bot)
        return response or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    if pool is not None:
        # Closed with the app, as the bot closes it: no "Unclosed client session" at exit.
        async def close_pool(_app: web.Application) -> None:
            await pool.close()

        app.on_cleanup.append(close_pool)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
