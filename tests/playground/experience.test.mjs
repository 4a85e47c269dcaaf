// Experiences and a training case in the Agents Playground. Ingrid Solberg (a coordinator, and
// here a member of a network whose channel is the Playground team's General channel) shares an
// experience: the form, the anonymised preview with the name and phone number taken out, and
// "Del i nettverket"; the card appears in General. She finds it again with another word form
// ("utnyttet" for "utnyttelse"). Then she makes a training case, posts it in her team's channel
// (Saker), where it is marked as fiction, and answers in its thread.
// (Only the Playground's current user can type, so she is both the one who shares and the one
// who searches; tests/e2e/test_experiences.py has two people.)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

import { CASE_CHANNEL, INGRID, PLAYGROUND_TENANT, ROOT, TEST_TIMEOUT, withStack } from './helpers.mjs';

const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const NETWORK_ID = 'demo0000000000000000000000000021';
const NETWORK_NAME = 'TryggEst-nettverket Øst (demo)';
// The Playground team's General channel: its conversation id is the team's id.
const GENERAL = 'team-tryggest-operativt';
const SITUATION =
  'Kari Nordmann har demens. Sønnen brukte fullmakten til økonomisk utnyttelse av henne. Ring ham på 915 55 123.';
const DONE = 'Samtale med henne alene, så samarbeidsmøte med fastlegen. Verge ble oppnevnt.';

function addNetwork(stack) {
  const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
now = '2026-01-01 00:00:00.000000'
db.execute("insert into teams (id, tenant_id, kind, name, teams_team_id, channel_id, created_at)"
           " values (?, ?, 'network', ?, ?, ?, ?)", (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[5], now))
db.execute("insert into memberships (id, team_id, tenant_id, aad_object_id, role, display_name, source, created_at)"
           " values (?, ?, ?, ?, 'network', 'Ingrid Solberg', 'command', ?)", ('demo-network-ingrid-2', sys.argv[2], sys.argv[3], sys.argv[6], now))
db.commit()
`;
  execFileSync(PYTHON, ['-c', script, stack.dbPath, NETWORK_ID, PLAYGROUND_TENANT, NETWORK_NAME, GENERAL, INGRID]);
}

test('an experience is shared anonymised, found by another word form, and a training case is posted', { timeout: TEST_TIMEOUT }, () =>
  withStack('experience', async (stack) => {
    addNetwork(stack);
    const chat = stack.chat;

    // --- the form and the preview, in personal chat ------------------------------------------
    await chat.say('del erfaring', { expect: ['Del en erfaring', 'Hva var situasjonen?', 'Se over'] });
    const form = chat.lastCard();
    await form.getByLabel('Hva var situasjonen?').fill(SITUATION);
    await form.getByLabel('Hva gjorde dere?').fill(DONE);
    await chat.shot('01-form');
    // The form becomes the preview (in place, or as a new card where it cannot be replaced).
    let before = await chat.cardCount();
    await form.getByRole('button', { name: 'Se over', exact: true }).click();
    await chat.waitForNewCard(['Slik blir erfaringen delt', '[navn]', '[telefon]', 'Del i nettverket'], before - 1);
    const preview = await chat.cardText(chat.cardShowing('Slik blir erfaringen delt'));
    assert.ok(!preview.includes('Kari Nordmann har demens'), preview);
    await chat.shot('02-preview');
    before = await chat.cardCount();
    await chat.cardShowing('Slik blir erfaringen delt').getByRole('button', { name: 'Del i nettverket', exact: true }).click();
    await chat.waitForNewCard(['Erfaringen er delt'], before - 1);

    // --- the card in the network's channel ----------------------------------------------------
    const general = await stack.open('General');
    await general.waitForCard('Erfaring fra nettverket', ['[navn] har demens', 'Nyttig (0)'], { timeout: 30_000 });
    const posted = await general.cardText('Erfaring fra nettverket');
    for (const identifier of ['Kari', 'Nordmann', '915 55 123']) assert.ok(!posted.includes(identifier), posted);
    await general.shot('03-in-the-channel', 'Erfaring fra nettverket');

    // --- found with another word form -----------------------------------------------------------
    await stack.open('Personal Chat');
    await chat.say('søk erfaringer utnyttet', { expect: ['Erfaringer om «utnyttet»', '[navn] har demens', 'Les hele'] });
    await chat.shot('04-found');

    // --- a training case, posted in the team's channel and answered in its thread ----------------
    await chat.say('øvelsessak', { expect: ['Øvelsessak', 'FIKTIV SAK', 'Spørsmål å snakke om'] });
    await chat.shot('05-training-case');
    const share = chat.lastCard().getByRole('button', { name: /^Del i TryggEst-teamet/ });
    await share.first().click();
    const saker = await stack.open(CASE_CHANNEL);
    await saker.waitForCard('FIKTIV SAK', ['Svar i tråden'], { timeout: 30_000 });
    const thread = stack.page.getByRole('group').filter({ has: saker.card('FIKTIV SAK') }).first();
    const reply = thread.locator('[data-lexical-editor=true]').first();
    if (await reply.count()) {
      await reply.click();
      await stack.page.keyboard.type('Jeg tenker at TryggEst bør være veiviser her.');
      await stack.page.keyboard.press('Enter');
      await thread.getByText('Jeg tenker at TryggEst bør være veiviser her.').first().waitFor();
    }
    await saker.shot('06-discussed', 'FIKTIV SAK');
    assert.equal(stack.query("select count(*) as n from training_cases where post_activity_id is not null")[0].n, 1);
  }),
);
