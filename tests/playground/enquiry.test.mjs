// A neighbour phoned the TryggEst number. Ingrid, who coordinates the demo team, types
// "ny henvendelse" and every answer on the caller's behalf; the case is posted to the team's
// channel anonymised and says it came by phone. A week later the person consents: from the
// case card Ingrid opens the consent form in her own chat, fills it in, and the consultation
// becomes a named case with the same number.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CASE_CHANNEL, FIRST_CASE, TEST_TIMEOUT, waitFor, withStack } from './helpers.mjs';

const NAME = 'Solveig Haugen';

test('a phone enquiry becomes a case, and consent given later names it', { timeout: TEST_TIMEOUT * 2 }, () =>
  withStack('enquiry', async (stack) => {
    const chat = stack.chat;

    await chat.say('ny henvendelse', { expect: ['Er noen i akutt fare akkurat nå?', 'på vegne av den som tok kontakt'] });
    await chat.say('nei', { expect: 'Hvordan kom henvendelsen?' });
    await chat.say('hun ringte', { expect: 'Hvem tok kontakt?', answered: 'Telefon' });
    await chat.say('naboen', { expect: 'Hvilken dag kom henvendelsen?', answered: 'Andre (nabo, bank, venn)' });
    await chat.say('i dag', { expect: 'Har personen samtykket til at du melder fra med navn?' });
    await chat.say('nei, anonym drøfting', { expect: 'Omtrent hvor gammel er personen?' });
    await chat.say('rundt 85', { expect: 'Hvilket kjønn har personen?' });
    await chat.say('kvinne', { expect: 'Hva gjør personen sårbar?' });
    await chat.say('dement', { expect: 'Hva er du bekymret for?' });
    await chat.say('psykisk, han truer henne', { expect: 'Hvem tror du står bak?' });
    await chat.say('sønnen hennes', { expect: 'Hva har skjedd?' });
    await chat.say('Naboen hører roping og trusler fra leiligheten om kveldene.', {
      expect: 'Hvordan vet den som tok kontakt, om dette?',
    });
    await chat.say('hun har hørt det selv', { expect: ['Se over meldingen', 'Henvendelsen', 'Telefon'] });
    await chat.shot('01-summary');
    await chat.say('send', { expect: ['Henvendelsen er registrert.', FIRST_CASE], among: true });

    const title = `Sak ${FIRST_CASE}`;
    const channel = await stack.open(CASE_CHANNEL);
    await channel.waitForCard(title, ['Kom inn som', 'Telefon', 'anonym drøfting']);
    await channel.shot('02-channel-card', title);

    // Consent came later: the form opens in her own chat, never in the channel.
    await channel.card(title).getByRole('button', { name: 'Samtykke gitt', exact: true }).click();
    await stack.open('Personal Chat');
    const formTitle = `Samtykke for ${FIRST_CASE}`;
    await waitFor(
      `the consent form in her chat ("${formTitle}")`,
      async () => (await chat.lastCardText()).includes(formTitle),
      30_000,
    );
    const form = chat.lastCard();
    await form.getByRole('radio', { name: 'Personen selv', exact: true }).check();
    await form.getByRole('radio', { name: 'Skriftlig', exact: true }).check();
    await form.getByLabel('Navn').first().fill(NAME);
    await form.getByLabel('Fødselsdato').first().fill('02.05.1941');
    await chat.shot('03-consent-form');
    await chat.press('Lagre samtykket', {
      expect: `${FIRST_CASE} er nå en sak med personopplysninger`,
      inPlace: true,
    });

    const cases = stack.query('select number, consent_basis, contact_channel, reporter_service from cases');
    assert.deepEqual(cases, [
      { number: FIRST_CASE, consent_basis: 'consent', contact_channel: 'phone', reporter_service: 'citizen' },
    ]);
    assert.ok(!(await chat.lastCardText()).includes(NAME), 'the typed name left the chat with the form');
  }),
);
