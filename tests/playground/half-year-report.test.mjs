// The coordinator's half-year report in the Agents Playground: demo data with synthetic cases,
// "rapport 2026H1" gives the card with its charts, and "Last ned Excel" downloads the file; the
// numbers on the card and in the file match a count made straight from the database. The link
// works once.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { DEMO_MUNICIPALITY, ROOT, TEST_TIMEOUT, withStack } from './helpers.mjs';

const run = promisify(execFile);
const TRYGGEST = path.join(ROOT, '.venv', 'bin', 'tryggest');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
// 2026H1 in UTC: midnight to midnight in Oslo.
const H1 = ["2025-12-31 23:00:00", "2026-06-30 22:00:00"];

test('a coordinator gets the half-year report card and downloads the Excel file once', { timeout: TEST_TIMEOUT }, () =>
  withStack('half-year-report', async (stack) => {
    await run(TRYGGEST, ['demo-data', '--cases', '3000'], { cwd: stack.dir, env: stack.env });
    const [{ n: received }] = stack.query(
      `SELECT COUNT(*) AS n FROM cases WHERE municipality_id = '${DEMO_MUNICIPALITY}' ` +
        `AND created_at >= '${H1[0]}' AND created_at < '${H1[1]}'`,
    );
    assert.ok(received >= 3, `too few demo cases in 2026H1 to show: ${received}`);

    const chat = stack.chat;
    await chat.say('rapport 2026H1', { expect: ['Halvårsrapport for 1. halvår 2026', 'Meldinger mottatt'], among: true });
    const card = chat.cardShowing('Halvårsrapport for 1. halvår 2026');
    const shown = await chat.cardText(card);
    assert.match(shown, new RegExp(`Meldinger mottatt\\s+${received}\\b`));
    // The charts are drawn (the Playground renders Chart.* elements), not their tables.
    assert.ok((await card.locator('svg, canvas').count()) > 0, 'no chart drawn');
    await chat.shot('01-report-card');

    // The Playground draws Action.OpenUrl as a link that opens a new tab.
    const button = card.getByText('Last ned Excel', { exact: true });
    const file = await download(stack, () => button.click());
    const rows = readWorkbook(file);
    const all = rows.find((row) => row[0] === 'Meldinger i alt');
    assert.deepEqual(all, ['Meldinger i alt', received]);

    // The same button again: the link has been used.
    const again = await opened(stack, () => button.click());
    assert.match(again, /Lenken er allerede brukt/);
  }),
);

/** Does `click` and returns the path of the file the browser downloads from the new tab (the
 * tab closes itself once the download has begun, so it is listened to from its first moment). */
async function download(stack, click) {
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no download within 15 s')), 15_000);
    const take = (done) => {
      clearTimeout(timer);
      resolve(done);
    };
    // Chromium reports it on the new tab or, once that tab has turned into a download, on the
    // page that opened it.
    stack.context.once('page', (tab) => tab.once('download', take));
    stack.page.once('download', take);
  });
  await click();
  const done = await started;
  const target = path.join(stack.dir, done.suggestedFilename());
  await done.saveAs(target);
  return target;
}

/** Does `click` and returns the text of the page the new tab shows. */
async function opened(stack, click) {
  const pageOpened = stack.context.waitForEvent('page');
  await click();
  const tab = await pageOpened;
  await tab.waitForLoadState('domcontentloaded');
  const text = await tab.locator('body').innerText();
  await tab.close().catch(() => {});
  return text;
}

function readWorkbook(file) {
  assert.ok(fs.statSync(file).size > 0);
  const script =
    'import json, sys\nfrom openpyxl import load_workbook\n' +
    'rows = load_workbook(sys.argv[1]).worksheets[0].iter_rows(values_only=True)\n' +
    'print(json.dumps([[c for c in r if c is not None] for r in rows], default=str))';
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }));
}
