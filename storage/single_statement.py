"""An engine for work done in one statement (who a person is, the municipalities of a tenant,
where a person's chat is), asked on the first turn of a report and on many others.

On PostgreSQL it runs in autocommit: one statement is a transaction of its own, so the BEGIN
before it and the ROLLBACK or COMMIT after it, two round trips each time, are not needed
(issue #9). SQLite's driver begins no transaction for a read and switching it costs a call into
its thread each way, so SQLite keeps the engine as it is.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine


def single_statement(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for connections that each run one statement (and, to write, `begin()`)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine
