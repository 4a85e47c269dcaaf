// A home-care nurse reports a concern with the person's consent, in the Agents Playground's
// personal chat: buttons, a multi-select + "Neste", a list of options, typed answers, one "Endre" from
// the summary, and "Send" gives the first case number with exactly one case, for the outbox to
// post in the team's channel.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEMO_MUNICIPALITY, DEMO_TEAM, INGRID, PLAYGROUND_TENANT, TEST_TIMEOUT, withStack, FIRST_CASE, RECORDED } from './helpers.mjs';

const WHAT_HAPPENED =
  'Sønnen har tatt bankkortet hennes. I går kveld så jeg blåmerker på armen hennes da jeg kom kl. 20.';

test('a report with consent goes from the first question to the receipt with the first case number', { timeout: TEST_TIMEOUT }, () =>
  withStack('consent', async (stack) => {
    const chat = stack.chat;

    await chat.press('Meld bekymring', { expect: ['Spørsmål 1', 'Er noen i akutt fare akkurat nå?'] });
    // Answers first, the way out last; the first question has no way back.
    assert.deepEqual(await chat.buttons(), ['Ja, noen er i fare nå', 'Nei', 'Avbryt']);
    await chat.shot('01-first-question');

    await chat.press('Nei', { expect: 'Har personen samtykket til at du melder fra med navn?', answered: 'Nei' });
    await chat.press('Personen har samtykket', {
      expect: 'Hva heter personen det gjelder?',
      answered: 'Personen har samtykket',
    });
    assert.deepEqual(await chat.buttons(), ['Neste', 'Tilbake', 'Avbryt']);
    await chat.fill('Astrid Nilsen');
    await chat.press('Neste', { expect: 'Når er personen født?', answered: RECORDED });
    await chat.say('12.03.1941', { expect: 'Hvilket kjønn har personen?', answered: RECORDED });
    await chat.press('Kvinne', { expect: 'Hvor bor personen?', answered: 'Kvinne' });
    await chat.say('Omsorgsbolig, Storgata 5', {
      expect: 'Hva gjør personen sårbar?',
      answered: RECORDED,
    });

    await chat.tick('Demens', 'Høy alder (67+)');
    await chat.shot('02-multi-select');
    await chat.press('Neste', { expect: 'Hva er du bekymret for?', answered: 'Demens, Høy alder (67+)' });
    await chat.say('fysisk og økonomisk', {
      expect: 'Hvem tror du står bak?',
      answered: 'Fysisk vold, Økonomiske overgrep / utnyttelse',
    });
    await chat.choose('Barn');
    await chat.press('Neste', { expect: 'Hva har skjedd?', answered: 'Barn' });
    await chat.fill(WHAT_HAPPENED);
    await chat.press('Neste', { expect: 'Hvordan vet du dette?', answered: RECORDED });
    await chat.press('Jeg så det selv', {
      expect: 'Hvor jobber du, eller hvem er du?',
      answered: 'Jeg så det selv',
    });
    await chat.say('hjemmetjenesten', {
      expect: 'Hvilket telefonnummer kan teamet ringe deg på?',
      answered: 'Hjemmetjenesten',
    });
    await chat.say('912 34 567', { expect: 'Se over meldingen', answered: RECORDED });

    const summary = await chat.lastCardText();
    for (const shown of [
      'Personen har samtykket',
      'Astrid Nilsen',
      'født 12.03.1941, kvinne',
      'Omsorgsbolig, Storgata 5',
      'Demens, Høy alder (67+)',
      'Fysisk vold, Økonomiske overgrep / utnyttelse',
      WHAT_HAPPENED,
      'Hjemmetjenesten · telefon 912 34 567',
      'Meldingen går til TryggEst-teamet i Demo kommune.',
    ]) {
      assert.ok(summary.includes(shown), `the summary shows "${shown}":\n${summary}`);
    }
    assert.deepEqual((await chat.buttons()).slice(-3), ['Send', 'Tilbake', 'Avbryt']);
    await chat.shot('03-summary');

    // "Endre" on one part asks that question again, with the earlier answer filled in.
    await chat.press('Endre', { expect: 'Hvem tror du står bak?' }, chat.summaryPart('Antatt utøver'));
    assert.ok(
      await chat.lastCard().getByRole('radio', { name: 'Barn', exact: true }).isChecked(),
      'the earlier answer is chosen',
    );
    await chat.choose('Barnebarn');
    await chat.press('Neste', { expect: ['Se over meldingen', 'Barnebarn'], answered: 'Barnebarn' });
    assert.ok((await chat.lastCardText()).includes('Demens, Høy alder (67+)'), 'the other parts are kept');

    await chat.press('Send', {
      expect: [
        'Takk. Meldingen er sendt.',
        FIRST_CASE,
        'Ring TryggEst-teamet i Demo kommune på 69 00 00 00',
      ],
      closed: `Sendt som ${FIRST_CASE}.`,
      // The coordinator's preview of the free text may follow the receipt (Ingrid coordinates).
      among: true,
    });
    await chat.shot('04-receipt');

    const cases = stack.query(
      `select id, number, status, consent_basis, acute_danger, gender, age_band, vulnerabilities,
              violence_types, perpetrator_relation, knowledge_source, reporter_service,
              reporter_tenant_id, reporter_aad_object_id, tenant_id, municipality_id, team_id
       from cases`,
    );
    assert.equal(cases.length, 1, 'exactly one case');
    const [{ id: caseId, ...reported }] = cases;
    assert.deepEqual(reported, {
      number: FIRST_CASE,
      status: 'received',
      consent_basis: 'consent',
      acute_danger: 0,
      gender: 'female',
      age_band: '80+',
      vulnerabilities: '["dementia", "old_age"]',
      violence_types: '["physical", "financial"]',
      perpetrator_relation: 'grandchild',
      knowledge_source: 'saw',
      reporter_service: 'home_care',
      reporter_tenant_id: PLAYGROUND_TENANT,
      reporter_aad_object_id: INGRID,
      tenant_id: PLAYGROUND_TENANT,
      municipality_id: DEMO_MUNICIPALITY,
      team_id: DEMO_TEAM,
    });
    // Sending puts the post in the team's channel and the coordinators' preview of the free text
    // in the outbox; both go out in the background a moment later, so their state is not asserted.
    assert.deepEqual(stack.query('select case_id, kind, team_id from outbox order by kind'), [
      { case_id: caseId, kind: 'case_reported', team_id: DEMO_TEAM },
      { case_id: caseId, kind: 'text_preview', team_id: DEMO_TEAM },
    ]);
    assert.deepEqual(stack.query('select case_id, kind from case_events'), [{ case_id: caseId, kind: 'reported' }]);
  }),
);
