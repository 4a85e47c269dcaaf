"""`tryggest rotate-key`: every personal value re-encrypted with the first data key, in batches,
and a second run changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from sqlalchemy import select

from storage.cases import CaseRepository, personal_context
from storage.crypto import DecryptionError, FieldCipher, key_id_of, parse_keys
from storage.data_keys import KeyCheckFailed, verify_data_keys
from storage.gate import AccessGate
from storage.models import Case, DialogState
from storage.rotation import count_values, rotate_keys
from storage.state_store import SqlStorage, StoredState, state_context
from tests.conftest import add_municipality
from tests.storage.case_support import PERSONAL
from tests.storage.case_support import report as send_report
from tools.cli import main

K1 = "k1:" + base64.urlsafe_b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.urlsafe_b64encode(b"2" * 32).decode()
STATE = {"report": {"draft": {"answers": {"person_name": "Kari Nordmann"}}}}


async def write_with(sessions: Any, keys: str, cases: int = 3, states: int = 2) -> None:
    cipher = FieldCipher(parse_keys(keys))
    gate = AccessGate(sessions)
    repository = CaseRepository(sessions, cipher, gate)
    moss, _ = await add_municipality(sessions, "Moss")
    for n in range(cases):
        await send_report(repository, gate, moss, f"draft-{n}")
    storage = SqlStorage(sessions, cipher)
    await storage.write({f"conversation/{n}": StoredState(dict(STATE)) for n in range(states)})


async def stored(sessions: Any) -> tuple[list[Case], list[DialogState]]:
    async with sessions() as session:
        cases = list((await session.execute(select(Case).order_by(Case.id))).scalars())
        states = list((await session.execute(select(DialogState))).scalars())
    return cases, states


async def test_after_rotation_every_value_decrypts_with_the_new_key_alone(sessions):
    await write_with(sessions, K1)
    before_cases, before_states = await stored(sessions)

    report = await rotate_keys(sessions, FieldCipher(parse_keys(f"{K2},{K1}")), batch_size=2)

    assert (report.key_id, report.cases.rotated, report.dialog_state.rotated) == ("k2", 3, 2)
    assert report.complete
    only_k2 = FieldCipher(parse_keys(K2))
    cases, states = await stored(sessions)
    for case in cases:
        assert key_id_of(case.personal) == "k2"
        assert only_k2.decrypt(case.personal, personal_context(case.id)) == PERSONAL
    keys = [f"conversation/{n}" for n in range(2)]
    read = await SqlStorage(sessions, only_k2).read(keys)
    assert [read[k].value for k in keys] == [STATE] * 2
    # A new key is no change to a case or a draft: the clocks that retention and the draft
    # clean-up go by are left alone, and so are the etags a running dialogue holds.
    assert [c.updated_at for c in cases] == [c.updated_at for c in before_cases]
    by_key = {s.key: s for s in before_states}
    assert all(
        (s.etag, s.updated_at) == (by_key[s.key].etag, by_key[s.key].updated_at) for s in states
    )


async def test_the_old_key_alone_no_longer_reads_anything(sessions):
    await write_with(sessions, K1, cases=1, states=1)
    await rotate_keys(sessions, FieldCipher(parse_keys(f"{K2},{K1}")))

    cases, _ = await stored(sessions)
    with pytest.raises(DecryptionError):
        FieldCipher(parse_keys(K1)).decrypt(cases[0].personal, personal_context(cases[0].id))


async def test_a_second_rotation_changes_nothing(sessions):
    await write_with(sessions, K1)
    cipher = FieldCipher(parse_keys(f"{K2},{K1}"))
    await rotate_keys(sessions, cipher)
    first_cases, first_states = await stored(sessions)

    again = await rotate_keys(sessions, cipher, batch_size=1)

    assert (again.cases.rotated, again.cases.already_current) == (0, 3)
    assert (again.dialog_state.rotated, again.dialog_state.already_current) == (0, 2)
    cases, states = await stored(sessions)
    assert [c.personal for c in cases] == [c.personal for c in first_cases]
    assert sorted(s.data for s in states) == sorted(s.data for s in first_states)


async def test_keys_that_do_not_list_a_stored_key_id_rotate_nothing(sessions):
    await write_with(sessions, K1, cases=2, states=1)
    k3 = "k3:" + base64.urlsafe_b64encode(b"3" * 32).decode()
    before, _ = await stored(sessions)

    with pytest.raises(KeyCheckFailed) as refused:
        await rotate_keys(sessions, FieldCipher(parse_keys(f"{k3},{K2}")))

    assert refused.value.needed == ("k1",)
    cases, _ = await stored(sessions)
    assert [c.personal for c in cases] == [c.personal for c in before]


async def test_counting_with_keys_that_miss_one_finds_every_value_they_cannot_read(sessions):
    await write_with(sessions, K1, cases=2, states=1)
    k3 = "k3:" + base64.urlsafe_b64encode(b"3" * 32).decode()

    report = await count_values(sessions, FieldCipher(parse_keys(f"{k3},{K2}")))

    assert (report.cases.unreadable, report.dialog_state.unreadable) == (2, 1)
    assert not report.complete
    cases, _ = await stored(sessions)
    assert {key_id_of(c.personal) for c in cases} == {"k1"}


async def test_a_value_under_the_current_id_but_another_key_is_counted_unreadable(sessions):
    """The trap of two keys called k1: a value is counted as under the current key only once
    it has been read with it, never by its id alone."""
    other_k2 = "k2:" + base64.urlsafe_b64encode(b"9" * 32).decode()
    await write_with(sessions, other_k2, cases=2, states=0)

    report = await count_values(sessions, FieldCipher(parse_keys(K2)))

    assert (report.cases.unreadable, report.cases.already_current) == (2, 0)


async def test_after_a_complete_rotation_a_second_run_reads_every_value_under_the_first_key(
    sessions,
):
    await write_with(sessions, K1, cases=3, states=2)
    await verify_data_keys(sessions, FieldCipher(parse_keys(K1)))

    first = await rotate_keys(sessions, FieldCipher(parse_keys(f"{K2},{K1}")))
    again = await rotate_keys(sessions, FieldCipher(parse_keys(K2)))

    assert first.still_under == ()
    assert again.all_current and again.complete
    assert (again.cases.already_current, again.dialog_state.already_current) == (3, 2)


async def test_the_rotate_key_command_prints_counts_and_no_personal_data(
    sessions, database_url, monkeypatch, tmp_path, capsys
):
    await write_with(sessions, K1, cases=2, states=1)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TRYGGEST_DATA_KEYS", f"{K2},{K1}")
    monkeypatch.delenv("MicrosoftAppId", raising=False)

    code = await asyncio.to_thread(main, ["rotate-key", "--batch-size", "1"])

    out = capsys.readouterr().out
    assert code == 0
    assert "cases: 2 re-encrypted with key k2" in out
    assert "dialogue state: 1 re-encrypted with key k2" in out
    assert "Kari" not in out and "Nordmann" not in out
    cases, states = await stored(sessions)
    only_k2 = FieldCipher(parse_keys(K2))
    for case in cases:
        only_k2.decrypt(case.personal, personal_context(case.id))
    for state in states:
        only_k2.decrypt(state.data, state_context(state.key))


async def test_notes_and_approved_channel_texts_are_rotated_too(sessions):
    """What the team wrote in a case's chronology and the text it shared in the channel are
    encrypted like the rest: after rotation they read with the new key alone."""
    from domain.access import Person
    from domain.casework import AddNote, ShareText
    from storage.cases import shared_text_context
    from storage.casework import CaseWork, event_secret_context
    from storage.gate import Where
    from storage.models import CaseEvent, Membership, Team
    from tests.support import TENANT

    await write_with(sessions, K1, cases=1, states=0)
    old = FieldCipher(parse_keys(K1))
    gate = AccessGate(sessions)
    [case], _ = await stored(sessions)
    async with sessions() as session, session.begin():
        team_id = (await session.execute(select(Team.id))).scalar_one()
        session.add(
            Membership(team_id=team_id, tenant_id=TENANT, aad_object_id="c", role="coordinator")
        )
    principal = await gate.principal(Person(TENANT, "c"))
    work = CaseWork(sessions, old, gate)
    await work.apply(principal, case.id, AddNote("Ringte Kari i dag."), Where())
    await work.apply(principal, case.id, ShareText("[navn] har blåmerker."), Where())

    report = await rotate_keys(sessions, FieldCipher(parse_keys(f"{K2},{K1}")))

    assert (report.shared_texts.rotated, report.chronology.rotated) == (1, 2)
    only_k2 = FieldCipher(parse_keys(K2))
    [case], _ = await stored(sessions)
    assert (
        only_k2.decrypt(case.shared_text, shared_text_context(case.id)) == "[navn] har blåmerker."
    )
    async with sessions() as session:
        events = (
            (await session.execute(select(CaseEvent).where(CaseEvent.secret.is_not(None))))
            .scalars()
            .all()
        )
    texts = {only_k2.decrypt(e.secret, event_secret_context(e.id)) for e in events}
    assert texts == {"Ringte Kari i dag.", "[navn] har blåmerker."}
