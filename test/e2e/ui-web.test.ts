/**
 * The "Done when", end to end in real headless Chromium against a real `ftp-share --ui`:
 * a new user starts sharing a writable folder from the window, and a phone (an iPhone-sized touch
 * browser, its own context) opens what the Connect panel's QR code carries — the folder shows
 * without typing anything, a photo downloads byte for byte, a file uploads — while the window's
 * Sessions panel shows that phone as a Web session ("Safari on iPhone") and the Transfers panel
 * its download and upload.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { qrPath } from '../../renderer/qr-path.js';
import { digestOf, fileDigest, sha256 } from '../helpers/digests.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { bytesOfLink, DEVICES } from '../http/page-fixture.js';
import { axeViolations, ensureRendererBuilt, freePort, launchChromium, startUi } from './ui-helpers.js';

test('a phone opens the QR code, sees the folder without typing, downloads and uploads; the window shows its Web session and transfers', { timeout: 180_000 }, async (t) => {
  await ensureRendererBuilt();
  const work = await tempDir(t, 'ftp-share-e2e-web-');
  const shared = path.join(work, 'Photos');
  await mkdir(shared);
  const photo = randomBytes(300_000);
  await writeFile(path.join(shared, 'beach.jpg'), photo);

  const ui = await startUi(path.join(work, 'config'), [shared]);
  t.after(() => ui.stop());
  const browser = await launchChromium();
  t.after(() => browser.close());

  // --- The desktop window: a writable share on free ports, web page on.
  const desk = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  t.after(() => desk.close());
  const page = await desk.newPage();
  page.setDefaultTimeout(20_000);
  const windowErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') windowErrors.push(m.text());
  });
  await page.goto(ui.url);
  await page.getByRole('heading', { name: 'Not sharing' }).waitFor();
  const setPort = async (name: string, port: number) => {
    const field = page.getByRole('textbox', { name, exact: true });
    await field.fill(String(port));
    await field.press('Enter');
    await page.getByRole('textbox', { name, exact: true }).and(page.locator(`[value="${port}"]`)).waitFor();
  };
  const webSwitch = page.getByRole('switch', { name: 'Web page for phones and browsers' });
  assert.equal(await webSwitch.isChecked(), true, 'the web page is on by default');
  await setPort('Port', await freePort());
  const webPort = await freePort();
  await setPort('Web page port', webPort);
  const readOnly = page.getByRole('switch', { name: 'Read-only' });
  if (await readOnly.isChecked()) await readOnly.click();
  await readOnly.and(page.locator(':not(:checked)')).waitFor();
  await page.getByRole('button', { name: 'Start sharing' }).click();
  await page.getByRole('heading', { name: 'Sharing', exact: true }).waitFor();

  // --- Connect: the web address leads; its QR code carries the sign-in link shown under it.
  await page.getByRole('tab', { name: /Connect/ }).click();
  const webUrl = await page.locator('.big-url').innerText();
  assert.match(webUrl, new RegExp(`^http://[^/]+:${webPort}/$`), 'the web address leads the panel');
  await page.getByText('Anyone who scans this code can get in').waitFor();
  await page.locator('.signin-link summary').click();
  const link = (await page.locator('.signin-link .copy-value').innerText()).trim();
  assert.ok(link.startsWith(webUrl) && link.length > webUrl.length, `the sign-in link is the web address with a token (${link})`);
  const webQr = page.getByRole('img', { name: `QR code of ${webUrl}` });
  assert.equal(await webQr.locator('path').getAttribute('d'), qrPath(link).path, 'the QR code carries exactly the sign-in link');
  // The ftp:// address keeps its own code.
  const user = await page.locator('.copy-row', { hasText: 'User name' }).locator('.copy-value').innerText();
  const ftpUrl = await page.locator('.ftp-url').innerText();
  assert.match(ftpUrl, /^ftp:\/\//);
  await page.getByRole('img', { name: `QR code of ${ftpUrl}` }).waitFor();
  const problems = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(problems, [], 'the Connect panel has no serious accessibility problem');

  // --- The phone: "scans" the code (opens its link) in its own browser, types nothing.
  const phone = await browser.newContext({ ...DEVICES.phone, ignoreHTTPSErrors: true });
  t.after(() => phone.close());
  const mobile = await phone.newPage();
  mobile.setDefaultTimeout(20_000);
  const phoneErrors: string[] = [];
  mobile.on('pageerror', (e) => phoneErrors.push(e.message));
  await mobile.goto(link);
  const photoLink = mobile.locator('a.entry-link', { hasText: 'beach.jpg' });
  await photoLink.waitFor();
  assert.equal(await mobile.getByLabel(/password/i).count(), 0, 'no sign-in asked for');
  assert.doesNotMatch(mobile.url(), /token/, 'the token is dropped from the address bar');

  // A photo downloads, byte for byte.
  assert.equal(sha256(await bytesOfLink(mobile, photoLink)), sha256(photo));
  // Back to the folder (a photo may have opened in the tab).
  await mobile.goto(webUrl);
  // A file uploads (the share is writable).
  const upload = randomBytes(200_000);
  await mobile.locator('a.entry-link', { hasText: 'beach.jpg' }).waitFor();
  await mobile.setInputFiles('#upload-files', [{ name: 'from-phone.jpg', mimeType: 'image/jpeg', buffer: upload }]);
  await mobile.getByRole('status').filter({ hasText: '1 file uploaded' }).waitFor();
  await waitFor(async () => JSON.stringify(await fileDigest(path.join(shared, 'from-phone.jpg'))) === JSON.stringify(digestOf(upload)), 'the upload arrives whole');
  assert.deepEqual(await readFile(path.join(shared, 'beach.jpg')), photo, 'the photo is unchanged');

  // --- The window: the phone as a Web session with its client, and its transfers.
  await page.getByRole('tab', { name: /Sessions/ }).click();
  const row = page.locator('tr[data-session-id]').filter({ hasText: 'Safari on iPhone' }).filter({ has: page.locator('td.col-user', { hasText: user }) });
  await row.waitFor();
  await row.locator('.protocol-badge', { hasText: 'Web' }).waitFor();
  await page.getByRole('tab', { name: /Transfers/ }).click();
  const history = page.getByRole('region', { name: 'Finished transfers table' });
  for (const name of ['beach.jpg', 'from-phone.jpg']) {
    await history.locator('tr').filter({ hasText: name }).filter({ hasText: 'Done' }).filter({ has: page.locator('.protocol-badge', { hasText: 'Web' }) }).first().waitFor();
  }
  assert.equal(await history.locator('tr').filter({ hasText: 'from-phone.jpg' }).getByText('Upload', { exact: true }).count(), 1);

  // Disconnect ends the phone's session: its next page asks to sign in.
  await page.getByRole('tab', { name: /Sessions/ }).click();
  await row.getByRole('button', { name: /^Disconnect Safari on iPhone at / }).click();
  await row.waitFor({ state: 'detached' });
  await mobile.goto(webUrl);
  await mobile.getByLabel(/password/i).first().waitFor();

  assert.deepEqual(phoneErrors, []);
  assert.deepEqual(windowErrors, []);
});
