/**
 * The window end to end, in real headless Chromium, against the real `ftp-share --ui` web host,
 * with a real FTP client: settings, start, a session downloading and uploading megabytes (seen
 * live in Sessions, Transfers and the Log), Disconnect, read-only refusing an upload, Stop.
 * Every panel is screenshotted in the light and the dark theme (test-artifacts/screenshots/)
 * and checked with axe-core: no serious or critical violation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { axeLog, capturePanel, ensureRendererBuilt, freePort, ftpClient, launchChromium, repo, startUi } from './ui-helpers.js';

const DOWNLOAD_SIZE = 16 * 1024 * 1024;
const UPLOAD_SIZE = 6 * 1024 * 1024;
/** The client reads the download at about this speed, so the UI sees it in progress. */
const CLIENT_READ_BYTES_PER_SECOND = 3 * 1024 * 1024;

/** A sink that reads slowly: TCP backpressure then slows the server's sending. */
function slowSink(counter: { bytes: number }): Writable {
  return new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      setTimeout(callback, (chunk.length / CLIENT_READ_BYTES_PER_SECOND) * 1000);
    },
  });
}

const panel = (page: Page, name: RegExp) => page.getByRole('tab', { name });
const statusHeading = (page: Page) => page.locator('#share-status-title');

test('the window drives a real share end to end (Chromium + ftp-share --ui + basic-ftp)', { timeout: 240_000 }, async (t) => {
  await ensureRendererBuilt();
  const work = await mkdtemp(path.join(os.tmpdir(), 'ftp-share-e2e-ui-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const shared = path.join(work, 'Shared');
  const configDir = path.join(work, 'config');
  await import('node:fs/promises').then((fs) => fs.mkdir(shared, { recursive: true }));
  const download = randomBytes(DOWNLOAD_SIZE);
  await writeFile(path.join(shared, 'movie.bin'), download);

  const ui = await startUi(configDir, [shared]);
  t.after(() => ui.stop());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // CSP violations and React errors land here.
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.setDefaultTimeout(20_000);
  const a11y: string[] = [];

  await page.goto(ui.url);
  await page.getByRole('heading', { name: 'Not sharing' }).waitFor();
  await page.getByRole('list', { name: 'Shared folders' }).getByText('Shared', { exact: true }).waitFor();

  // --- Settings: a free port, writable, the account's credentials read off the window.
  const ftpPort = await freePort();
  const portField = page.getByRole('textbox', { name: 'Port', exact: true });
  await portField.fill(String(ftpPort));
  await portField.press('Enter');
  const readOnly = page.getByRole('switch', { name: 'Read-only' });
  assert.equal(await readOnly.isChecked(), true, 'read-only is on by default');
  await readOnly.click();
  await readOnly.and(page.locator(':not(:checked)')).waitFor();
  assert.equal(await page.getByRole('radio', { name: 'User name and password' }).isChecked(), true);
  const user = await page.getByRole('textbox', { name: 'User name' }).inputValue();
  await page.getByRole('button', { name: 'Show password' }).click();
  const password = await page.getByRole('textbox', { name: 'Password' }).inputValue();
  assert.ok(user.length > 0 && password.length >= 12, 'an account with a generated password');
  a11y.push(...(await capturePanel(page, 'share-stopped')));

  // --- Start.
  await page.getByRole('button', { name: 'Start sharing' }).click();
  await page.getByRole('heading', { name: 'Sharing', exact: true }).waitFor();
  assert.match(await page.locator('.status-detail').first().innerText(), new RegExp(`:${ftpPort}`));
  a11y.push(...(await capturePanel(page, 'share-running')));

  await panel(page, /Connect/).click();
  const shownUrl = await page.locator('.ftp-url').innerText();
  assert.match(shownUrl, new RegExp(`^ftp://.+:${ftpPort}`));
  await page.getByRole('img', { name: `QR code of ${shownUrl}` }).waitFor();
  await page.getByText(password, { exact: true }).waitFor();
  a11y.push(...(await capturePanel(page, 'connect')));

  // --- A real client: the session appears, a slow download shows progress, then finishes.
  const client = await ftpClient(ftpPort, user, password);
  t.after(() => client.close());
  await panel(page, /Sessions/).click();
  const sessionRow = page.locator('tr[data-session-id]').filter({ hasText: '127.0.0.1' });
  // The row appears at connection and gets its user once signed in.
  await sessionRow.locator('td.col-user', { hasText: user }).waitFor();

  const received = { bytes: 0 };
  const downloading = client.downloadTo(slowSink(received), '/movie.bin');
  await sessionRow.filter({ hasText: /movie\.bin/ }).waitFor();
  a11y.push(...(await capturePanel(page, 'sessions')));

  await panel(page, /Transfers/).click();
  const bar = page.getByRole('progressbar', { name: 'Sending movie.bin' });
  await bar.waitFor();
  // Progress between the ends: polled here, since the page's CSP (rightly) forbids the eval
  // that page.waitForFunction needs.
  const progress: number[] = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await page.waitForTimeout(50)) {
    const now = Number(await bar.getAttribute('aria-valuenow'));
    progress.push(now);
    if (now > 0 && now < 100) break;
  }
  const midway = progress.at(-1)!;
  assert.ok(midway > 0 && midway < 100, `the progress bar showed a transfer under way (saw ${progress.join(', ')})`);
  const activeRow = page.locator('li.transfer-row').filter({ hasText: 'movie.bin' });
  assert.match(await activeRow.innerText(), /of 16\.0 MB/);
  assert.match(await activeRow.innerText(), /\/s/);
  a11y.push(...(await capturePanel(page, 'transfers-active')));

  await downloading;
  assert.equal(received.bytes, DOWNLOAD_SIZE);
  const history = page.getByRole('region', { name: 'Finished transfers table' });
  await history.locator('tr').filter({ hasText: 'movie.bin' }).filter({ hasText: 'Done' }).waitFor();

  // Upload (read-only is off): arrives whole, and shows up as a finished upload.
  const upload = randomBytes(UPLOAD_SIZE);
  await client.uploadFrom(Readable.from([upload.subarray(0, UPLOAD_SIZE / 2), upload.subarray(UPLOAD_SIZE / 2)]), '/upload.bin');
  assert.equal((await stat(path.join(shared, 'upload.bin'))).size, UPLOAD_SIZE);
  assert.ok((await readFile(path.join(shared, 'upload.bin'))).equals(upload));
  const uploadRow = history.locator('tr').filter({ hasText: 'upload.bin' });
  await uploadRow.filter({ hasText: 'Done' }).waitFor();
  assert.equal(await uploadRow.getByText('Upload', { exact: true }).count(), 1);
  await page.locator('.stat').filter({ hasText: 'Completed' }).locator('dd', { hasText: /^2$/ }).waitFor();
  a11y.push(...(await capturePanel(page, 'transfers')));

  // --- The log has the session's lines; search narrows them.
  await panel(page, /Log/).click();
  const logList = page.getByRole('log', { name: 'Log lines' });
  await logList.waitFor();
  await page.getByRole('searchbox', { name: 'Search the log' }).fill('movie.bin');
  await logList.locator('.log-row').filter({ hasText: 'movie.bin' }).first().waitFor();
  const shownLines = await logList.locator('.log-text').allInnerTexts();
  assert.ok(shownLines.length > 0 && shownLines.every((l) => l.includes('movie.bin')), `only matching lines: ${shownLines.join(' | ')}`);
  await page.getByRole('searchbox', { name: 'Search the log' }).fill('');
  await logList.locator('.log-row').filter({ hasText: 'upload.bin' }).first().waitFor();
  a11y.push(...(await capturePanel(page, 'logs')));

  // --- Disconnect closes the client's session.
  await panel(page, /Sessions/).click();
  await page.getByRole('button', { name: /^Disconnect .*127\.0\.0\.1/ }).click();
  await sessionRow.waitFor({ state: 'detached' });
  await assert.rejects(client.send('NOOP'), 'the kicked client can no longer talk to the server');
  client.close();
  await page.getByText('No one is connected').waitFor();

  // --- Read-only again: a new client can sign in but its upload is refused.
  await panel(page, /Share/).click();
  await page.getByRole('switch', { name: 'Read-only' }).click();
  await page.getByRole('switch', { name: 'Read-only' }).and(page.locator(':checked')).waitFor();
  await page.getByRole('heading', { name: 'Sharing', exact: true }).waitFor();
  const reader = await ftpClient(ftpPort, user, password);
  t.after(() => reader.close());
  await assert.rejects(reader.uploadFrom(Readable.from([Buffer.from('nope')]), '/refused.txt'), (err: Error & { code?: number }) => {
    assert.ok(err.code !== undefined && err.code >= 500 && err.code < 600, `a 5xx refusal, got ${err.code}: ${err.message}`);
    return true;
  });
  await assert.rejects(stat(path.join(shared, 'refused.txt')), 'nothing was written');
  // The client can still download.
  const small = { bytes: 0 };
  await reader.downloadTo(new Writable({ write: (c: Buffer, _e, cb) => ((small.bytes += c.length), cb()) }), '/upload.bin');
  assert.equal(small.bytes, UPLOAD_SIZE);
  reader.close();

  // --- Stop: the server is gone.
  await page.getByRole('button', { name: 'Stop sharing' }).click();
  await page.getByRole('heading', { name: 'Not sharing' }).waitFor();
  await assert.rejects(ftpClient(ftpPort, user, password), 'nobody can connect after Stop');

  // --- The smallest supported window, for the record.
  await page.setViewportSize({ width: 640, height: 480 });
  a11y.push(...(await capturePanel(page, 'share-640x480')));
  await panel(page, /Log/).click();
  a11y.push(...(await capturePanel(page, 'logs-640x480')));

  const summary = axeLog.map((r) => ({ panel: r.panel, colorScheme: r.colorScheme, violations: r.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.length} node(s)`) }));
  await writeFile(path.join(repo, 'test-artifacts', 'axe-results.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const minor = axeLog.flatMap((r) => r.violations.map((v) => `${r.panel} (${r.colorScheme}): ${v.impact} ${v.id}`));
  if (minor.length > 0) t.diagnostic(`axe (all impacts): ${minor.join('; ')}`);
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
  assert.deepEqual(pageErrors, [], 'no page errors or console errors (CSP violations included)');
  assert.equal(await statusHeading(page).count(), 0, 'the Share panel is not shown on the Log tab');
});
