// An anonymous consultation (no consent) in the Agents Playground's personal chat: the bot never
// asks for a name, birth date or address; "tilbake" (typed) and the "Tilbake" button each go one
// question back with the earlier answer kept; "Send" gives one case, for the outbox to post.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEMO_MUNICIPALITY, DEMO_TEAM, INGRID, PLAYGROUND_TENANT, TEST_TIMEOUT, withStack, FIRST_CASE, RECORDED } from './helpers.mjs';

const WHAT_HAPPENED = 'Han virker redd og sier at noen låser ham inne om kvelden. Sist skjedd mandag.';

test('an anonymous consultation with "tilbake" becomes a case without identifiers', { timeout: TEST_TIMEOUT }, () =>
  withStack('anonymous', async (stack) => {
    const chat = stack.chat;

    await chat.say('meld bekymring', { expect: ['Spørsmål 1', 'Er noen i akutt fare akkurat nå?'] });
    await chat.say('nei', { expect: 'Har personen samtykket til at du melder fra med navn?', answered: 'Nei' });
    await chat.press('Ikke samtykke – anonym drøfting', {
      expect: ['Da drøfter vi saken anonymt', 'Omtrent hvor gammel er personen?'],
      answered: 'Ikke samtykke – anonym drøfting',
    });
    await chat.choose('80 år eller eldre');
    await chat.press('Neste', { expect: 'Hvilket kjønn har personen?', answered: '80 år eller eldre' });

    // Typed "tilbake": the age question again, with the earlier answer still chosen.
    await chat.say('tilbake', { expect: 'Omtrent hvor gammel er personen?' });
    const earlier = chat.lastCard().getByRole('radio', { name: '80 år eller eldre', exact: true });
    assert.ok(await earlier.isChecked(), 'the earlier answer is chosen');
    await chat.choose('67–79 år');
    await chat.press('Neste', { expect: 'Hvilket kjønn har personen?', answered: '67–79 år' });
    await chat.press('Mann', { expect: 'Hva gjør personen sårbar?', answered: 'Mann' });

    // The "Tilbake" button: the gender question again.
    await chat.press('Tilbake', { expect: 'Hvilket kjønn har personen?' });
    await chat.press('Mann', { expect: 'Hva gjør personen sårbar?', answered: 'Mann' });

    await chat.say('demens', { expect: 'Hva er du bekymret for?', answered: 'Demens' });
    await chat.say('psykisk', { expect: 'Hvem tror du står bak?', answered: 'Psykisk vold' });
    await chat.say('ukjent', {
      expect: ['Hva har skjedd?', 'Ikke skriv navn eller adresse.'],
      answered: 'Ukjent',
    });
    await chat.say(WHAT_HAPPENED, { expect: 'Hvordan vet du dette?', answered: RECORDED });
    await chat.press('Jeg har en mistanke', {
      expect: 'Hvor jobber du, eller hvem er du?',
      answered: 'Jeg har en mistanke',
    });
    await chat.say('legevakt', {
      expect: 'Hvilket telefonnummer kan teamet ringe deg på?',
      answered: 'Legevakt',
    });
    await chat.say('hopp over', { expect: 'Se over meldingen', answered: 'ikke oppgitt' });

    const summary = await chat.lastCardText();
    for (const shown of [
      'Ikke samtykke – anonym drøfting',
      '67–79 år, mann',
      'Demens',
      'Psykisk vold',
      'Ukjent',
      'Legevakt · telefon ikke oppgitt',
    ]) {
      assert.ok(summary.includes(shown), `the summary shows "${shown}":\n${summary}`);
    }
    assert.ok(!summary.includes('født'), 'no birth date in an anonymous summary');
    await chat.shot('01-summary');

    await chat.press('Send', {
      expect: ['Takk. Meldingen er sendt.', FIRST_CASE],
      closed: `Sendt som ${FIRST_CASE}.`,
      // The coordinator's preview of the free text may follow the receipt (Ingrid coordinates).
      among: true,
    });
    await chat.shot('02-receipt');

    const everything = (await chat.allCardTexts()).join('\n');
    for (const never of ['Hva heter personen', 'Når er personen født', 'Hvor bor personen']) {
      assert.ok(!everything.includes(never), `an anonymous consultation never asks "${never}"`);
    }

    const cases = stack.query(
      `select id, number, status, consent_basis, acute_danger, gender, age_band, vulnerabilities,
              violence_types, perpetrator_relation, knowledge_source, reporter_service,
              reporter_tenant_id, reporter_aad_object_id, municipality_id, team_id
       from cases`,
    );
    assert.equal(cases.length, 1, 'exactly one case');
    const [{ id: caseId, ...reported }] = cases;
    assert.deepEqual(reported, {
      number: FIRST_CASE,
      status: 'received',
      consent_basis: 'anonymous',
      acute_danger: 0,
      gender: 'male',
      age_band: '67-79',
      vulnerabilities: '["dementia"]',
      violence_types: '["psychological"]',
      perpetrator_relation: 'unknown',
      knowledge_source: 'suspect',
      reporter_service: 'emergency_room',
      reporter_tenant_id: PLAYGROUND_TENANT,
      reporter_aad_object_id: INGRID,
      municipality_id: DEMO_MUNICIPALITY,
      team_id: DEMO_TEAM,
    });
    // Sending puts the post in the team's channel and the coordinators' preview of the free text
    // in the outbox; both go out in the background a moment later, so their state is not asserted.
    assert.deepEqual(stack.query('select case_id, kind, team_id from outbox order by kind'), [
      { case_id: caseId, kind: 'case_reported', team_id: DEMO_TEAM },
      { case_id: caseId, kind: 'text_preview', team_id: DEMO_TEAM },
    ]);
  }),
);
