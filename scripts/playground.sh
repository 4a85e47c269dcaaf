#!/usr/bin/env bash
# Start the Microsoft 365 Agents Playground (offline Teams emulator) against the
# TryggEst bot, in the foreground.  Ctrl-C / SIGTERM stops it.
#
#   scripts/playground.sh        (after `npm install`; `make run` installs it)
#
# Environment:
#   BOT_ENDPOINT        bot messaging endpoint   (default http://127.0.0.1:3978/api/messages)
#   PLAYGROUND_PORT     preferred port            (default 56150; if taken the Playground
#                                                  silently picks a free one - the real
#                                                  address is printed below)
#   PLAYGROUND_CHANNEL  msteams|webchat|directline|emulator (default msteams)
#   PLAYGROUND_LOG      Playground's own log file (default ${TMPDIR:-/tmp}/tryggest-playground.log;
#                       the Playground truncates it at every start)
#   PLAYGROUND_VERBOSE  1 = stream the Playground's log to this terminal
#   PLAYGROUND_CONFIG   mock-tenant file          (default <repo>/.m365agentsplayground.yml)
#   TZ                  time zone used for activity.localTimezone/localTimestamp
#                       (default Europe/Oslo; activity.locale is always en-US)
#
# The mock tenant/users/team come from .m365agentsplayground.yml at the repo
# root; it is read only at start, so restart after editing it.
# The Playground listens on ALL interfaces (no bind option exists).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/node_modules/.bin/agentsplayground"
CONFIG="${PLAYGROUND_CONFIG:-$ROOT/.m365agentsplayground.yml}"

BOT_ENDPOINT="${BOT_ENDPOINT:-http://127.0.0.1:3978/api/messages}"
PLAYGROUND_PORT="${PLAYGROUND_PORT:-56150}"
PLAYGROUND_CHANNEL="${PLAYGROUND_CHANNEL:-msteams}"
PLAYGROUND_VERBOSE="${PLAYGROUND_VERBOSE:-0}"
STARTUP_TIMEOUT="${PLAYGROUND_STARTUP_TIMEOUT:-30}"

if [[ ! -x "$BIN" ]]; then
    echo "playground: $BIN not found - run 'npm install' (or 'make run') in $ROOT first" >&2
    exit 1
fi
if [[ ! -f "$CONFIG" ]]; then
    echo "playground: $CONFIG is missing" >&2
    exit 1
fi

RUNDIR="$(mktemp -d "${TMPDIR:-/tmp}/tryggest-playground.XXXXXX")"
PLAYGROUND_LOG="${PLAYGROUND_LOG:-${TMPDIR:-/tmp}/tryggest-playground.log}"
STDOUT_FILE="$RUNDIR/stdout"

# --- keep it offline and quiet ----------------------------------------------
# Don't try to open a desktop browser.
export TEAMSAPPTESTER_BROWSER=none
# Explicit config path (otherwise it uses ./.m365agentsplayground.yml of the CWD,
# falling back to a built-in English demo tenant).
export M365_AGENTS_PLAYGROUND_CONFIG_PATH="$CONFIG"
# Its log otherwise goes to ./devTools/m365agentsplayground.log (inside the repo).
export M365_AGENTS_PLAYGROUND_LOGFILE="$PLAYGROUND_LOG"
export M365_AGENTS_PLAYGROUND_RECORDING_FILE="$RUNDIR/events_recording.log"
# Telemetry: --disable-telemetry only gates trackEvent; the Application Insights
# client is still created and exceptions are still tracked, so switch the SDK off too.
export APPLICATIONINSIGHTS_CONFIGURATION_CONTENT='{"disableAppInsights":true,"disableStatsbeat":true}'
export APPLICATION_INSIGHTS_NO_STATSBEAT=1
export TZ="${TZ:-Europe/Oslo}"
# A conversation id / service url from the caller's environment would override ours.
unset M365_AGENTS_PLAYGROUND_SERVICE_URL M365_AGENTS_PLAYGROUND_CONVERSATION_ID TEAMSAPPTESTER_PORT

PG_PID=""
TAIL_PID=""
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    trap - INT TERM EXIT
    if [[ -n "$TAIL_PID" ]]; then kill "$TAIL_PID" 2>/dev/null || true; fi
    if [[ -n "$PG_PID" ]] && kill -0 "$PG_PID" 2>/dev/null; then
        # SIGINT is its graceful path (flush telemetry, exit 0); escalate if needed.
        kill -INT "$PG_PID" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$PG_PID" 2>/dev/null; then kill -TERM "$PG_PID" 2>/dev/null || true; sleep 1; fi
        if kill -0 "$PG_PID" 2>/dev/null; then kill -KILL "$PG_PID" 2>/dev/null || true; fi
        wait "$PG_PID" 2>/dev/null || true
        echo "Agents Playground stopped." >&2
    fi
    rm -rf "$RUNDIR"
    exit "$rc"
}
trap 'exit 130' INT
trap 'exit 143' TERM
trap cleanup EXIT

cd "$RUNDIR"   # anything else it writes relative to the CWD stays out of the repo

# stdout is a file (not a TTY), so the Playground prints exactly one line there,
# "Listening on <port>", and everything else goes only to $PLAYGROUND_LOG.
"$BIN" start \
    --app-endpoint "$BOT_ENDPOINT" \
    --channel-id "$PLAYGROUND_CHANNEL" \
    --port "$PLAYGROUND_PORT" \
    --disable-telemetry \
    >"$STDOUT_FILE" 2>&1 </dev/null &
PG_PID=$!

listening_port() {
    # 1) its own stdout line
    local p
    p="$(sed -n 's/^Listening on \([0-9][0-9]*\)$/\1/p' "$STDOUT_FILE" 2>/dev/null | head -n1)"
    if [[ -n "$p" ]]; then echo "$p"; return 0; fi
    # 2) the socket table, filtered on our pid
    if command -v ss >/dev/null 2>&1; then
        p="$(ss -Hltnp 2>/dev/null | awk -v pid="pid=$PG_PID," 'index($0, pid) { n = split($4, a, ":"); print a[n]; exit }')"
        if [[ -n "$p" ]]; then echo "$p"; return 0; fi
    fi
    return 1
}

PORT=""
deadline=$((SECONDS + STARTUP_TIMEOUT))
while [[ -z "$PORT" ]]; do
    if ! kill -0 "$PG_PID" 2>/dev/null; then
        echo "playground: the Agents Playground exited during start-up:" >&2
        cat "$STDOUT_FILE" >&2 2>/dev/null || true
        tail -n 40 "$PLAYGROUND_LOG" >&2 2>/dev/null || true
        wait "$PG_PID" 2>/dev/null || true
        PG_PID=""
        exit 1
    fi
    if (( SECONDS >= deadline )); then
        echo "playground: no listening port after ${STARTUP_TIMEOUT}s; log: $PLAYGROUND_LOG" >&2
        tail -n 40 "$PLAYGROUND_LOG" >&2 2>/dev/null || true
        exit 1
    fi
    PORT="$(listening_port || true)"
    [[ -n "$PORT" ]] || sleep 0.2
done

# The server validates the config a moment after it starts listening; a bad
# .m365agentsplayground.yml makes it log an error and exit(1) here.
sleep 1
if ! kill -0 "$PG_PID" 2>/dev/null; then
    echo "playground: the Agents Playground exited right after start-up (bad $CONFIG?):" >&2
    tail -n 40 "$PLAYGROUND_LOG" >&2 2>/dev/null || true
    wait "$PG_PID" 2>/dev/null || true
    PG_PID=""
    exit 1
fi

if [[ "$PORT" != "$PLAYGROUND_PORT" ]]; then
    echo "playground: port $PLAYGROUND_PORT was taken, the Playground picked $PORT instead" >&2
fi
echo "Agents Playground: http://localhost:$PORT"
echo "  bot endpoint : $BOT_ENDPOINT (channel $PLAYGROUND_CHANNEL)"
echo "  config       : $CONFIG"
echo "  log          : $PLAYGROUND_LOG"
echo "  pid          : $PG_PID   (Ctrl-C to stop)"

if [[ "$PLAYGROUND_VERBOSE" == "1" ]]; then
    tail -n +1 -F "$PLAYGROUND_LOG" 2>/dev/null &
    TAIL_PID=$!
fi

set +e
wait "$PG_PID"
rc=$?
set -e
PG_PID=""
if (( rc == 0 )); then
    echo "Agents Playground stopped." >&2
else
    echo "playground: the Agents Playground exited with status $rc; log: $PLAYGROUND_LOG" >&2
fi
exit "$rc"
