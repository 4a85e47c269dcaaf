// Ingrid coordinates the demo team. A neighbour's call is registered as a case; then she sets
// up the team's fortnightly meeting for two hours from now in her own chat. The agenda is due
// at noon the day before, so it comes at once to the team's channel: the open cases to go
// through, with no names. At the meeting she writes the decision for the first case on the
// agenda; it goes to the case's timeline, and the agenda shows it as recorded.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CASE_CHANNEL, FIRST_CASE, TEST_TIMEOUT, withStack } from './helpers.mjs';

// The sweep looks every second, so the agenda due yesterday noon goes at once.
const FAST_SWEEP = { TRYGGEST_REMINDER_SWEEP_SECONDS: '1' };

/**
 * Two hours from now in Oslo, as the form's date and time. The agenda of a meeting that close is
 * due already (noon the day before), at whatever hour the test runs.
 */
function soonInOslo() {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Oslo',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(Date.now() + 2 * 60 * 60 * 1000))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

test('the fortnightly meeting is set up, its agenda comes to the channel, a decision is recorded', { timeout: TEST_TIMEOUT * 2 }, () =>
  withStack(
    'team-meeting',
    async (stack) => {
      const chat = stack.chat;
      for (const typed of ['ny henvendelse', 'nei', 'telefon', 'naboen', 'i dag', 'anonymt', 'rundt 85',
        'kvinne', 'dement', 'psykisk', 'sønnen hennes', 'Naboen hører roping om kveldene.']) {
        await chat.say(typed, { expect: 'Spørsmål' });
      }
      await chat.say('hun har hørt det selv', { expect: 'Se over meldingen' });
      await chat.say('send', { expect: ['Henvendelsen er registrert.', FIRST_CASE], among: true });

      await chat.say('nytt teammøte', { expect: ['Teamets faste møte', 'Hvor ofte?'] });
      const form = chat.lastCard();
      const soon = soonInOslo();
      await form.getByLabel('Første møte').fill(soon.date);
      await form.getByLabel('Klokka').fill(soon.time);
      await form.getByLabel('Sted').first().fill('Rådhuset, møterom 3');
      await chat.shot('01-form');
      await chat.press('Lagre møtet', { expect: ['er satt opp', 'hver 14. dag', 'Legg i kalenderen'], inPlace: true });

      const channel = await stack.open(CASE_CHANNEL);
      const title = 'Teammøte';
      await channel.waitForCard(title, ['Saker å gå gjennom', 'Rådhuset, møterom 3'], { timeout: 60_000 });
      await channel.shot('02-agenda', title);
      const agenda = await channel.cardText(title);
      assert.ok(agenda.includes(`${FIRST_CASE} · kom i dag`) || agenda.includes(`${FIRST_CASE} · 1 dag ·`), agenda);
      assert.ok(agenda.includes('Åpen sak (første møte)'), agenda);

      const decide = channel.card(title).getByRole('button', { name: 'Beslutning', exact: true }).first();
      await decide.click();
      await channel.card(title).locator('textarea').first().fill('Ingrid ringer fastlegen før fredag.');
      await channel.press(title, 'Lagre beslutningen', {
        expect: ['✓ Beslutning registrert', 'Ingrid Solberg registrerte en beslutning'],
      });
      await channel.shot('03-decided', title);
      assert.ok(!(await channel.pageText()).includes('fastlegen'), 'the decision is not in the channel');

      const decisions = stack.query("select count(*) as n from case_events where kind = 'meeting_decision'");
      assert.deepEqual(decisions, [{ n: 1 }]);
    },
    FAST_SWEEP,
  ),
);
