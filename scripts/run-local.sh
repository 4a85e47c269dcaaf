#!/usr/bin/env bash
# `make run`: the bot in local mode and the Agents Playground to chat with it in a browser.
# Ctrl-C stops both.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${PORT:-3978}"
export PORT
# The Playground always sends locale en-US; show what a Norwegian user sees. Set
# TRYGGEST_FORCE_LOCALE=en-US (or nn-NO) before `make run` to see another language.
export TRYGGEST_FORCE_LOCALE="${TRYGGEST_FORCE_LOCALE:-nb-NO}"
BOT_LOG="${BOT_LOG:-${TMPDIR:-/tmp}/tryggest-bot.log}"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "Port $PORT is already in use: stop what runs there, or start with PORT=<another> make run." >&2
  exit 1
fi

.venv/bin/tryggest serve >"$BOT_LOG" 2>&1 &
BOT_PID=$!
# Ctrl-C reaches the bot too; `|| true` so an already stopped bot does not fail the exit.
trap 'kill "$BOT_PID" 2>/dev/null || true; wait "$BOT_PID" 2>/dev/null || true; echo "Bot stopped."' EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$BOT_PID" 2>/dev/null; then
    echo "The bot did not start:" >&2
    tail -n 30 "$BOT_LOG" >&2
    exit 1
  fi
  sleep 0.2
done
echo "TryggEst bot: http://127.0.0.1:$PORT/api/messages (local mode; log: $BOT_LOG)"

BOT_ENDPOINT="http://127.0.0.1:$PORT/api/messages" bash scripts/playground.sh
