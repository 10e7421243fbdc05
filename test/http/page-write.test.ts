/**
 * Changing a folder from the page in real Chromium, on a touch phone and a desktop: uploads with
 * progress, speed and cancel (the link slowed through DevTools so progress is seen, whatever the
 * server), whole folders, drag and drop, new folder, rename, delete behind a confirmation, the
 * listing refreshed after each, and the dialogs accessible.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../e2e/ui-helpers.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { accessibilityProblems, DEVICES, listedNames, openPage, sidewaysAt360, startShare } from './page-fixture.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

const exists = (file: string) => stat(file).then(() => true, () => false);

/** Limits the page's upload speed (bytes/s) through DevTools; undefined lifts the limit. */
async function limitUpload(page: Page, bytesPerSecond: number | undefined): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond ?? -1 });
}

/** Every progress text a row showed while it ran, polled until the row ends. */
async function progressSeen(page: Page, row: number): Promise<string[]> {
  const info = page.locator('.upload').nth(row).locator('.upload-info');
  const seen: string[] = [];
  for (;;) {
    const text = (await info.textContent())!;
    if (seen.at(-1) !== text) seen.push(text);
    if (/^(Done|Cancelled|Failed)/.test(text) || seen.length > 200) return seen;
    await page.waitForTimeout(100);
  }
}

for (const device of Object.keys(DEVICES) as (keyof typeof DEVICES)[]) {
  test(`${device}: two files upload with progress and speed, then the listing shows them`, async (t) => {
    const share = await startShare(t, { canWrite: true });
    const { page, problems } = await openPage(t, browser, device);
    await page.goto(`${share.baseUrl}/Documents/`);
    const files = ['first.bin', 'second.bin'].map((name, i) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.alloc(400_000, i + 1) }));

    await limitUpload(page, 400_000);
    await page.getByText('Upload files', { exact: true }).waitFor();
    await page.setInputFiles('#upload-files', files);
    assert.equal(await page.locator('.upload').count(), 2, 'a row per file');
    const [first, second] = await Promise.all([progressSeen(page, 0), progressSeen(page, 1)]);
    for (const seen of [first, second]) {
      assert.ok(seen.some((text) => / KB of 400 KB · [\d.]+ KB\/s$/.test(text)), `bytes and speed shown: ${seen.join(' | ')}`);
      assert.equal(seen.at(-1), 'Done · 400 KB');
    }
    assert.equal(await page.getByRole('button', { name: /^Cancel upload/ }).count(), 0, 'no cancel once done');
    await page.getByRole('status').filter({ hasText: '2 files uploaded.' }).waitFor();
    await page.locator('.entry-name', { hasText: 'second.bin' }).waitFor();
    assert.deepEqual(await listedNames(page), ['first.bin', 'notes.txt', 'second.bin']);
    for (const file of files) assert.equal(await fileSha256(path.join(share.root, 'Documents', file.name)), sha256(file.buffer));

    // The same name again is kept beside the first, and the row says under which name.
    await limitUpload(page, undefined);
    await page.setInputFiles('#upload-files', [files[0]!]);
    await page.locator('.upload-info', { hasText: 'saved as “first (1).bin”' }).waitFor();
    assert.deepEqual(await accessibilityProblems(page, 'after uploads'), []);
    assert.deepEqual(await sidewaysAt360(page), []);
    assert.deepEqual(problems, []);
  });

  test(`${device}: cancelling an upload stops it and leaves nothing`, async (t) => {
    const share = await startShare(t, { canWrite: true });
    const { page, problems } = await openPage(t, browser, device);
    await page.goto(`${share.baseUrl}/`);
    await limitUpload(page, 100_000);
    await page.setInputFiles('#upload-files', [{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(3_000_000, 7) }]);
    await page.locator('.upload-info', { hasText: / KB of 3.0 MB/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel upload of huge.bin' }).click();
    await page.locator('.upload-info', { hasText: 'Cancelled' }).waitFor();
    await limitUpload(page, undefined);
    await page.waitForTimeout(500);
    assert.ok(!(await exists(path.join(share.root, 'huge.bin'))), 'no file on the disk');
    assert.ok(!(await listedNames(page)).includes('huge.bin'));
    assert.deepEqual(problems, []);
  });

  test(`${device}: new folder, rename and delete (after a confirmation) refresh the listing`, async (t) => {
    const share = await startShare(t, { canWrite: true });
    const { page, problems } = await openPage(t, browser, device);
    await page.goto(`${share.baseUrl}/`);

    await page.getByRole('button', { name: 'New folder' }).click();
    const nameDialog = page.getByRole('dialog', { name: 'New folder' });
    await nameDialog.waitFor();
    assert.deepEqual(await accessibilityProblems(page, 'new-folder dialog'), []);
    await page.keyboard.type('Trip 2025');
    await nameDialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Trip 2025 (folder)' }).waitFor();
    assert.equal(await nameDialog.isVisible(), false);
    assert.ok((await stat(path.join(share.root, 'Trip 2025'))).isDirectory());
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Trip 2025 (folder)', 'focus on the new folder');

    await page.getByRole('button', { name: 'Rename photo.jpg' }).click();
    const renameDialog = page.getByRole('dialog', { name: 'Rename “photo.jpg”' });
    await renameDialog.waitFor();
    const input = renameDialog.getByLabel('Name');
    assert.equal(await input.inputValue(), 'photo.jpg');
    assert.equal(await page.evaluate('document.activeElement.id'), 'name-dialog-input');
    assert.deepEqual(await page.evaluate('[document.activeElement.selectionStart, document.activeElement.selectionEnd]'), [0, 5], 'the name is selected without its extension');
    // A taken name: the server's error shows in the dialog, which stays open.
    await input.fill('small.txt');
    await renameDialog.getByRole('button', { name: 'Rename' }).click();
    await renameDialog.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    assert.equal(await page.evaluate('document.activeElement.id'), 'name-dialog-input', 'focus back in the field to retry');
    await input.fill('beach day.jpg');
    await renameDialog.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('link', { name: 'beach day.jpg', exact: true }).waitFor();
    assert.ok(await exists(path.join(share.root, 'beach day.jpg')));
    assert.ok(!(await exists(path.join(share.root, 'photo.jpg'))));

    await page.getByRole('button', { name: 'Delete small.txt' }).click();
    const deleteFile = page.getByRole('dialog', { name: 'Delete “small.txt”?' });
    await deleteFile.waitFor();
    assert.match((await deleteFile.textContent())!, /can’t be undone/);
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Cancel', 'focus starts on Cancel');
    assert.deepEqual(await accessibilityProblems(page, 'delete dialog'), []);
    await deleteFile.getByRole('button', { name: 'Cancel' }).click();
    assert.ok(await exists(path.join(share.root, 'small.txt')), 'cancel deletes nothing');
    await page.getByRole('button', { name: 'Delete small.txt' }).click();
    await deleteFile.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').filter({ hasText: '“small.txt” deleted.' }).waitFor();
    assert.ok(!(await listedNames(page)).includes('small.txt'));
    assert.ok(!(await exists(path.join(share.root, 'small.txt'))));

    // A folder with something in it is refused (the server's rule): its reason shows in the dialog.
    await page.getByRole('button', { name: 'Delete Holiday' }).click();
    const deleteFolder = page.getByRole('dialog', { name: 'Delete “Holiday”?' });
    await deleteFolder.getByRole('button', { name: 'Delete' }).click();
    await deleteFolder.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await page.keyboard.press('Escape');
    assert.ok(await exists(path.join(share.root, 'Holiday', 'beach.jpg')));
    await page.getByRole('button', { name: 'Delete Trip 2025' }).click();
    await page.getByRole('dialog', { name: 'Delete “Trip 2025”?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').filter({ hasText: '“Trip 2025” deleted.' }).waitFor();
    assert.ok(!(await exists(path.join(share.root, 'Trip 2025'))));
    // The two refusals' console lines are the only ones.
    assert.deepEqual(problems.filter((p) => !p.includes('409')), []);
  });
}

test('desktop: a whole folder by the folder picker, and files dropped onto the page', async (t) => {
  const share = await startShare(t, { canWrite: true });
  const { page, problems } = await openPage(t, browser, 'desktop');
  await page.goto(`${share.baseUrl}/`);

  const source = path.join(`${share.root}-source`, 'Album');
  t.after(() => rm(path.dirname(source), { recursive: true, force: true }));
  await mkdir(path.join(source, 'Raw'), { recursive: true });
  await writeFile(path.join(source, 'cover.jpg'), 'cover');
  await writeFile(path.join(source, 'Raw', 'shot.dng'), 'raw');
  await page.getByText('Upload a folder', { exact: true }).waitFor();
  await page.setInputFiles('#upload-folder', source);
  await page.getByRole('status').filter({ hasText: '2 files uploaded.' }).waitFor();
  assert.equal(await readFile(path.join(share.root, 'Album', 'Raw', 'shot.dng'), 'utf8'), 'raw');
  await page.getByRole('link', { name: 'Album (folder)' }).waitFor();

  await page.getByText('You can also drop files and folders onto this page.').waitFor();
  const dataTransfer = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['dropped'], 'dropped.txt', { type: 'text/plain' }));
    return transfer;
  })()`);
  await page.dispatchEvent('main', 'dragenter', { dataTransfer });
  assert.equal(await page.evaluate(`document.body.classList.contains('dropping')`), true, 'the drop target shows');
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  await page.getByRole('link', { name: 'dropped.txt', exact: true }).waitFor();
  assert.equal(await page.evaluate(`document.body.classList.contains('dropping')`), false);
  assert.equal(await readFile(path.join(share.root, 'dropped.txt'), 'utf8'), 'dropped');
  assert.deepEqual(problems, []);
});

test('an uploaded file with a hostile name is text in its progress row and in the listing', async (t) => {
  const share = await startShare(t, { canWrite: true });
  const { page, problems } = await openPage(t, browser, 'phone');
  await page.goto(`${share.baseUrl}/`);
  const name = '<svg onload=alert(2)>.txt';
  await page.setInputFiles('#upload-files', [{ name, mimeType: 'text/plain', buffer: Buffer.from('x') }]);
  await page.getByRole('link', { name, exact: true }).waitFor();
  assert.equal(await page.locator('.upload-name').textContent(), name);
  assert.equal(await page.locator('main svg').count(), 0, 'no element injected');
  assert.deepEqual(problems, [], 'no alert');
});
