// Someone is in danger now: the emergency numbers (112, 113, 02800) come before anything else,
// then the report continues - here under the duty to avert, all typed, to the first case number with
// acute danger recorded. On the way "Avbryt" asks first, and "Nei, fortsett" keeps the report.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEMO_TEAM, TEST_TIMEOUT, withStack, FIRST_CASE, RECORDED } from './helpers.mjs';

const CONSENT_QUESTION = 'Har personen samtykket til at du melder fra med navn?';

test('the acute path shows 112, 113 and 02800, then the report continues', { timeout: TEST_TIMEOUT }, () =>
  withStack('acute', async (stack) => {
    const chat = stack.chat;

    await chat.say('meld bekymring', { expect: 'Er noen i akutt fare akkurat nå?' });
    // The answered card repeats the words on the button that was pressed.
    await chat.press('Ja, noen er i fare nå', {
      expect: ['Ring nå – før du skriver mer', '112', '113', '02800'],
      answered: 'Ja, noen er i fare nå',
    });
    const guidance = await chat.lastCardText();
    const [police, ambulance, notUrgent] = ['112', '113', '02800'].map((n) => guidance.indexOf(n));
    assert.ok(police < ambulance && ambulance < notUrgent, `112, then 113, then 02800:\n${guidance}`);
    assert.deepEqual(await chat.buttons(), ['Fortsett meldingen', 'Avbryt meldingen']);
    await chat.shot('01-acute-card');

    await chat.press('Fortsett meldingen', { expect: CONSENT_QUESTION, answered: 'Fortsett meldingen' });

    // "Avbryt" on a card asks first; "Nei, fortsett" asks the same question again.
    // The card itself turns into the question, and back, so no stale "Ja, avbryt" is left.
    await chat.press('Avbryt', {
      expect: ['Vil du avbryte meldingen?', 'Ja, avbryt', 'Nei, fortsett'],
      inPlace: true,
    });
    await chat.shot('02-cancel-confirmation');
    await chat.press('Nei, fortsett', { expect: CONSENT_QUESTION, inPlace: true });

    await chat.say('avvergeplikt', {
      expect: 'Hva heter personen det gjelder?',
      answered: 'Avvergeplikt (straffeloven § 196)',
    });
    await chat.say('Per Hansen', { expect: 'Når er personen født?', answered: RECORDED });
    await chat.say('1950', { expect: 'Hvilket kjønn har personen?' });
    await chat.say('mann', { expect: 'Hvor bor personen?', answered: 'Mann' });
    await chat.say('Sykehjem', { expect: 'Hva gjør personen sårbar?', answered: RECORDED });
    await chat.say('rus og psykisk lidelse', { expect: 'Hva er du bekymret for?' });
    await chat.say('fysisk', { expect: 'Hvem tror du står bak?', answered: 'Fysisk vold' });
    await chat.say('ansatt', { expect: 'Hva har skjedd?', answered: 'Ansatt' });
    await chat.say('En ansatt slo ham i ansiktet i dag klokka 14 på rommet hans.', {
      expect: 'Hvordan vet du dette?',
    });
    await chat.say('jeg så det selv', {
      expect: 'Hvor jobber du, eller hvem er du?',
      answered: 'Jeg så det selv',
    });
    await chat.say('sykehjem', {
      expect: 'Hvilket telefonnummer kan teamet ringe deg på?',
      answered: 'Sykehjem',
    });
    await chat.say('+47 912 34 567', { expect: ['Se over meldingen', 'Avvergeplikt (straffeloven § 196)'] });
    const summary = await chat.lastCardText();
    assert.match(summary, /Akutt fare\s+Ja/, `the summary shows the acute danger:\n${summary}`);

    await chat.press('Send', {
      expect: ['Takk. Meldingen er sendt.', FIRST_CASE],
      closed: `Sendt som ${FIRST_CASE}.`,
      // The coordinator's preview of the free text may follow the receipt (Ingrid coordinates).
      among: true,
    });

    const cases = stack.query(
      `select id, number, consent_basis, acute_danger, gender, vulnerabilities, violence_types,
              perpetrator_relation, knowledge_source, reporter_service
       from cases`,
    );
    assert.equal(cases.length, 1, 'exactly one case');
    const [{ id: caseId, ...reported }] = cases;
    assert.deepEqual(reported, {
      number: FIRST_CASE,
      consent_basis: 'duty_to_avert',
      acute_danger: 1,
      gender: 'male',
      vulnerabilities: '["mental_illness", "substance_use"]',
      violence_types: '["physical"]',
      perpetrator_relation: 'staff',
      knowledge_source: 'saw',
      reporter_service: 'nursing_home',
    });
    // Sending puts the post in the team's channel and the coordinators' preview of the free text
    // in the outbox; both go out in the background a moment later, so their state is not asserted.
    assert.deepEqual(stack.query('select case_id, kind, team_id from outbox order by kind'), [
      { case_id: caseId, kind: 'case_reported', team_id: DEMO_TEAM },
      { case_id: caseId, kind: 'text_preview', team_id: DEMO_TEAM },
    ]);
  }),
);
