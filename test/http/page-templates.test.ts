/**
 * The page templates without a browser: every name escaped wherever it lands, nothing inline for
 * the CSP to refuse, no write control on a read-only page, sort links, sizes, icons and assets.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { renderErrorPage } from '../../core/http/page/error-page.js';
import { renderFolderPage } from '../../core/http/page/folder-page.js';
import { formatDateFallback, formatSize } from '../../core/http/page/format.js';
import { iconKindFor } from '../../core/http/page/icon-kind.js';
import { PAGE_ASSETS_DIR, readPageAsset } from '../../core/http/page/page-assets.js';
import type { FolderPageModel, IconKind } from '../../core/http/page/page-model.js';
import { renderSignInPage } from '../../core/http/page/sign-in-page.js';

const HOSTILE = `<img src=x onerror=alert(1)>"'&.html`;
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;.html';

function model(overrides: Partial<FolderPageModel> = {}): FolderPageModel {
  return {
    shareName: `MacBook-Pro — ${HOSTILE}`,
    path: `/${HOSTILE}`,
    breadcrumbs: [
      { name: 'Photos', href: '/' },
      { name: HOSTILE, href: '/%3Cimg%20src%3Dx/' },
    ],
    entries: [
      { name: HOSTILE, href: '/%3Cimg/a/', type: 'dir', size: 0, modified: '2024-05-01T12:03:00.000Z', icon: 'folder' },
      { name: 'photo.jpg', href: '/%3Cimg/photo.jpg', type: 'file', size: 4_200_000, modified: '2024-05-02T08:00:00.000Z', icon: 'image' },
    ],
    sort: { key: 'name', order: 'asc' },
    canWrite: true,
    user: HOSTILE,
    csrfToken: `tok"en`,
    zipHref: '/%3Cimg%20src%3Dx/?zip',
    signOutAvailable: true,
    fingerprint256: 'AB:CD:EF',
    ...overrides,
  };
}

/** Markup the CSP would refuse or that could run: inline script or style, handlers, javascript: URLs. */
function inlineProblems(page: string): string[] {
  const problems: string[] = [];
  // Names are escaped, so every `<` starts a real tag, and every attribute value is double-quoted.
  for (const [tag, element] of page.matchAll(/<([a-z]+)\b[^>]*>/g)) {
    const attributes = [...tag.matchAll(/\s([^\s=>]+)(?:="([^"]*)")?/g)].map(([, name, value = '']) => ({ name: name!, value }));
    if (element === 'script' && !attributes.some((a) => a.name === 'src')) problems.push('inline <script>');
    if (element === 'style') problems.push('<style> element');
    for (const { name, value } of attributes) {
      if (name === 'style') problems.push(`style attribute in ${tag}`);
      if (name.startsWith('on')) problems.push(`${name} attribute in ${tag}`);
      if (/^\s*javascript:/i.test(value)) problems.push(`javascript: URL in ${tag}`);
    }
  }
  return problems;
}

test('every name is escaped: share name, path, breadcrumbs, entries, row labels and the user', () => {
  assert.equal(inlineProblems('<p style="a" onclick="b"><script>x</script><a href="javascript:x">').length, 4, 'the check itself finds inline markup');
  const page = renderFolderPage(model());
  assert.ok(!page.includes('<img src=x'), 'no hostile markup survives');
  assert.ok(!page.includes(`"'&`), 'no raw quote or ampersand from a name');
  // The share name, the path heading, a breadcrumb, the row's name, data attribute and two labels, the user.
  assert.ok(page.split(ESCAPED).length - 1 >= 7, 'the name appears escaped wherever it is shown');
  assert.match(page, /<meta name="csrf-token" content="tok&quot;en">/);
  assert.deepEqual(inlineProblems(page), []);
});

test('the sign-in and error pages escape too and carry nothing inline', () => {
  const signIn = renderSignInPage({ shareName: HOSTILE, error: HOSTILE, user: HOSTILE, csrfToken: HOSTILE, returnTo: `/${HOSTILE}` });
  assert.ok(!signIn.includes('<img src=x'));
  assert.deepEqual(inlineProblems(signIn), []);
  assert.match(signIn, /<p id="sign-in-error" class="form-error" role="alert">/);
  assert.match(signIn, /aria-describedby="sign-in-error" aria-invalid="true"/);
  assert.match(signIn, /<input type="hidden" name="returnTo" value="\/&lt;img/);
  assert.match(signIn, /name="user" value="&lt;img[^>]*>/, 'the user name is kept');
  assert.match(signIn, /name="password"[^>]*autofocus>/, 'the password is the field to retype');
  const plain = renderSignInPage({ shareName: 'Mac — Photos', returnTo: '/' });
  assert.ok(!plain.includes('aria-invalid') && !plain.includes('name="csrf"'), 'no error and no token field unless given');

  const error = renderErrorPage({ status: 404, message: HOSTILE });
  assert.ok(!error.includes('<img src=x'));
  assert.deepEqual(inlineProblems(error), []);
  assert.match(error, /<h1>Not found<\/h1>/);
  assert.match(renderErrorPage({ status: 599, message: 'x' }), /<h1>Something went wrong<\/h1>/);
});

test('a read-only page has no write control, dialog or token-bearing form beyond sign-out', () => {
  const page = renderFolderPage(model({ canWrite: false, signOutAvailable: false }));
  for (const absent of [' type="file"', 'data-action', '<dialog', 'Upload', 'New folder', 'Rename', 'Delete', 'class="uploads', '<form']) {
    assert.ok(!page.includes(absent), `no ${absent}`);
  }
  assert.match(page, /Download folder \(\.zip\)/);
});

test('the header names the computer and folder, shows the fingerprint only over HTTPS, and sign-out only when available', () => {
  const page = renderFolderPage(model({ shareName: 'MacBook-Pro — Photos' }));
  assert.match(page, /<h1><span class="brand">FTP Share on<\/span> <span class="share-name">MacBook-Pro — Photos<\/span><\/h1>/);
  assert.match(page, /<code>AB:CD:EF<\/code>/);
  assert.match(page, /action="\/\?signout"><input type="hidden" name="csrf" value="tok&quot;en">/);
  const plain = renderFolderPage(model({ fingerprint256: undefined, signOutAvailable: false, user: undefined }));
  assert.ok(!plain.includes('fingerprint') && !plain.includes('signout') && !plain.includes('Signed in'));
});

test('sort links: the current column turns its order round, the others start at their natural order', () => {
  const links = (sort: FolderPageModel['sort']) => [...renderFolderPage(model({ sort })).matchAll(/href="\?sort=(\w+)&amp;order=(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(links({ key: 'name', order: 'asc' }), ['name:desc', 'size:desc', 'modified:desc']);
  assert.deepEqual(links({ key: 'size', order: 'desc' }), ['name:asc', 'size:asc', 'modified:desc']);
  assert.match(renderFolderPage(model({ sort: { key: 'modified', order: 'desc' } })), /aria-current="true">Modified<span class="sort-arrow" aria-hidden="true">↓<\/span><span class="visually-hidden"> \(sorted newest first\)/);
  assert.match(renderFolderPage(model({ entries: [] })), /This folder is empty\./);
});

test('sizes in decimal units, dates with a UTC fallback', () => {
  assert.equal(formatSize(0), '0 bytes');
  assert.equal(formatSize(1), '1 byte');
  assert.equal(formatSize(999), '999 bytes');
  assert.equal(formatSize(1000), '1.0 KB');
  assert.equal(formatSize(4_200_000), '4.2 MB');
  assert.equal(formatSize(42_000_000), '42 MB');
  assert.equal(formatSize(999_600), '1.0 MB');
  assert.equal(formatSize(5 * 1024 ** 4), '5.5 TB');
  assert.equal(formatDateFallback('2024-05-01T12:03:59.000Z'), '2024-05-01 12:03 UTC');
  assert.equal(formatDateFallback('not a date'), 'not a date');
});

test('icons by type and extension, each with its SVG among the assets', async () => {
  assert.equal(iconKindFor('Holiday', 'dir'), 'folder');
  assert.equal(iconKindFor('IMG_0001.HEIC', 'file'), 'image');
  assert.equal(iconKindFor('clip.mp4', 'file'), 'video');
  assert.equal(iconKindFor('song.flac', 'file'), 'audio');
  assert.equal(iconKindFor('report.pdf', 'file'), 'document');
  assert.equal(iconKindFor('backup.tar.gz', 'file'), 'archive');
  assert.equal(iconKindFor('main.ts', 'file'), 'code');
  assert.equal(iconKindFor('README', 'file'), 'file');
  assert.equal(iconKindFor('.bashrc', 'file'), 'file');
  const assets = await readdir(PAGE_ASSETS_DIR);
  const kinds: IconKind[] = ['folder', 'image', 'video', 'audio', 'document', 'archive', 'code', 'file'];
  for (const kind of kinds) assert.ok(assets.includes(`${kind}.svg`), `${kind}.svg exists`);
  // Every asset the templates name exists.
  for (const [, name] of renderFolderPage(model()).matchAll(/\/\?asset=([\w.-]+)/g)) assert.ok(assets.includes(name!), `${name} exists`);
});

test('assets: served with their content type, and nothing outside assets/ by any name', async () => {
  const css = await readPageAsset('page.css');
  assert.equal(css?.contentType, 'text/css; charset=utf-8');
  assert.equal((await readPageAsset('page.js'))?.contentType, 'text/javascript; charset=utf-8');
  assert.equal((await readPageAsset('folder.svg'))?.contentType, 'image/svg+xml');
  for (const name of ['../page-model.ts', '..%2Fpage-model.ts', 'page-model.ts', '/etc/passwd', 'PAGE.CSS', 'page.css/', '.page.css', 'missing.svg', '']) {
    assert.equal(await readPageAsset(name), undefined, name);
  }
});
