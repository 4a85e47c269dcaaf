"""Keyed hashes of the names in a team's cases, for the channel guard.

When a case is created with a name, the name's keys (domain.guard: "full:kari hansen",
"alone:hansen") are stored as HMAC-SHA256 digests, each bound to the case's team; the name
itself is never stored here, and nothing here decrypts a case. A message is checked by hashing
its own keys the same way and looking the digests up among the team's rows.

The HMAC key is derived (HKDF) from the data keys. New rows use the current key; a message is
hashed with every listed key, so a key rotation does not blind the guard to older cases for as
long as the old key stays listed. To drop an old key for good, record each case's name again
with the current key first (`record` replaces a case's rows). A case whose personal data has
been erased is never matched; `record(session, case_id, None, None)` removes its rows.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.guard import MessageWord, message_keys, name_keys, name_words
from storage.crypto import FieldCipher
from storage.models import Case, CaseNameDigest

# HKDF's info: the same data key gives an unrelated key for each use.
PURPOSE = "tryggest/case-name-digest/v1"
# Digests per query: well under every database's limit on bound parameters.
_CHUNK = 500
# Built once: a statement's construction costs more than the small write itself (issue #9).
_DELETE = delete(CaseNameDigest).where(CaseNameDigest.case_id == bindparam("case_id"))
_INSERT = insert(cast(Table, CaseNameDigest.__table__))


class NameDigests:
    def __init__(self, sessions: async_sessionmaker[Any], cipher: FieldCipher) -> None:
        self._sessions = sessions
        self._keys = cipher.derived_keys(PURPOSE)  # the current key's first

    async def record(
        self, session: AsyncSession, case_id: str, team_id: str | None, name: str | None
    ) -> None:
        """Store the digests of a case's name in the caller's transaction, replacing any the
        case had. A case without a name or without a team gets none: no channel can name it."""
        await session.execute(_DELETE, {"case_id": case_id})
        await self.add(session, case_id, team_id, name)

    async def add(
        self, session: AsyncSession, case_id: str, team_id: str | None, name: str | None
    ) -> None:
        """`record` for a case that has no digests yet (one created in this transaction)."""
        if not isinstance(name, str) or not name.strip() or team_id is None:
            return
        digests = {_digest(self._keys[0], team_id, key) for key in name_keys(name_words(name))}
        if digests:
            await session.execute(
                _INSERT,
                [{"case_id": case_id, "digest": d, "team_id": team_id} for d in sorted(digests)],
            )

    async def matching_cases(
        self, team_ids: Iterable[str], message: Sequence[MessageWord]
    ) -> set[str]:
        """The ids of the teams' cases whose person the message names (domain.guard's rules,
        applied to the digests)."""
        keys = message_keys(message)
        wanted = [
            (team_id, _digest(secret, team_id, key))
            for team_id in sorted(set(team_ids))
            for secret in self._keys
            for key in keys
        ]
        found: set[str] = set()
        if not wanted:
            return found
        async with self._sessions() as session:
            for team_id in sorted({team for team, _ in wanted}):
                digests = sorted({digest for team, digest in wanted if team == team_id})
                for start in range(0, len(digests), _CHUNK):
                    rows = await session.execute(
                        select(CaseNameDigest.case_id)
                        .join(Case, Case.id == CaseNameDigest.case_id)
                        .where(
                            CaseNameDigest.team_id == team_id,
                            CaseNameDigest.digest.in_(digests[start : start + _CHUNK]),
                            # A case whose personal data is erased names nobody any more.
                            Case.personal_erased_at.is_(None),
                        )
                        .distinct()
                    )
                    found.update(rows.scalars())
        return found


def _digest(secret: bytes, team_id: str, key: str) -> str:
    # Bound to the team: the same name in two teams' cases gives unrelated digests.
    message = f"{team_id}\x1f{key}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
