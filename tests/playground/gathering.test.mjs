// A network gathering in the Agents Playground: Ingrid Solberg (a coordinator, and in the demo
// data a member of a network whose channel is the Playground team's General channel) schedules one with the
// form in her personal chat; the bot announces it in the channel, where she answers with the
// card's buttons and the counts change in place; then the clock is fast-forwarded (`tryggest
// reminders sweep --at`) to 09.00 Oslo time seven days before, and the reminder reaches her chat.
// She answers "Kommer ikke" on it, so the one-day reminder is not sent.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { INGRID, ROOT, TEST_TIMEOUT, withStack } from './helpers.mjs';

const execFileAsync = promisify(execFile);
const TRYGGEST = path.join(ROOT, '.venv', 'bin', 'tryggest');

// The demo data's network (tools/demo.py), tied to the Playground team's General channel, with
// Ingrid as a member.
const NETWORK_NAME = 'TryggEst-nettverket Øst (demo)';
const TITLE = 'Nettverkssamling i Playground';
const PLACE = 'Rådhuset i Moss, møterom 2';

/** A day three weeks ahead, as Input.Date sends it, and the days a week and a day before it. */
function days() {
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return { date: day(21), weekBefore: day(14), dayBefore: day(20) };
}

/** One sweep of the reminders as if it were 09.00 Oslo time on `date`. */
async function sweepAt(stack, date) {
  const { stdout } = await execFileAsync(TRYGGEST, ['reminders', 'sweep', '--at', `${date}T09:00`], {
    cwd: stack.dir,
    env: stack.env,
  });
  stack.log(stdout.trim());
  return stdout;
}

test('a coordinator schedules a gathering, answers it in the channel and is reminded', { timeout: TEST_TIMEOUT }, () =>
  withStack('gathering', async (stack) => {
    const chat = stack.chat;
    const { date, weekBefore, dayBefore } = days();

    // --- the form, in personal chat ----------------------------------------------------------
    await chat.say('ny samling', { expect: ['Ny nettverkssamling', NETWORK_NAME, 'Lagre og legg ut'] });
    const form = chat.lastCard();
    await form.getByLabel('Hva heter samlingen?').fill(TITLE);
    await form.getByLabel('Dato').fill(date);
    await form.getByLabel('Starter klokka').fill('10:00');
    await form.getByLabel('Sted (adresse og rom)').fill(PLACE);
    // A compact choice set is a combobox in the Playground's renderer.
    await form.getByRole('combobox', { name: 'RVTS-region' }).click();
    await stack.page.getByRole('option', { name: 'RVTS Øst', exact: true }).last().click();
    await chat.shot('01-form');
    const before = await chat.cardCount();
    await form.getByRole('button', { name: 'Lagre og legg ut', exact: true }).click();
    // The form becomes what was saved (in place, or as a new card where it cannot be replaced).
    await chat.waitForNewCard([TITLE, 'Lagret. Kortet kommer i kanalen'], before - 1);
    await chat.shot('02-saved');

    // --- the announcement, in the network's channel -------------------------------------------
    const channel = await stack.open('General');
    await channel.waitForCard(TITLE, ['Nettverkssamling · RVTS Øst', PLACE, 'Kommer: 1 · Kanskje: 0 · Kommer ikke: 0']);
    const buttons = await channel.buttons(TITLE);
    assert.deepEqual(buttons.slice(0, 3), ['Kommer', 'Kommer ikke', 'Kanskje']);
    assert.ok((await channel.cardText(TITLE)).includes('Legg i kalenderen'));
    // The calendar file behind that button, as another tenant's browser would fetch it.
    const [{ id }] = stack.query('select id from gatherings');
    const ics = await (await fetch(`http://localhost:${stack.botPort}/gatherings/${id}.ics`)).text();
    assert.match(ics, /BEGIN:VCALENDAR[\s\S]*METHOD:REQUEST[\s\S]*SUMMARY:Nettverkssamling i Playground/);
    await channel.shot('03-announced', TITLE);

    // She answers, changes her mind, and the counts follow on the one card.
    await channel.press(TITLE, 'Kanskje', { expect: 'Kommer: 0 · Kanskje: 1 · Kommer ikke: 0' });
    await channel.press(TITLE, 'Kommer', { expect: 'Kommer: 1 · Kanskje: 0 · Kommer ikke: 0' });
    assert.equal(await channel.count(TITLE), 1, 'one announcement, answered in place');
    await channel.shot('04-answered', TITLE);

    // --- the clock fast-forwarded: 09.00 Oslo time a week before ------------------------------
    await stack.open('Personal Chat');
    const cards = await chat.cardCount();
    await sweepAt(stack, weekBefore);
    await chat.waitForNewCard([`Om 7 dager: ${TITLE}`, 'Du har svart: Kommer.'], cards);
    const reminder = chat.cardShowing(`Om 7 dager: ${TITLE}`);
    await chat.shot('05-reminded');

    // "Kommer ikke" on the reminder: the one-day reminder is not sent, and the channel counts it.
    await reminder.getByRole('button', { name: 'Kommer ikke', exact: true }).click();
    await chat.waitForNewCard(['Takk! Du har svart: Kommer ikke.'], cards);
    const output = await sweepAt(stack, dayBefore);
    assert.ok(!(await chat.allCardTexts()).some((t) => t.includes(`I morgen: ${TITLE}`)), output);
    assert.deepEqual(
      stack.query(
        // Ingrid's: Ole, the demo's other network member, never opened a chat with the bot, so
        // his reminders are 'unreachable' (the coordinators are told).
        `select json_extract(payload, '$.days') as days, state from reminders
         where kind = 'gathering_reminder' and recipient_aad_object_id = '${INGRID}'
         order by due_at`,
      ),
      [
        { days: 7, state: 'sent' },
        { days: 1, state: 'cancelled' },
      ],
    );
    const opened = await stack.open('General');
    await opened.waitForCard(TITLE, ['Kommer: 0 · Kanskje: 0 · Kommer ikke: 1']);
    await opened.shot('06-counted', TITLE);
  }),
);
