/**
 * The window keeps people's trust, end to end in real headless Chromium against real
 * `ftp-share --ui` processes and real FTP clients:
 * - a change that restarts sharing asks first while people are connected, and a password change
 *   applies without disconnecting anyone;
 * - turning anonymous access off brings back the same password, even after a reload;
 * - at 420 px wide nothing scrolls sideways, on any panel;
 * - when the process stops the page says so (never "Sharing"), and when it is started again on
 *   the same UI port, it says to open the new address instead of reconnecting forever.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, ensureRendererBuilt, freePort, ftpClient, launchChromium, sidewaysScrolling, startUi, type UiProcess } from './ui-helpers.js';

const LONG_NAME = 'a-very-long-file-name-as-phones-make-them-IMG_20240101_123456789-edited-final.jpeg';

/** Whether a login with these credentials succeeds; the connection is closed either way. */
async function canLogin(port: number, user: string, password: string): Promise<boolean> {
  const client = await ftpClient(port, user, password).catch(() => undefined);
  client?.close();
  return client !== undefined;
}

const sink = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });

interface Setup {
  work: string;
  shared: string;
  configDir: string;
  browser: Browser;
}

async function setUp(t: TestContext): Promise<Setup> {
  await ensureRendererBuilt();
  const work = await mkdtemp(path.join(os.tmpdir(), 'ftp-share-e2e-trust-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const shared = path.join(work, 'Shared');
  await mkdir(shared, { recursive: true });
  await writeFile(path.join(shared, 'hello.txt'), 'hello');
  await writeFile(path.join(shared, LONG_NAME), 'a photo');
  const browser = await launchChromium();
  t.after(() => browser.close());
  return { work, shared, configDir: path.join(work, 'config'), browser };
}

/** `ftp-share --ui` on the set-up's folder (stopped after the test) and a page showing it. */
async function openUi(t: TestContext, setup: Setup, options: { width?: number; uiPort?: number } = {}): Promise<{ ui: UiProcess; page: Page }> {
  const ui = await startUi(setup.configDir, [setup.shared], options.uiPort === undefined ? {} : { uiPort: options.uiPort });
  t.after(() => ui.stop());
  return { ui, page: await openPage(t, setup.browser, ui, options.width) };
}

/** A page on `ui`, its window `width` px wide. */
async function openPage(t: TestContext, browser: Browser, ui: UiProcess, width = 1100): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(ui.url);
  await page.getByRole('heading', { name: 'Not sharing' }).waitFor();
  return page;
}

/** Sets a free FTP port and starts sharing; returns the port and the account shown. */
async function startSharing(page: Page): Promise<{ port: number; user: string; password: string }> {
  const port = await freePort();
  const field = page.getByRole('textbox', { name: 'Port', exact: true });
  await field.fill(String(port));
  await field.press('Enter');
  await page.getByRole('textbox', { name: 'Port', exact: true }).and(page.locator(`[value="${port}"]`)).waitFor();
  const user = await page.getByRole('textbox', { name: 'User name' }).inputValue();
  const password = await page.getByRole('textbox', { name: 'Password' }).inputValue();
  await page.getByRole('button', { name: 'Start sharing' }).click();
  await page.getByRole('heading', { name: 'Sharing', exact: true }).waitFor();
  return { port, user, password };
}

const statusTitle = (page: Page) => page.locator('#share-status-title');

/** Serious and critical axe-core violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  return (await axeViolations(page))
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
}

test('a restart asks first while people are connected; a new password applies without disconnecting anyone', { timeout: 120_000 }, async (t) => {
  const { page } = await openUi(t, await setUp(t));
  const { port, user, password } = await startSharing(page);
  const first = await ftpClient(port, user, password);
  t.after(() => first.close());
  const second = await ftpClient(port, user, password);
  t.after(() => second.close());
  await page.getByRole('tab', { name: /Sessions/ }).locator('.tab-badge', { hasText: '2' }).waitFor();

  // A new password: no question, nobody disconnected, new logins need it.
  const newPassword = 'typed-in-the-window-7kq2';
  const passwordField = page.getByRole('textbox', { name: 'Password' });
  await passwordField.fill(newPassword);
  await passwordField.press('Enter');
  for (const deadline = Date.now() + 10_000; await canLogin(port, user, password); await page.waitForTimeout(100)) {
    assert.ok(Date.now() < deadline, 'the old password still logs in');
  }
  assert.ok(await canLogin(port, user, newPassword));
  assert.equal(await page.getByRole('alertdialog').count(), 0, 'nothing to confirm for a password');
  await first.send('NOOP');
  await second.downloadTo(sink(), 'hello.txt');
  // The logins tried meanwhile have ended: two people are connected.
  const sessionsBadge = page.getByRole('tab', { name: /Sessions/ }).locator('.tab-badge');
  const badgeText = async () => ((await sessionsBadge.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  for (const deadline = Date.now() + 10_000; (await badgeText()) !== '2 connected'; await page.waitForTimeout(100)) {
    assert.ok(Date.now() < deadline, `the Sessions tab says ${await badgeText()}`);
  }

  // A new port: the window asks, naming how many people it would disconnect.
  const newPort = await freePort();
  const portField = page.getByRole('textbox', { name: 'Port', exact: true });
  await portField.fill(String(newPort));
  await portField.press('Enter');
  const question = page.getByRole('alertdialog', { name: '2 people will be disconnected' });
  await question.waitFor();
  assert.match(await question.innerText(), /Changing the port restarts sharing/);
  assert.deepEqual(await seriousViolations(page), [], 'the question is accessible');
  await question.getByRole('button', { name: 'Cancel' }).click();
  await question.waitFor({ state: 'detached' });
  assert.equal(await portField.inputValue(), String(port), 'the field shows the port still in use');
  await first.send('NOOP');
  await second.send('NOOP');
  assert.match(await page.locator('.status-detail').first().innerText(), new RegExp(`:${port}/`));

  // Confirmed: sharing restarts on the new port; both clients were disconnected.
  await portField.fill(String(newPort));
  await portField.press('Enter');
  await question.getByRole('button', { name: 'Restart sharing' }).click();
  await page.locator('.status-detail', { hasText: `:${newPort}/` }).waitFor();
  await assert.rejects(first.send('NOOP'), 'the restart disconnected the first client');
  await assert.rejects(second.send('NOOP'), 'and the second');
  assert.ok(await canLogin(newPort, user, newPassword));
});

test('turning anonymous access off restores the same password, even after a reload', { timeout: 120_000 }, async (t) => {
  const { page } = await openUi(t, await setUp(t));
  const { port, user, password } = await startSharing(page);

  await page.getByRole('radio', { name: 'Anyone (anonymous)' }).click();
  await page.getByText('People can sign in with any user name and password').waitFor();
  assert.ok(await canLogin(port, 'anonymous', 'guest@'));

  // A reload forgets everything the page knew: the share itself kept the account.
  await page.reload();
  await page.getByRole('heading', { name: 'Sharing', exact: true }).waitFor();
  await page.getByRole('radio', { name: 'User name and password' }).click();
  const passwordField = page.getByRole('textbox', { name: 'Password' });
  await passwordField.waitFor();
  assert.equal(await passwordField.inputValue(), password, 'the same password as before');
  assert.equal(await page.getByRole('textbox', { name: 'User name' }).inputValue(), user);
  assert.ok(await canLogin(port, user, password));
  assert.equal(await canLogin(port, 'anonymous', 'guest@'), false, 'anonymous logins are refused again');
});

test('at 420 px wide nothing scrolls sideways, on any panel', { timeout: 120_000 }, async (t) => {
  const { page } = await openUi(t, await setUp(t), { width: 420 });
  // FTPS on before anyone connects (later it would restart sharing, and ask).
  await page.getByRole('radio', { name: 'Explicit' }).click();
  await page.getByText('No certificate yet').waitFor();
  const { port, user, password } = await startSharing(page);
  // Rows in every table: a session, finished transfers with a long name, log lines.
  const client = await ftpClient(port, user, password);
  t.after(() => client.close());
  await client.downloadTo(sink(), 'hello.txt');
  await client.downloadTo(sink(), LONG_NAME);

  const problems: string[] = [];
  const check = async (where: string) => {
    const found = await sidewaysScrolling(page);
    if (found.scrollWidth > 420) problems.push(`${where}: the page is ${found.scrollWidth} px wide`);
    for (const scroller of found.scrollers) problems.push(`${where}: ${scroller}`);
  };
  assert.equal((await sidewaysScrolling(page)).viewport, 420);
  await page.getByText('SHA-256 fingerprint').waitFor();
  await check('Share');
  for (const [name, ready] of [
    ['Connect', '.big-url'],
    ['Sessions', 'tr[data-session-id]'],
    ['Transfers', `tr:has-text("${LONG_NAME.slice(0, 20)}")`],
    ['Log', '.log-row'],
  ] as const) {
    await page.getByRole('tab', { name: new RegExp(name) }).click();
    await page.locator(ready).first().waitFor();
    await check(name);
  }
  // The question too.
  await page.getByRole('tab', { name: /Share/ }).click();
  const portField = page.getByRole('textbox', { name: 'Port', exact: true });
  await portField.fill(String(await freePort()));
  await portField.press('Enter');
  await page.getByRole('alertdialog', { name: '1 person will be disconnected' }).waitFor();
  await check('the confirmation');
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(problems, []);
});

test('after ftp-share --ui stops the page says so, and to open the new address once it runs again', { timeout: 120_000 }, async (t) => {
  const setup = await setUp(t);
  const uiPort = await freePort();
  const { ui, page } = await openUi(t, setup, { uiPort });
  await startSharing(page);
  const barStatus = page.getByRole('contentinfo', { name: 'Status' }).getByRole('status');
  assert.match(await barStatus.innerText(), /^Sharing/);

  await ui.stop();
  await page.getByRole('alert').filter({ hasText: 'FTP Share has stopped' }).waitFor();
  assert.equal(await statusTitle(page).innerText(), 'FTP Share has stopped');
  assert.equal(await barStatus.innerText(), 'FTP Share has stopped', 'the status bar no longer says Sharing');
  assert.equal(await page.getByRole('button', { name: 'Stop sharing' }).count(), 0);

  // The same UI port, a new run (and so a new token).
  const again = await startUi(setup.configDir, [setup.shared], { uiPort });
  t.after(() => again.stop());
  assert.notEqual(again.url, ui.url);
  assert.ok(again.url.startsWith(`http://127.0.0.1:${uiPort}/`));
  const banner = page.getByRole('alert').filter({ hasText: 'open the new address printed in the terminal' });
  await banner.waitFor({ timeout: 30_000 });
  assert.doesNotMatch(await banner.innerText(), /Reconnecting/);
  assert.equal(await statusTitle(page).innerText(), 'FTP Share has stopped');
  assert.deepEqual(await seriousViolations(page), [], 'the stopped page is accessible');
  // It stays that way: the page does not keep knocking with an old token.
  await page.waitForTimeout(6_000);
  assert.equal(await banner.count(), 1);
  assert.equal(await page.getByText(/Reconnecting/).count(), 0);

  // The new address works.
  await page.goto(again.url);
  await page.getByRole('heading', { name: 'Not sharing' }).waitFor();
});
