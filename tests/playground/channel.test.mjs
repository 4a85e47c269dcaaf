// A case goes from report to closed entirely through Teams cards in the Agents Playground.
// Ingrid Solberg (the Playground's only clickable user; tools/demo.py makes her a coordinator of the
// demo team too) reports in personal chat; the bot posts the case, anonymised, as a new thread in
// the team's "Saker" channel and sends her the free text's preview. She shares the text, takes
// the case, assesses it and closes it from its card in the channel, and the card changes in
// place each time. The channel never shows the person's name, birth date, address or the free
// text as written.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CASE_CHANNEL, DEMO_TEAM, INGRID, TEST_TIMEOUT, withStack, FIRST_CASE, RECORDED } from './helpers.mjs';

const NAME = 'Astrid Nilsen';
const BORN = '12.03.1941';
const ADDRESS = 'Omsorgsbolig, Storgata 5';
const PHONE = '912 34 567';
// The name in the free text is what the coordinator's preview replaces.
const WHAT_HAPPENED = `${NAME} hadde blåmerker på armen i går kveld. Sønnen tar pengene hennes.`;
const ANONYMISED = '[navn] hadde blåmerker på armen i går kveld. Sønnen tar pengene hennes.';
// What must never be in the channel; the free text as written only after its anonymised version
// was shared (it is never shown as written).
const NEVER_IN_CHANNEL = [NAME, 'Astrid', BORN, '1941', 'Storgata', PHONE, WHAT_HAPPENED];
const WAITING_FOR_TEXT = 'Fritekst vises her når koordinator har godkjent en anonymisert versjon.';

async function assertNothingPersonal(channel, when) {
  const shown = await channel.pageText();
  for (const never of NEVER_IN_CHANNEL) {
    assert.ok(!shown.includes(never), `${when}, the channel shows "${never}":\n${shown}`);
  }
}

test('a reported case is taken, assessed and closed from its card in the team channel', { timeout: TEST_TIMEOUT }, () =>
  withStack('channel', async (stack) => {
    const chat = stack.chat;

    // --- the report, in personal chat --------------------------------------------------------
    await chat.press('Meld bekymring', { expect: 'Er noen i akutt fare akkurat nå?' });
    await chat.press('Nei', { expect: 'Har personen samtykket til at du melder fra med navn?', answered: 'Nei' });
    await chat.press('Personen har samtykket', { expect: 'Hva heter personen det gjelder?', answered: 'Personen har samtykket' });
    await chat.fill(NAME);
    await chat.press('Neste', { expect: 'Når er personen født?', answered: RECORDED });
    await chat.say(BORN, { expect: 'Hvilket kjønn har personen?', answered: RECORDED });
    await chat.press('Kvinne', { expect: 'Hvor bor personen?', answered: 'Kvinne' });
    await chat.say(ADDRESS, { expect: 'Hva gjør personen sårbar?', answered: RECORDED });
    await chat.tick('Demens');
    await chat.press('Neste', { expect: 'Hva er du bekymret for?', answered: 'Demens' });
    await chat.say('fysisk og økonomisk', {
      expect: 'Hvem tror du står bak?',
      answered: 'Fysisk vold, Økonomiske overgrep / utnyttelse',
    });
    await chat.choose('Barn');
    await chat.press('Neste', { expect: 'Hva har skjedd?', answered: 'Barn' });
    await chat.fill(WHAT_HAPPENED);
    await chat.press('Neste', { expect: 'Hvordan vet du dette?', answered: RECORDED });
    await chat.press('Jeg så det selv', { expect: 'Hvor jobber du, eller hvem er du?', answered: 'Jeg så det selv' });
    await chat.say('hjemmetjenesten', { expect: 'Hvilket telefonnummer kan teamet ringe deg på?', answered: 'Hjemmetjenesten' });
    await chat.say(PHONE, { expect: 'Se over meldingen', answered: RECORDED });
    await chat.press('Send', { expect: ['Takk. Meldingen er sendt.', 'Saksnummer'], closed: 'Sendt som', among: true });

    // The case number as the receipt gives it.
    const receipt = await chat.cardText(chat.cardShowing('Takk. Meldingen er sendt.'));
    const number = receipt.match(/Saksnummer\s+(TE-\d{4}-\d{4})/)?.[1];
    assert.equal(number, FIRST_CASE, `the receipt gives the case number:\n${receipt}`);
    const title = `Sak ${number}`;

    // As a coordinator Ingrid also gets the free text's preview, a moment after the receipt: the
    // name replaced, and the replacement shown.
    const previewTitle = `Fritekst til kanalen for ${number}`;
    await chat.waitForNewCard([previewTitle, NAME, '[navn]', 'Del i kanalen']);
    const preview = chat.cardShowing(previewTitle);
    assert.equal(await preview.getByRole('textbox').inputValue(), ANONYMISED);
    await chat.shot('01-receipt-and-preview');

    // --- the channel, before the text is shared ----------------------------------------------
    // The post is delivered in the background (the outbox); it may come after the channel opens.
    const channel = await stack.open(CASE_CHANNEL);
    const postedIn = await channel.waitForCard(title, [WAITING_FOR_TEXT]);
    stack.log(`the case card is in ${CASE_CHANNEL} ${postedIn} ms after the channel opened`);
    const posted = await channel.cardText(title);
    // "Mottatt" is not checked: its value "28. november 2026 kl. 21.30" is Markdown to the card
    // renderer, which draws "28." as the number of an ordered list (<ol start="28">), so the day
    // is not in the text a screen reader or innerText gets.
    for (const shown of [
      'Status',
      'Mottatt',
      'Saksansvarlig',
      'Ingen ennå',
      'Personen har samtykket',
      '80 år eller eldre, kvinne',
      'Demens',
      'Fysisk vold, Økonomiske overgrep / utnyttelse',
      'Barn',
      'Hjemmetjenesten',
    ]) {
      assert.ok(posted.includes(shown), `the case card shows "${shown}":\n${posted}`);
    }
    assert.deepEqual(await channel.buttons(title), [
      'Jeg tar saken',
      'Tildel',
      'Vurder',
      'Risiko',
      'Refleksjon',
      'Tiltak',
      'Oppfølging',
      'Notat',
      'Personens ønsker',
      'Spør melder',
      'Avslutt',
      'Vis personopplysninger',
      'Tidslinje',
      'Godkjenn fritekst',
    ]);
    await assertNothingPersonal(channel, 'before the text is shared');
    assert.ok(!(await channel.pageText()).includes(ANONYMISED), 'no free text before it is shared');
    await channel.shot('02-case-posted', title);

    // --- Ingrid shares the anonymised text from her personal chat ----------------------------
    await stack.open('Personal Chat');
    await chat.cardShowing(previewTitle).getByRole('button', { name: 'Del i kanalen', exact: true }).click();
    await chat.waitForNewCard([previewTitle, `Teksten er delt i kanalen for ${number}.`]);

    await stack.open(CASE_CHANNEL);
    // The bot updated the posted card itself (update_activity), with no one in the channel.
    await channel.waitForCard(title, ['Hva skjedde (anonymisert)', ANONYMISED], { gone: [WAITING_FOR_TEXT] });
    assert.ok(!(await channel.buttons(title)).includes('Godkjenn fritekst'), 'no approval once shared');
    await assertNothingPersonal(channel, 'once the text is shared');

    // --- she takes the case ------------------------------------------------------------------
    await channel.press(title, 'Jeg tar saken', {
      expect: ['Under vurdering', 'Ingrid Solberg tok saken.'],
      gone: ['Ingen ennå'],
    });
    assert.match(await channel.cardText(title), /Saksansvarlig\s+Ingrid Solberg/);
    assert.ok(!(await channel.buttons(title)).includes('Jeg tar saken'), 'a taken case cannot be taken again');
    await channel.shot('03-taken', title);

    // --- assesses it: "Vurder" opens its form on the card --------------------------------------
    await channel.openForm(title, 'Vurder');
    await channel.choose(title, 'Må-sak');
    // The open form already shows "Må-sak" (as an option): the note is what only the new card has.
    await channel.press(title, 'Lagre', {
      expect: ['Vurdering', 'Må-sak', 'Ingrid Solberg vurderte saken.'],
      gone: ['Lagre'],
    });
    assert.match(await channel.cardText(title), /Vurdering\s+Må-sak/);

    // --- and closes it -----------------------------------------------------------------------
    await channel.openForm(title, 'Avslutt');
    assert.ok(
      (await channel.cardText(title)).includes('Volden har stoppet'),
      'the form shows the outcomes to choose from',
    );
    await channel.choose(title, 'Fulgt opp videre i ordinære tjenester');
    await channel.press(title, 'Avslutt saken', {
      expect: ['Avsluttet', 'Ingrid Solberg avsluttet saken.'],
      gone: ['Avslutt saken'],
    });
    const closed = await channel.cardText(title);
    assert.match(closed, /Status\s+Avsluttet/);
    assert.match(closed, /Utfall\s+Fulgt opp videre i ordinære tjenester/);
    assert.match(closed, /Vurdering\s+Må-sak/);
    assert.match(closed, /Saksansvarlig\s+Ingrid Solberg/);
    assert.match(closed, /Arkivert\s+Venter på arkivering/);
    // A closed case can only be reopened, marked as archived, or looked at.
    assert.deepEqual(await channel.buttons(title), ['Gjenåpne', 'Arkivert', 'Vis personopplysninger', 'Tidslinje']);
    await assertNothingPersonal(channel, 'once the case is closed');
    assert.equal(await channel.count(title), 1, 'one thread, its card updated in place');
    await channel.shot('04-closed', title);
    // Once the case is in the municipality's archive, the coordinator says so.
    await channel.press(title, 'Arkivert', {
      expect: ['Ingrid Solberg registrerte at saken er lagt i arkivet.'],
      gone: ['Venter på arkivering'],
    });
    assert.deepEqual(await channel.buttons(title), ['Gjenåpne', 'Vis personopplysninger', 'Tidslinje']);

    // What the cards showed is what the database holds (the shared text is encrypted there).
    assert.deepEqual(
      stack.query(
        `select number, status, classification, outcome, assignee_aad_object_id,
                shared_text_approved_at is not null as text_shared, team_id
         from cases`,
      ),
      [
        {
          number,
          status: 'closed',
          classification: 'must',
          outcome: 'ordinary_services',
          assignee_aad_object_id: INGRID,
          text_shared: 1,
          team_id: DEMO_TEAM,
        },
      ],
    );
    assert.equal(stack.query('select case_id from channel_posts').length, 1, 'posted once');
  }),
);
