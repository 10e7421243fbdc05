/**
 * The folder page in real Chromium, on an iPhone-sized touch phone and a desktop: it renders,
 * passes axe in light and dark, scrolls nothing sideways at 360 px, browses and sorts by plain
 * links (with JavaScript off too), downloads, shows hostile names as text, shows no write
 * control when read-only, and signs in and out.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../e2e/ui-helpers.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { accessibilityProblems, bytesOfLink, DEVICES, HOSTILE_NAME, LONG_NAME, listedNames, openPage, sidewaysAt360, startShare } from './page-fixture.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());


/** Visible controls less than 44 px high or wide, as "label: w×h". */
async function smallTargets(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('a, button, summary, label.button')]
    .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .map((el) => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44)
    .map(([el, r]) => (el.getAttribute('aria-label') || el.textContent.trim()) + ': ' + Math.round(r.width) + '×' + Math.round(r.height))`)) as string[];
}

for (const device of Object.keys(DEVICES) as (keyof typeof DEVICES)[]) {
  test(`${device}: the folder page names the share, lists folders first, passes axe in light and dark, fits 360 px, and every target is 44 px`, async (t) => {
    const share = await startShare(t, { canWrite: true, https: true });
    const { page, problems } = await openPage(t, browser, device);
    await page.goto(`${share.baseUrl}/`);

    assert.match((await page.locator('h1').textContent())!, /^FTP Share on \S/);
    await page.getByText('Secure connection (HTTPS)').click();
    assert.equal(await page.locator('.fingerprint code').textContent(), share.fingerprint256);
    const names = await listedNames(page);
    assert.deepEqual(names.slice(0, 2).sort(), ['Documents', 'Holiday'], 'folders first');
    for (const name of ['small.txt', 'clip.mp4', 'photo.jpg', HOSTILE_NAME, LONG_NAME]) assert.ok(names.includes(name), name);
    assert.equal(await page.locator('.entry', { hasText: 'clip.mp4' }).locator('.entry-size').textContent(), '300 KB');
    // page.js wrote the dates in the browser's locale in place of the UTC fallback.
    assert.doesNotMatch((await page.locator('.entry-modified').first().textContent())!, /UTC$/);
    assert.equal(await page.getByRole('link', { name: 'Download folder (.zip)' }).getAttribute('href'), '/?zip');

    assert.deepEqual(await accessibilityProblems(page, 'folder page'), []);
    assert.deepEqual(await sidewaysAt360(page), []);
    assert.deepEqual(await smallTargets(page), []);
    assert.deepEqual(problems, [], 'no console errors (CSP reports included), no dialogs');
  });

  test(`${device}: into a folder by its link, back by the breadcrumb, sorted by size and by date`, async (t) => {
    const share = await startShare(t, { canWrite: false });
    const { page, problems } = await openPage(t, browser, device);
    await page.goto(`${share.baseUrl}/`);

    await page.getByRole('link', { name: 'Holiday (folder)' }).click();
    await page.waitForURL(`${share.baseUrl}/Holiday/`);
    assert.deepEqual(await listedNames(page), ['Day 2', 'beach.jpg']);
    const crumbs = page.getByRole('navigation', { name: 'Folders' });
    assert.equal(await crumbs.locator('[aria-current="page"]').textContent(), 'Holiday');
    await page.getByRole('link', { name: 'Day 2 (folder)' }).click();
    await page.waitForURL(`${share.baseUrl}/Holiday/Day%202/`);
    assert.match((await page.locator('.empty').textContent())!, /empty/);
    await crumbs.getByRole('link').first().click();
    await page.waitForURL(`${share.baseUrl}/`);

    const sort = page.getByRole('navigation', { name: 'Sort' });
    await sort.getByRole('link', { name: 'Size' }).click();
    await page.waitForURL(/sort=size&order=desc/);
    assert.deepEqual((await listedNames(page)).slice(2, 5), ['clip.mp4', 'photo.jpg', LONG_NAME], 'largest file first, after the folders');
    await sort.getByRole('link', { name: /^Size/ }).click();
    await page.waitForURL(/sort=size&order=asc/);
    assert.equal((await listedNames(page))[2], 'small.txt', 'smallest first');
    await sort.getByRole('link', { name: 'Modified' }).click();
    await page.waitForURL(/sort=modified&order=desc/);
    assert.equal((await listedNames(page))[2], 'photo.jpg', 'newest first');
    assert.equal(await sort.locator('[aria-current="true"]').textContent(), 'Modified↓ (sorted newest first)');
    assert.deepEqual(problems, []);
  });
}

test('a hostile file name is text: no dialog fires, no element is injected, its link downloads it', async (t) => {
  const share = await startShare(t, { canWrite: true });
  const { page, problems } = await openPage(t, browser, 'desktop');
  await page.goto(`${share.baseUrl}/`);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  const link = page.getByRole('link', { name: HOSTILE_NAME, exact: true });
  assert.equal(await link.locator('.entry-name').textContent(), HOSTILE_NAME);
  await page.getByRole('button', { name: `Rename ${HOSTILE_NAME}` }).click();
  assert.equal(await page.locator('#name-dialog-title').textContent(), `Rename “${HOSTILE_NAME}”`);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  await page.keyboard.press('Escape');
  assert.equal(sha256(await bytesOfLink(page, link)), await fileSha256(path.join(share.root, HOSTILE_NAME)));
  assert.deepEqual(problems, [], 'no alert, no console error');
});

test('JavaScript off: browsing, sorting and downloading work by plain links; the write controls stay hidden', async (t) => {
  const share = await startShare(t, { canWrite: true });
  const { page, problems } = await openPage(t, browser, 'phone', { javaScript: false });
  await page.goto(`${share.baseUrl}/`);
  const scripted = await page.locator('.needs-js').all();
  assert.ok(scripted.length > 0);
  for (const control of scripted) assert.equal(await control.isVisible(), false, 'write controls need the script');
  assert.equal(await page.locator('noscript').count(), 1);
  assert.match((await page.locator('.entry-modified').first().textContent())!, /UTC$/, 'the server’s date stays');

  await page.getByRole('link', { name: 'Documents (folder)' }).click();
  await page.waitForURL(`${share.baseUrl}/Documents/`);
  await page.getByRole('navigation', { name: 'Sort' }).getByRole('link', { name: /^Name/ }).click();
  await page.waitForURL(/sort=name&order=desc/);
  // Checked before the file opens: a file shown in the tab is the server's document, not the page.
  assert.deepEqual(problems, []);
  const bytes = await bytesOfLink(page, page.getByRole('link', { name: 'notes.txt' }));
  assert.equal(sha256(bytes), await fileSha256(path.join(share.root, 'Documents', 'notes.txt')));
});

test('read-only: the page has no write control, and a forged change is refused', async (t) => {
  const share = await startShare(t, { canWrite: false });
  const { page, problems } = await openPage(t, browser, 'desktop');
  await page.goto(`${share.baseUrl}/`);
  assert.equal(await page.locator('input[type="file"], [data-action], dialog, .uploads-panel').count(), 0);
  assert.equal(await page.getByRole('button').count(), 0, 'not one button');
  const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
  const status = await page.evaluate(`fetch('/?mkdir', { method: 'POST', headers: { 'X-CSRF-Token': ${JSON.stringify(token)}, 'Content-Type': 'application/json' }, body: '{"name":"forged"}' }).then((r) => r.status)`);
  assert.equal(status, 403);
  assert.equal(await stat(path.join(share.root, 'forged')).catch(() => undefined), undefined, 'nothing made');
  assert.deepEqual(await accessibilityProblems(page, 'read-only page'), []);
  // The refused request's own console line is expected; nothing else.
  assert.deepEqual(problems.filter((p) => !p.includes('403')), []);
});

test('sign-in: an accessible form, a wrong password says so, the right one opens the folder, sign-out ends it', async (t) => {
  const share = await startShare(t, { canWrite: false, account: { user: 'ann', password: 'correct horse' } });
  const { page, problems } = await openPage(t, browser, 'phone');
  await page.goto(`${share.baseUrl}/Holiday/`);
  assert.deepEqual(await accessibilityProblems(page, 'sign-in page'), []);
  assert.deepEqual(await sidewaysAt360(page), []);

  await page.getByLabel('User name').fill('ann');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  assert.ok((await alert.textContent())!.length > 0, 'the error is shown');
  assert.equal(await page.getByLabel('Password').getAttribute('aria-describedby'), await alert.getAttribute('id'));
  assert.deepEqual(await accessibilityProblems(page, 'sign-in page with an error'), []);

  assert.equal(await page.getByLabel('User name').inputValue(), 'ann', 'the user name is kept');
  await page.getByLabel('Password').fill('correct horse');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${share.baseUrl}/Holiday/`);
  assert.match((await page.locator('.user').textContent())!, /Signed in as ann/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('User name').waitFor();
  // The failed sign-in's refusal (401 or 403) is the only console line.
  assert.deepEqual(problems.filter((p) => !/status of 40[13]/.test(p)), []);
});
