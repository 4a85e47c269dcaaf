// A real client for the browser tests: the bot on a fresh SQLite database, the Microsoft 365
// Agents Playground in front of it, and Debian's chromium driven by playwright-core.
//
// Every test file starts its own stack (free ports, its own temporary directory), so files can
// run side by side. Waits are on what the page shows, never on fixed sleeps: an action returns
// once the card it expects is the last one in the chat.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

// The bot dates reports by the real clock: the first case of a fresh database this year.
export const FIRST_CASE = `TE-${new Date().getUTCFullYear()}-0001`;
// What an answered card says in place of a name, a birth date, an address, the free text or a
// phone number: it does not repeat them, so they do not stay readable in the chat.
export const RECORDED = 'Registrert';

// The mock tenant of .m365agentsplayground.yml and the demo data of tools/demo.py.
export const PLAYGROUND_TENANT = '0d3a0e55-7e57-4b0e-9d10-de30c0a11111';
export const INGRID = '6f1c2a10-0000-4000-8000-000000000001';
export const DEMO_MUNICIPALITY = 'demo0000000000000000000000000001';
export const DEMO_TEAM = 'demo0000000000000000000000000010';
// The Playground's team (.m365agentsplayground.yml `team.name`) and its extra channel.
export const PLAYGROUND_TEAM = 'TryggEst operativt team';
export const CASE_CHANNEL = 'Saker';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'playground');
const execFileAsync = promisify(execFile);
const TRYGGEST = path.join(ROOT, '.venv', 'bin', 'tryggest');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Without these Debian's chromium stalls on a closed network (DESIGN.md, "Where to find things offline").
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
// Long enough for a slow CI machine, short enough that a hang fails the test well within budget.
const STEP_TIMEOUT = 15_000;
const START_TIMEOUT = 30_000;
// A test that has not stopped its stack by then is stuck: stop everything and exit, because the
// processes and the browser would otherwise keep this test file (and `make test`) alive forever.
const WATCHDOG = 100_000;
export const TEST_TIMEOUT = 90_000;

// Anything the developer's shell sets for a real deployment must not reach the test bot.
const SCRUBBED = [
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  'TRYGGEST_DATA_KEYS',
  'TRYGGEST_PUBLIC_DOMAIN',
  'PORT',
  'DATABASE_URL',
];

export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

function elapsed(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

export async function waitFor(what, check, timeout, alive) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    alive?.();
    if (Date.now() > deadline) {
      const described = typeof what === 'function' ? await what() : what;
      throw new Error(`timed out after ${timeout} ms waiting for ${described}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/**
 * Processes started here. Each test stops its own in a `finally`; this is the last resort when
 * the test process exits without getting there (a timeout, an uncaught error). SIGTERM, not
 * SIGKILL: scripts/playground.sh needs it to stop the Playground's node process too.
 */
const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
});

async function stopProcess(child, signal = 'SIGTERM', grace = 5_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), grace);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

/**
 * Start everything one test file needs. `name` prefixes the screenshots.
 * Returns a Stack; call `stack.stop()` in a finally/after hook.
 */
export async function startStack(name, env = {}) {
  const started = Date.now();
  // The artefacts of this test's last run go; they are replaced by this run's.
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const file of fs.readdirSync(ARTIFACTS)) {
    if (file.startsWith(`${name}-`)) fs.rmSync(path.join(ARTIFACTS, file), { force: true });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tryggest-pw-${name}-`));
  const stack = new Stack(name, dir, env);
  stack.watchdog = setTimeout(() => {
    console.error(`${name}: still running after ${WATCHDOG / 1000} s; stopping everything`);
    process.exitCode = 1;
    stack.stop({ failed: true }).finally(() => process.exit(1));
  }, WATCHDOG);
  stack.watchdog.unref();
  try {
    await stack.start();
  } catch (error) {
    await stack.stop({ failed: true });
    throw error;
  }
  stack.log(`stack up in ${elapsed(started)} (bot :${stack.botPort}, ${stack.playgroundUrl})`);
  return stack;
}

/** Runs `body(stack)` on a stack of its own, and stops the stack whatever happens. */
export async function withStack(name, body, env = {}) {
  const stack = await startStack(name, env);
  let passed = false;
  try {
    await body(stack);
    passed = true;
  } finally {
    await stack.stop({ failed: !passed });
  }
}

class Stack {
  constructor(name, dir, env = {}) {
    this.name = name;
    this.dir = dir;
    this.dbPath = path.join(dir, 'tryggest.db');
    this.botLog = path.join(dir, 'bot.log');
    this.playgroundLog = path.join(dir, 'playground.log');
    this.env = { ...process.env };
    for (const key of SCRUBBED) delete this.env[key];
    Object.assign(this.env, {
      DATABASE_URL: `sqlite:///${this.dbPath}`,
      TRYGGEST_FORCE_LOCALE: 'nb-NO',
      TRYGGEST_KEY_FILE: path.join(dir, 'tryggest-data.key'),
      ...env,
    });
    this.shots = [];
    this.t0 = Date.now();
  }

  log(message) {
    if (process.env.PLAYGROUND_TEST_VERBOSE) console.log(`[${this.name} ${elapsed(this.t0)}] ${message}`);
  }

  async start() {
    // The three start independently (the Playground calls the bot only once a page is open),
    // so they start side by side; every one has finished, or failed, before this returns.
    this.botPort = await freePort();
    const results = await Promise.allSettled([this.startBot(), this.startPlayground(), this.startBrowser()]);
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;

    this.page = await this.context.newPage();
    this.pageErrors = [];
    this.page.on('pageerror', (error) => this.pageErrors.push(error.message));
    this.page.setDefaultTimeout(STEP_TIMEOUT);
    await this.page.goto(this.playgroundUrl, { waitUntil: 'domcontentloaded' });
    this.chat = new Chat(this);
    // Every page load installs the app again, and the bot answers with its welcome card (in
    // bokmål, or in the language TRYGGEST_FORCE_LOCALE gives it).
    await this.chat.waitForLastCard('er TryggEst');
    // The Playground's log panel covers the right half of the chat, where the person's own
    // messages are.
    const hide = this.page.getByRole('button', { name: 'Hide log panel' });
    if (await hide.isVisible()) {
      await hide.click();
      await hide.waitFor({ state: 'hidden' });
    }
  }

  async startBot() {
    const run = (args) => execFileAsync(TRYGGEST, args, { cwd: this.dir, env: this.env });
    await run(['db', 'upgrade']);
    await run(['demo-data']);

    const botOut = fs.openSync(this.botLog, 'a');
    this.bot = spawn(TRYGGEST, ['serve'], {
      cwd: this.dir,
      env: { ...this.env, PORT: String(this.botPort) },
      stdio: ['ignore', botOut, botOut],
    });
    fs.closeSync(botOut);
    running.add(this.bot);
    await waitFor(
      `http://127.0.0.1:${this.botPort}/healthz`,
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${this.botPort}/healthz`)).ok;
        } catch {
          return false;
        }
      },
      START_TIMEOUT,
      () => {
        if (this.bot.exitCode !== null) throw new Error(`the bot exited at start:\n${tail(this.botLog)}`);
      },
    );
  }

  async startPlayground() {
    // scripts/playground.sh prints the real address: the Playground takes another port without
    // a word when the one asked for is busy.
    const wanted = await freePort();
    this.playground = spawn('bash', [path.join(ROOT, 'scripts', 'playground.sh')], {
      cwd: ROOT,
      env: {
        ...this.env,
        BOT_ENDPOINT: `http://127.0.0.1:${this.botPort}/api/messages`,
        PLAYGROUND_PORT: String(wanted),
        PLAYGROUND_LOG: this.playgroundLog,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.playground);
    let output = '';
    this.playground.stdout.setEncoding('utf8');
    this.playground.stderr.setEncoding('utf8');
    this.playground.stdout.on('data', (chunk) => (output += chunk));
    this.playground.stderr.on('data', (chunk) => (output += chunk));
    const address = /Agents Playground: (http:\/\/\S+)/;
    await waitFor(
      'the Agents Playground address',
      () => address.test(output),
      START_TIMEOUT,
      () => {
        if (this.playground.exitCode !== null) throw new Error(`the Playground did not start:\n${output}`);
      },
    );
    this.playgroundUrl = output.match(address)[1];
  }

  async startBrowser() {
    this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    // Tall enough that a whole summary card fits in one screenshot: the chat scrolls inside the
    // page, so a "full page" screenshot is what the viewport shows.
    this.context = await this.browser.newContext({
      viewport: { width: 900, height: 1800 },
      locale: 'nb-NO',
      timezoneId: 'Europe/Oslo',
    });
    // Offline by design: fonts and telemetry from Microsoft's CDN are refused at once rather
    // than left to time out.
    await this.context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === 'localhost' || host === '127.0.0.1' ? route.continue() : route.abort();
    });
  }

  /**
   * Stops the browser, the Playground and the bot. On failure a screenshot, both logs and the
   * database are kept with the artefacts.
   */
  async stop({ failed = false } = {}) {
    clearTimeout(this.watchdog);
    if (failed && this.page) {
      try {
        await this.chat?.shot('failure');
      } catch {
        // the page may be gone
      }
    }
    try {
      await this.browser?.close();
    } catch {
      // already closed
    }
    // playground.sh turns SIGTERM into the Playground's graceful SIGINT and waits for it.
    await stopProcess(this.playground, 'SIGTERM', 8_000);
    await stopProcess(this.bot, 'SIGTERM', 5_000);
    if (failed) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      for (const [from, to] of [
        [this.botLog, `${this.name}-bot.log`],
        [this.playgroundLog, `${this.name}-playground.log`],
        [this.dbPath, `${this.name}-tryggest.db`],
      ]) {
        try {
          fs.copyFileSync(from, path.join(ARTIFACTS, to));
        } catch {
          // nothing written
        }
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Opens a conversation from the Playground's list, as a person clicks it: 'Personal Chat', or
   * one of the team's channels by its name ('Saker'); a channel is returned as a Channel.
   * The first time a channel is opened the Playground tells the bot it was added to the team
   * (installationUpdate, conversationUpdate): not before.
   */
  async open(conversation) {
    const list = this.page.getByRole('region', { name: 'Chat and Teams Channel' });
    const { width, height } = this.page.viewportSize();
    if (width < 1400) {
      // In a narrow window the Playground keeps its conversation list off-screen (though
      // "visible") behind the ≡ button, as a drawer over the chat that stays open after a pick
      // and then takes every click meant for the chat. This wide it stands beside the chat.
      await this.page.setViewportSize({ width: 1400, height });
    }
    const channel = conversation === 'Personal Chat' ? null : conversation;
    // A channel's entry is named "<team> - <channel>"; its view starts with a "new post" box.
    const label = channel ? `${PLAYGROUND_TEAM} - ${channel}` : conversation;
    const entry = list.getByRole('treeitem', { name: label, exact: true });
    await waitFor(
      `the Playground's conversation list to show "${label}"`,
      async () => {
        const box = await entry.boundingBox();
        return box !== null && box.x >= 0 && box.x + box.width <= this.page.viewportSize().width;
      },
      STEP_TIMEOUT,
    );
    // The wide layout brings the log panel back (it was hidden in the narrow one), and the
    // panel lists what the person typed, e.g. a phone number.
    const hide = this.page.getByRole('button', { name: 'Hide log panel' });
    if (await hide.isVisible()) {
      await hide.click();
      await hide.waitFor({ state: 'hidden' });
    }
    await entry.click();
    const newPost = this.page.getByText('Start a new post', { exact: true });
    await newPost.waitFor({ state: channel ? 'visible' : 'hidden' });
    this.log(`opened ${label}`);
    return channel ? new Channel(this, channel) : this.chat;
  }

  /** Rows from the test's SQLite database, as objects. */
  query(sql) {
    let out;
    try {
      out = execFileSync('sqlite3', ['-json', this.dbPath, sql], { encoding: 'utf8' });
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
      // No sqlite3 CLI: the same through the venv's Python.
      const script =
        'import json, sqlite3, sys\n' +
        'c = sqlite3.connect(sys.argv[1]); c.row_factory = sqlite3.Row\n' +
        'print(json.dumps([dict(r) for r in c.execute(sys.argv[2])]))';
      out = execFileSync(PYTHON, ['-c', script, this.dbPath, sql], { encoding: 'utf8' });
    }
    return out.trim() ? JSON.parse(out) : [];
  }
}

/** The personal chat as Ingrid Solberg sees it in the Playground. */
class Chat {
  constructor(stack) {
    this.stack = stack;
    this.page = stack.page;
  }

  cards() {
    return this.page.locator('.ac-adaptiveCard');
  }

  lastCard() {
    return this.cards().last();
  }

  /**
   * Waits until there are more than `after` cards and the last one shows every one of `texts`.
   * Returns how long that took, in ms.
   */
  async waitForLastCard(texts, after = 0) {
    const started = Date.now();
    await waitFor(
      async () =>
        `card ${after + 1} or later to show ${JSON.stringify(texts)}; the last card shows ` +
        JSON.stringify(await this.lastCardText()),
      async () => {
        if ((await this.cardCount()) <= after) return false;
        const shown = await this.lastCardText();
        return [texts].flat().every((t) => shown.includes(t));
      },
      STEP_TIMEOUT,
    );
    return Date.now() - started;
  }

  /**
   * Waits until one of the cards after the first `after` shows every one of `texts`, whatever
   * came after it: a report's receipt is followed a moment later by the coordinator's preview
   * of its free text (in the demo Ingrid coordinates, tools/demo.py). Returns how long it took.
   */
  async waitForNewCard(texts, after = 0) {
    const started = Date.now();
    const wanted = [texts].flat();
    let shown = [];
    await waitFor(
      () => `a card after card ${after} to show ${JSON.stringify(wanted)}; they show ${JSON.stringify(shown)}`,
      async () => {
        shown = (await this.allCardTexts()).slice(after);
        return shown.some((card) => wanted.every((t) => card.includes(t)));
      },
      STEP_TIMEOUT,
    );
    return Date.now() - started;
  }

  /** The card (the newest one) that shows `title`, e.g. a case number. */
  cardShowing(title) {
    return this.cards().filter({ hasText: title }).last();
  }

  /** What a person reads on the card (innerText, as laid out; no-break spaces as spaces). */
  async cardText(card) {
    return (await card.innerText()).replace(/\u00a0/g, ' ');
  }

  async lastCardText() {
    return this.page.evaluate(() => {
      const all = document.querySelectorAll('.ac-adaptiveCard');
      return all.length ? all[all.length - 1].innerText.replace(/\u00a0/g, ' ') : '';
    });
  }

  async cardCount() {
    return this.cards().count();
  }

  /** The titles of the last card's buttons, in the order shown. */
  async buttons() {
    return (await this.lastCard().getByRole('button').allInnerTexts()).map((t) => t.trim());
  }

  /** The text of every card in the chat, oldest first. */
  async allCardTexts() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.ac-adaptiveCard')].map((c) => c.innerText.replace(/\u00a0/g, ' ')),
    );
  }

  /**
   * Does `act`, then waits until a new card is the last one and shows `expect`; with `answered`,
   * also until the card that was last before (the question just answered) has been replaced by
   * the read-only "✓ answer" card; with `closed`, until it reads exactly that; with `inPlace`,
   * until the last card itself shows `expect` (no new card); with `among`, until any of the new
   * cards shows it, whatever came after it.
   */
  async step(description, act, { expect, answered, closed, inPlace = false, among = false }) {
    const before = await this.cardCount();
    await act();
    // inPlace: the bot replaced the last card itself (the "Avbryt" question and back again).
    const ms = among
      ? await this.waitForNewCard(expect, before)
      : await this.waitForLastCard(expect, inPlace ? before - 1 : before);
    const replaced = answered !== undefined ? `✓ ${answered}` : closed;
    if (replaced !== undefined) {
      const card = this.cards().nth(before - 1);
      let shown = '';
      await waitFor(
        () => `card ${before} to be replaced by "${replaced}" (it shows ${JSON.stringify(shown)})`,
        async () => (shown = await this.cardText(card)).includes(replaced),
        STEP_TIMEOUT,
      );
    }
    this.stack.log(`${description} -> ${[expect].flat().join(' / ')} (${ms} ms)`);
  }

  /** Types into the compose box and sends with Enter. */
  async say(text, expectations) {
    await this.step(
      `says "${text}"`,
      async () => {
        const editor = this.page.locator('[data-lexical-editor=true]').first();
        await editor.click();
        await this.page.keyboard.type(text);
        await this.page.keyboard.press('Enter');
      },
      expectations,
    );
  }

  /** Presses a button on the last card (or on `scope`). */
  async press(name, expectations, scope) {
    await this.step(
      `presses [${name}]`,
      async () => {
        await (scope ?? this.lastCard()).getByRole('button', { name, exact: true }).click();
      },
      expectations,
    );
  }

  /** Ticks boxes of a multi-select on the last card. */
  async tick(...labels) {
    for (const label of labels) {
      const box = this.lastCard().getByRole('checkbox', { name: label, exact: true });
      await box.check();
    }
  }

  /** Picks an option of a single-choice list on the last card: radio buttons or a drop-down. */
  async choose(label) {
    const card = this.lastCard();
    const radio = card.getByRole('radio', { name: label, exact: true });
    if (await radio.count()) {
      await radio.check();
      return;
    }
    const select = card.locator('select');
    if (await select.count()) {
      await select.first().selectOption({ label });
      return;
    }
    await card.getByRole('combobox').last().click();
    await this.page.getByRole('option', { name: label, exact: true }).last().click();
  }

  /** Fills the text input of the last card. */
  async fill(text) {
    await this.lastCard().locator('input, textarea').first().fill(text);
  }

  /** One summary row (a part with its "Endre" button), by the part's title. */
  summaryPart(title) {
    // The renderer draws a ColumnSet as nested .ac-container elements: the row is the one that
    // holds both the part's title and its button.
    return this.lastCard()
      .locator('.ac-container')
      .filter({ has: this.page.getByText(title, { exact: true }) })
      .filter({ has: this.page.getByRole('button', { name: 'Endre', exact: true }) })
      .last();
  }

  /** A full-page screenshot into test-artifacts/playground/, kept by CI. */
  async shot(name) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // The newest card at the bottom of the view, as a person sees it.
    await this.lastCard().scrollIntoViewIfNeeded().catch(() => {});
    const file = path.join(ARTIFACTS, `${this.stack.name}-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    this.stack.shots.push(file);
    return file;
  }
}

/**
 * A team channel as Ingrid sees it in the Playground: a "Start a new post" box, then one thread
 * per post, each a role=group with the post's card, its replies and a reply box. Only the open
 * conversation is in the page, so every card here is the channel's.
 */
class Channel {
  constructor(stack, name) {
    this.stack = stack;
    this.page = stack.page;
    this.name = name;
  }

  cards() {
    return this.page.locator('.ac-adaptiveCard');
  }

  /**
   * The card that starts the thread whose card shows `title` (e.g. "Sak TE-2026-0001"). A ShowCard
   * form opens as an .ac-adaptiveCard of its own inside it, without the title.
   */
  card(title) {
    return this.cards().filter({ hasText: title }).first();
  }

  /** How many cards in the channel show `title`: a card updated in place stays one. */
  async count(title) {
    return this.cards().filter({ hasText: title }).count();
  }

  async cardText(title) {
    const card = this.card(title);
    if (!(await card.count())) return '';
    return (await card.innerText()).replace(/\u00a0/g, ' ');
  }

  /** Everything the page shows while the channel is open, as a person reads it. */
  async pageText() {
    return this.page.evaluate(() => document.body.innerText.replace(/\u00a0/g, ' '));
  }

  /**
   * Waits, up to `timeout` ms, until the card showing `title` is in the channel and shows every
   * one of `texts` and none of `gone`. Returns how long that took, in ms.
   */
  async waitForCard(title, texts = [], { gone = [], timeout = STEP_TIMEOUT } = {}) {
    const started = Date.now();
    let shown = '';
    await waitFor(
      () =>
        `the card "${title}" in ${this.name} to show ${JSON.stringify([texts].flat())}` +
        (gone.length ? ` and not ${JSON.stringify(gone)}` : '') +
        `; it shows ${JSON.stringify(shown)}`,
      async () => {
        shown = await this.cardText(title);
        return (
          shown.includes(title) &&
          [texts].flat().every((t) => shown.includes(t)) &&
          [gone].flat().every((t) => !shown.includes(t))
        );
      },
      timeout,
    );
    return Date.now() - started;
  }

  /** The titles of the card's buttons, in the order shown (a form's own buttons once open). */
  async buttons(title) {
    return (await this.card(title).getByRole('button').allInnerTexts()).map((t) => t.trim());
  }

  /**
   * Presses a button of the card (an Action.Execute): the Playground sends an
   * adaptiveCard/action invoke and puts the card the bot answers in the old one's place. Waits
   * until the card shows `expect` and none of `gone`.
   */
  async press(title, name, { expect = [], gone = [] } = {}) {
    await this.card(title).getByRole('button', { name, exact: true }).click();
    const ms = await this.waitForCard(title, expect, { gone });
    this.stack.log(`${this.name}: presses [${name}] -> ${[expect].flat().join(' / ')} (${ms} ms)`);
    return ms;
  }

  /** Opens one of the card's ShowCard forms (e.g. "Vurder"): its inputs show under the buttons. */
  async openForm(title, name) {
    const button = this.card(title).getByRole('button', { name, exact: true });
    await button.click();
    await waitFor(
      `the form "${name}" to open`,
      async () => (await button.getAttribute('aria-expanded')) === 'true',
      STEP_TIMEOUT,
    );
  }

  /** Picks an option of a radio-button list on the card (an open form's). */
  async choose(title, label) {
    await this.card(title).getByRole('radio', { name: label, exact: true }).check();
  }

  /** A full-page screenshot into test-artifacts/playground/, with the card in view. */
  async shot(name, title) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    if (title) await this.card(title).scrollIntoViewIfNeeded().catch(() => {});
    const file = path.join(ARTIFACTS, `${this.stack.name}-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    this.stack.shots.push(file);
    return file;
  }
}
