/**
 * Several accounts end to end, in real headless Chromium against a real `ftp-share --ui` and real
 * FTP clients: "Add a read-only guest" makes an account that signs in at once with the password
 * the card shows; it can't upload; narrowing its folders in the card applies to its connected
 * session at its next command; the Sessions panel shows its user name; removing it in the card
 * ends its session, and the Access card has no serious accessibility problem with two accounts.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { axeViolations, ensureRendererBuilt, freePort, ftpClient, launchChromium, startUi } from './ui-helpers.js';

test('a read-only guest added in one click signs in, sees only what the card says, and ends with its removal', { timeout: 180_000 }, async (t) => {
  await ensureRendererBuilt();
  const work = await mkdtemp(path.join(os.tmpdir(), 'ftp-share-e2e-accounts-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const photos = path.join(work, 'Photos');
  const music = path.join(work, 'Music');
  await mkdir(photos);
  await mkdir(music);
  await writeFile(path.join(photos, 'beach.jpg'), 'a photo');
  await writeFile(path.join(music, 'song.mp3'), 'a song');

  const ui = await startUi(path.join(work, 'config'), [photos, music]);
  t.after(() => ui.stop());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(ui.url);
  await page.getByRole('heading', { name: 'Not sharing' }).waitFor();

  // Share on a free port, with the window's read-only switch off so that rights matter.
  const port = await freePort();
  const portField = page.getByRole('textbox', { name: 'Port', exact: true });
  await portField.fill(String(port));
  await portField.press('Enter');
  await page.getByRole('textbox', { name: 'Port', exact: true }).and(page.locator(`[value="${port}"]`)).waitFor();
  const readOnly = page.getByRole('switch', { name: 'Read-only' });
  if (await readOnly.isChecked()) await readOnly.click();
  await page.getByRole('button', { name: 'Start sharing' }).click();
  await page.getByRole('heading', { name: 'Sharing', exact: true }).waitFor();
  const owner = page.getByRole('group', { name: /^Account / }).first();
  const ownerName = await owner.getByRole('textbox', { name: 'User name' }).inputValue();
  const ownerPassword = await owner.getByLabel('Password', { exact: true }).inputValue();

  await page.getByRole('button', { name: 'Add a read-only guest' }).click();
  const card = page.getByRole('group', { name: 'Account guest' });
  await card.waitFor();
  const guestPassword = await card.getByLabel('Password', { exact: true }).inputValue();
  assert.match(guestPassword, /^[a-z2-9]{20}$/, 'a generated password, shown at once');

  const guest = await ftpClient(port, 'guest', guestPassword);
  t.after(() => guest.close());
  const ownerClient = await ftpClient(port, ownerName, ownerPassword);
  t.after(() => ownerClient.close());
  const names = async (client: typeof guest, dir = '/') => (await client.list(dir)).map((e) => e.name).sort();
  assert.deepEqual(await names(guest), ['Music', 'Photos'], 'all folders by default');
  await assert.rejects(guest.uploadFrom(Readable.from(['nope']), '/Music/nope.txt'), /550/);
  await ownerClient.uploadFrom(Readable.from(['yes']), '/Music/yes.txt');

  // Only Music: the session already signed in follows at its next command.
  // The boxes show the saved settings: each click is saved, then shown.
  const all = card.getByRole('checkbox', { name: 'All, and folders shared later' });
  await all.click();
  await all.and(page.locator(':not(:checked)')).waitFor();
  const photosBox = card.getByRole('checkbox', { name: 'Photos' });
  await photosBox.and(page.locator(':enabled')).click();
  await photosBox.and(page.locator(':not(:checked)')).waitFor();
  let seen: string[] = [];
  for (let i = 0; i < 50 && JSON.stringify(seen) !== '["Music"]'; i++) {
    seen = await names(guest);
    if (JSON.stringify(seen) !== '["Music"]') await page.waitForTimeout(100);
  }
  assert.deepEqual(seen, ['Music']);

  const problems = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(problems, [], 'no serious accessibility problem with two accounts');

  // The Sessions panel shows who is who.
  await page.getByRole('tab', { name: /Sessions/ }).click();
  await page.getByRole('cell', { name: 'guest', exact: true }).waitFor();
  await page.getByRole('cell', { name: ownerName, exact: true }).waitFor();

  // Removing the guest asks (it is signed in), then ends its session; the owner stays.
  await page.getByRole('tab', { name: /Share/ }).click();
  await page.getByRole('button', { name: 'Remove account guest' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Disconnect them' }).click();
  await card.waitFor({ state: 'detached' });
  await assert.rejects(guest.list('/'));
  assert.deepEqual(await names(ownerClient), ['Music', 'Photos']);
  await assert.rejects(ftpClient(port, 'guest', guestPassword), /530/);
});
