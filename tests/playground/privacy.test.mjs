// Nothing identifying stays readable in the Playground's conversations. Ingrid reports with the
// person's details typed into the cards' fields; the answered cards do not repeat them. Her
// preview of the free text (she coordinates the demo team) and the personal details she opens
// from the case card are hidden again when their minutes are up, here six seconds. Then every
// conversation the Playground shows, her chat with the bot and the team's channel, is read for
// the name, the birth date, the address, the phone and the free text.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CASE_CHANNEL, FIRST_CASE, RECORDED, TEST_TIMEOUT, waitFor, withStack } from './helpers.mjs';

const NAME = 'Berit Kvalheim';
const BORN = '04.07.1938';
const ADDRESS = 'Fjordveien 12';
const PHONE = '913 57 246';
const WHAT_HAPPENED = `${NAME} har blåmerker på begge armene. Naboen hørte roping i natt.`;
const SECRETS = [NAME, 'Berit', 'Kvalheim', BORN, '1938', 'Fjordveien', PHONE, 'blåmerker på begge', 'roping i natt'];
// Personal views are hidden again after 0.1 minutes; the sweep looks every second.
const SHORT_VIEWS = { TRYGGEST_PERSONAL_VIEW_MINUTES: '0.1', TRYGGEST_REMINDER_SWEEP_SECONDS: '1' };
const HIDDEN_WITHIN = 45_000;

function secretsIn(text) {
  return SECRETS.filter((secret) => text.includes(secret));
}

test('an hour later, nothing identifying is readable in the chat or the channel', { timeout: TEST_TIMEOUT * 2 }, () =>
  withStack(
    'privacy',
    async (stack) => {
      const chat = stack.chat;
      await chat.press('Meld bekymring', { expect: 'Er noen i akutt fare akkurat nå?' });
      await chat.press('Nei', { expect: 'Har personen samtykket til at du melder fra med navn?', answered: 'Nei' });
      await chat.press('Personen har samtykket', { expect: 'Hva heter personen det gjelder?', answered: 'Personen har samtykket' });
      await chat.fill(NAME);
      await chat.press('Neste', { expect: 'Når er personen født?', answered: RECORDED });
      await chat.fill(BORN);
      await chat.press('Neste', { expect: 'Hvilket kjønn har personen?', answered: RECORDED });
      await chat.press('Kvinne', { expect: 'Hvor bor personen?', answered: 'Kvinne' });
      await chat.fill(ADDRESS);
      await chat.press('Neste', { expect: 'Hva gjør personen sårbar?', answered: RECORDED });
      await chat.tick('Demens');
      await chat.press('Neste', { expect: 'Hva er du bekymret for?', answered: 'Demens' });
      await chat.tick('Fysisk vold');
      await chat.press('Neste', { expect: 'Hvem tror du står bak?', answered: 'Fysisk vold' });
      await chat.choose('Barn');
      await chat.press('Neste', { expect: 'Hva har skjedd?', answered: 'Barn' });
      await chat.fill(WHAT_HAPPENED);
      await chat.press('Neste', { expect: 'Hvordan vet du dette?', answered: RECORDED });
      await chat.press('Jeg så det selv', { expect: 'Hvor jobber du, eller hvem er du?', answered: 'Jeg så det selv' });
      await chat.say('hjemmetjenesten', { expect: 'Hvilket telefonnummer kan teamet ringe deg på?', answered: 'Hjemmetjenesten' });
      await chat.fill(PHONE);
      await chat.press('Neste', { expect: 'Se over meldingen', answered: RECORDED });
      await chat.press('Send', { expect: ['Takk. Meldingen er sendt.', 'Saksnummer'], closed: 'Sendt som', among: true });

      // The preview of the free text comes a moment after the receipt, and goes again.
      const previewHidden = `Friteksten i ${FIRST_CASE} er skjult igjen.`;
      await waitFor(
        `the preview to be hidden ("${previewHidden}")`,
        async () => (await chat.allCardTexts()).some((text) => text.includes(previewHidden)),
        HIDDEN_WITHIN,
      );

      // From the case card in the channel: the personal details, sent to her own chat.
      const title = `Sak ${FIRST_CASE}`;
      const channel = await stack.open(CASE_CHANNEL);
      await channel.waitForCard(title);
      await channel.card(title).getByRole('button', { name: 'Vis personopplysninger', exact: true }).click();
      await stack.open('Personal Chat');
      const detailsTitle = `Personopplysninger i ${FIRST_CASE}`;
      await waitFor(
        `the personal details in her chat ("${detailsTitle}")`,
        async () => (await chat.allCardTexts()).some((text) => text.includes(detailsTitle)),
        HIDDEN_WITHIN,
      );
      const detailsHidden = `Personopplysningene i ${FIRST_CASE} er skjult igjen.`;
      await waitFor(
        `the personal details to be hidden ("${detailsHidden}")`,
        async () => (await chat.allCardTexts()).some((text) => text.includes(detailsHidden)),
        HIDDEN_WITHIN,
      );
      await chat.shot('01-chat-after');

      // Every conversation, as someone picking up the phone would scroll it.
      const inChat = await stack.page.evaluate(() => document.body.innerText.replace(/\u00a0/g, ' '));
      assert.deepEqual(secretsIn(inChat), [], `her chat still shows them:\n${inChat}`);
      await stack.open(CASE_CHANNEL);
      const inChannel = await channel.pageText();
      assert.deepEqual(secretsIn(inChannel), [], `the channel shows them:\n${inChannel}`);
    },
    SHORT_VIEWS,
  ));
