"""The half-year report file, the two ways Teams can hand it over.

1. File consent, the way bots send files in personal chat: the bot sends a FileConsentCard; when
   the person accepts, Teams invokes the bot (`fileConsent/invoke`) with an upload URL in their
   OneDrive; the bot PUTs the file there and shows it with a file info card.
2. A download link served here (GET /reports/download/{token}), for clients without file consent
   (the Agents Playground, a tenant with OneDrive restricted): the token is one DownloadToken row
   and an HMAC over who it is for, which report and until when; it works once, for minutes, and
   the person's access is checked again when it is used.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from microsoft_agents.activity import Attachment
from microsoft_agents.activity.teams import FileConsentCard, FileInfoCard, FileUploadInfo
from microsoft_agents.hosting.core import MessageFactory, TurnContext
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.turns import context_of, language_of, reporter_of
from cards.statistics_export import ReportFile
from cards.texts import CATALOGUES, Language, text
from dialogs.report_commands import ReportCommands, ReportFiles
from dialogs.turn import Turn
from domain.calendar import ReportingPeriod
from storage.crypto import FieldCipher
from storage.gate import AccessDenied, AccessGate, Where
from storage.statistics import FILE_FORMATS, LinkRefused, Statistics

log = logging.getLogger(__name__)

FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
DOWNLOAD_PATH = "/reports/download/{token}"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class TeamsReportFiles:
    """dialogs.report_commands.FileOffers for Teams, and the answer to the person's choice."""

    def __init__(self, files: ReportFiles) -> None:
        self._files = files

    async def offer(
        self, turn: Turn, file: ReportFile, description: str, accept: dict[str, Any]
    ) -> None:
        consent = FileConsentCard(
            description=description,
            size_in_bytes=len(file.content),
            accept_context=accept,
            decline_context=accept,
        )
        attachment = Attachment(
            content_type=FILE_CONSENT,
            name=file.name,
            content=consent.model_dump(by_alias=True, exclude_none=True, mode="json"),
        )
        await context_of(turn).send_activity(MessageFactory.attachment(attachment))

    async def on_accept(self, context: TurnContext, consent_context: Any, upload: Any) -> None:
        """The person accepted: `consent_context` is what the offer carried, `upload` where
        Teams lets the bot put the file (the invoke's uploadInfo)."""
        lang = language_of(context.activity)
        wanted = _accepted(consent_context)
        info = _upload_info(upload)
        person = reporter_of(context.activity)
        if (
            wanted is None
            or info is None
            or person is None
            or not _upload_allowed(info.upload_url or "")
        ):
            log.info("file consent with an unusable context or upload URL refused")
            await context.send_activity(text(lang, "stats.file_failed"))
            return
        team_id, period, file_format, file_lang = wanted
        where = Where(conversation_id=context.activity.conversation.id)
        try:
            file = await self._files.file_for(
                person, team_id, period, file_format, file_lang, where
            )
        except AccessDenied:
            await context.send_activity(text(lang, "stats.file_no_access"))
            return
        try:
            await _upload(info.upload_url, file.content)
        except (aiohttp.ClientError, TimeoutError, UploadRefused) as error:
            log.warning("report upload to OneDrive failed: %s", type(error).__name__)
            await context.send_activity(text(lang, "stats.file_failed"))
            return
        shown = Attachment(
            content_type=FILE_INFO,
            content_url=info.content_url,
            name=info.name or file.name,
            content=FileInfoCard(
                unique_id=info.unique_id, file_type=info.file_type, etag=None
            ).model_dump(by_alias=True, exclude_none=True, mode="json"),
        )
        await context.send_activity(MessageFactory.attachment(shown))

    async def on_decline(self, context: TurnContext) -> None:
        await context.send_activity(text(language_of(context.activity), "stats.file_declined"))


def _upload_info(upload: Any) -> FileUploadInfo | None:
    try:
        return FileUploadInfo.model_validate(upload) if isinstance(upload, dict) else None
    except ValidationError:
        return None


class UploadRefused(Exception):
    pass


def _accepted(context: Any) -> tuple[str, ReportingPeriod, str, Language] | None:
    """The accept context as the bot wrote it; the person's access is checked again anyway."""
    if not isinstance(context, dict):
        return None
    team_id, label = context.get("team"), context.get("period")
    file_format, lang = context.get("format", "xlsx"), context.get("lang", "nb")
    if not isinstance(team_id, str) or not isinstance(label, str):
        return None
    try:
        period = ReportingPeriod.parse(label)
    except ValueError:
        return None
    if file_format not in FILE_FORMATS or lang not in CATALOGUES:
        return None
    return team_id, period, str(file_format), str(lang)


def _upload_allowed(url: str) -> bool:
    """OneDrive's upload session is https; plain http only to this machine (tests, local)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)


async def _upload(url: str, content: bytes) -> None:
    """One PUT of the whole file to the upload session Teams opened in the person's OneDrive."""
    headers = {
        "Content-Length": str(len(content)),
        "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}",
    }
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, trust_env=True) as http:
        async with http.put(url, data=content, headers=headers) as response:
            if response.status not in (200, 201):
                raise UploadRefused(str(response.status))


# --- the download link ------------------------------------------------------------------------

_REFUSALS = {
    "unknown": (404, "stats.link.invalid"),
    "altered": (404, "stats.link.invalid"),
    "used": (410, "stats.link.used"),
    "expired": (410, "stats.link.expired"),
}


def add_download_route(app: web.Application, statistics: Statistics, files: ReportFiles) -> None:
    async def download(request: web.Request) -> web.StreamResponse:
        lang = request.query.get("lang", "nb")
        if lang not in CATALOGUES:
            lang = "nb"
        try:
            grant = await statistics.redeem_link(request.match_info["token"])
        except LinkRefused as refused:
            # The token itself is never logged: it is a credential until it is used.
            log.info("download link refused: %s", refused.reason)
            status, key = _REFUSALS[refused.reason]
            return _page(status, lang, text(lang, key))
        try:
            file = await files.file_for(
                grant.person, grant.team_id, grant.period, grant.file_format, lang, Where()
            )
        except AccessDenied:
            return _page(403, lang, text(lang, "stats.link.no_access"))
        return web.Response(
            body=file.content,
            headers={
                "Content-Type": file.media_type,
                "Content-Disposition": f'attachment; filename="{file.name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    app.router.add_get(DOWNLOAD_PATH, download)


def _page(status: int, lang: Language, message: str) -> web.Response:
    body = (
        f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
        f"<title>TryggEst</title><p>{html.escape(message)}</p></html>"
    )
    return web.Response(
        status=status,
        text=body,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


# --- composition (bot/app.py) -----------------------------------------------------------------


@dataclass(frozen=True)
class ReportServices:
    statistics: Statistics
    commands: ReportCommands
    teams_files: TeamsReportFiles
    files: ReportFiles


def build_report_services(
    sessions: async_sessionmaker[Any],
    gate: AccessGate,
    cipher: FieldCipher,
    now: Callable[[], datetime],
    threshold: int,
    public_domain: str,
    port: int,
) -> ReportServices:
    statistics = Statistics(sessions, gate, cipher, now, threshold)
    files = ReportFiles(statistics, gate)
    teams_files = TeamsReportFiles(files)
    # Where a person's browser reaches the bot: its public host, or this machine in local mode.
    base = f"https://{public_domain}" if public_domain else f"http://localhost:{port}"
    commands = ReportCommands(statistics, gate, teams_files, base, now)
    return ReportServices(statistics, commands, teams_files, files)
