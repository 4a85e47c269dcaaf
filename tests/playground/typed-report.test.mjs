// A home-care nurse on a phone types every answer the way she talks and never taps a button:
// "ja, han slår henne nå" gets 112 at once, and fifteen typed turns, one per question, end in
// the first case number, with every answer understood the first time.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TEST_TIMEOUT, withStack, FIRST_CASE, RECORDED } from './helpers.mjs';

const WHAT_HAPPENED = 'Sønnen slo henne i ansiktet i dag. Han tar også pensjonen hennes.';

test('a report typed the way people write reaches a case number, one turn per question', { timeout: TEST_TIMEOUT }, () =>
  withStack('typed', async (stack) => {
    const chat = stack.chat;

    await chat.say('meld bekymring', { expect: 'Er noen i akutt fare akkurat nå?' });
    await chat.say('ja, han slår henne nå', {
      expect: ['Ring nå – før du skriver mer', '112', '113', '02800'],
      answered: 'Ja, noen er i fare nå',
    });
    await chat.shot('01-acute-typed');
    await chat.say('har ringt 112, fortsetter', { expect: 'Har personen samtykket til at du melder fra med navn?' });
    await chat.say('ja, hun har samtykket', {
      expect: 'Hva heter personen det gjelder?',
      answered: 'Personen har samtykket',
    });
    await chat.say('hun heter Kari Nordmann', { expect: 'Når er personen født?', answered: RECORDED });
    await chat.say('12. mars 1941', { expect: 'Hvilket kjønn har personen?', answered: RECORDED });
    await chat.say('kvinne', { expect: 'Hvor bor personen?', answered: 'Kvinne' });
    await chat.say('omsorgsbolig', { expect: 'Hva gjør personen sårbar?' });
    await chat.say('hun er dement og 84', {
      expect: 'Hva er du bekymret for?',
      answered: 'Demens, Høy alder (67+)',
    });
    await chat.say('fysisk og litt økonomisk', {
      expect: 'Hvem tror du står bak?',
      answered: 'Fysisk vold, Økonomiske overgrep / utnyttelse',
    });
    await chat.say('sønnen hennes', { expect: 'Hva har skjedd?', answered: 'Barn' });
    await chat.say(WHAT_HAPPENED, { expect: 'Hvordan vet du dette?' });
    await chat.say('jeg så det', { expect: 'Hvor jobber du, eller hvem er du?', answered: 'Jeg så det selv' });
    await chat.say('jeg jobber i hjemmesykepleien', {
      expect: 'Hvilket telefonnummer kan teamet ringe deg på?',
      answered: 'Hjemmetjenesten',
    });
    await chat.say('912 34 567', { expect: 'Se over meldingen' });
    await chat.shot('02-summary');
    await chat.say('send', { expect: ['Takk. Meldingen er sendt.', FIRST_CASE], among: true });

    const cases = stack.query(
      `select consent_basis, acute_danger, gender, vulnerabilities, violence_types,
              perpetrator_relation, knowledge_source, reporter_service from cases`,
    );
    assert.deepEqual(cases, [
      {
        consent_basis: 'consent',
        acute_danger: 1,
        gender: 'female',
        vulnerabilities: '["dementia", "old_age"]',
        violence_types: '["physical", "financial"]',
        perpetrator_relation: 'child',
        knowledge_source: 'saw',
        reporter_service: 'home_care',
      },
    ]);
  }),
);
