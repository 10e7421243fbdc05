/**
 * What the page's browser tests share: the server they run against (swappable), a shared tree
 * with awkward names, the phone and desktop browsers, and the checks every page must pass
 * (axe in light and dark, no console errors, no sideways scrolling).
 */
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, BrowserContextOptions, Download, Locator, Page, Response } from 'playwright-core';
import { axeViolations, sidewaysScrolling } from '../e2e/ui-helpers.js';
import { tempDir } from '../helpers/temp.js';
import { startPageHarness } from './page-harness.js';

/** How a test wants the share: writable or not, with an account or anonymous, over HTTPS or not. */
export interface PageTargetOptions {
  canWrite: boolean;
  account?: { user: string; password: string };
  https?: boolean;
}

/** A running server sharing `root` at `baseUrl`. */
export interface PageTarget {
  baseUrl: string;
  root: string;
  /** Over HTTPS: the certificate's fingerprint, as the page must show it. */
  fingerprint256?: string;
  stop(): Promise<void>;
}

export type StartPageTarget = (root: string, options: PageTargetOptions) => Promise<PageTarget>;

/**
 * The server under test. The page's own harness until the real server exists; the integration
 * swaps in a starter of core/http's server with this signature.
 */
export const startPageTarget: StartPageTarget = startPageHarness;

/** A file name that would run script if any template or page.js put it in the page as markup. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>.html';
/** A name with no place to break, to catch sideways scrolling on a phone. */
export const LONG_NAME = `${'VeryLongFileNameWithoutAnySpaces'.repeat(4)}.pdf`;

/**
 * A fresh shared tree, removed when `t` ends:
 * Holiday/beach.jpg, Holiday/Day 2/, Documents/notes.txt, small.txt (10 B), clip.mp4 (300 KB),
 * photo.jpg (40 KB), the hostile and the long name. Modification times differ so sorting by date
 * has an answer: small.txt is the oldest file, photo.jpg the newest.
 */
export async function makeShareTree(t: TestContext): Promise<string> {
  const root = await tempDir(t, 'ftp-share-page-');
  await mkdir(path.join(root, 'Holiday', 'Day 2'), { recursive: true });
  await mkdir(path.join(root, 'Documents'));
  const files: [string, number, string][] = [
    ['Holiday/beach.jpg', 2_000, '2024-07-01T10:00:00Z'],
    ['Documents/notes.txt', 100, '2024-03-01T10:00:00Z'],
    ['small.txt', 10, '2020-01-01T10:00:00Z'],
    ['clip.mp4', 300_000, '2023-01-01T10:00:00Z'],
    ['photo.jpg', 40_000, '2025-06-01T10:00:00Z'],
    [HOSTILE_NAME, 50, '2022-01-01T10:00:00Z'],
    [LONG_NAME, 5_000, '2021-01-01T10:00:00Z'],
  ];
  for (const [name, size, time] of files) {
    const file = path.join(root, name);
    await writeFile(file, Buffer.alloc(size, name.length % 256));
    await utimes(file, new Date(time), new Date(time));
  }
  return root;
}

/** Starts the server under test over a fresh tree; stopped when `t` ends. */
export async function startShare(t: TestContext, options: PageTargetOptions): Promise<PageTarget> {
  const target = await startPageTarget(await makeShareTree(t), options);
  t.after(() => target.stop());
  return target;
}

/** The two browsers every flow runs in: an iPhone-sized touch phone and a desktop. */
export const DEVICES: Record<'phone' | 'desktop', BrowserContextOptions> = {
  phone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  },
  desktop: { viewport: { width: 1280, height: 800 } },
};

/** A page whose console errors, page errors and JS dialogs (alert!) are recorded in `problems`. */
export interface WatchedPage {
  page: Page;
  problems: string[];
}

/** Opens a new context for `device` (JavaScript on unless told), closed when `t` ends. */
export async function openPage(t: TestContext, browser: Browser, device: keyof typeof DEVICES, options: { javaScript?: boolean } = {}): Promise<WatchedPage> {
  // A share's certificate is its own (self-signed); the page shows its fingerprint to compare.
  const context = await browser.newContext({ ...DEVICES[device], javaScriptEnabled: options.javaScript ?? true, ignoreHTTPSErrors: true });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`a ${dialog.type()} dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { page, problems };
}

/** axe's serious and critical violations of the page as it is, in the light and the dark theme. */
export async function accessibilityProblems(page: Page, label: string): Promise<string[]> {
  const problems: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const v of await axeViolations(page)) {
      if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${label} (${colorScheme}): ${v.id} — ${v.help} at ${v.nodes.join(', ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: null });
  return problems;
}

/** What scrolls sideways at 360 px wide (the narrowest phones), as sentences; empty when nothing. */
export async function sidewaysAt360(page: Page): Promise<string[]> {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: 360, height: before.height });
  const { scrollWidth, viewport, scrollers } = await sidewaysScrolling(page);
  await page.setViewportSize(before);
  return [...(scrollWidth > viewport ? [`the page is ${scrollWidth} px wide in ${viewport} px`] : []), ...scrollers];
}

/** The names the listing shows, in order. */
export function listedNames(page: Page): Promise<string[]> {
  return page.locator('.entry-name').allTextContents();
}

/**
 * The bytes a click on a file's link brings: a download, or the file opened in the tab (servers
 * may show harmless types inline and send active ones as attachments).
 */
export async function bytesOfLink(page: Page, link: Locator): Promise<Buffer> {
  const href = new URL((await link.getAttribute('href'))!, page.url()).href;
  const download = page.waitForEvent('download');
  const opened = page.waitForResponse((r) => r.url() === href && r.request().isNavigationRequest());
  // The one not taken times out later; that is no failure.
  download.catch(() => undefined);
  opened.catch(() => undefined);
  await link.click();
  const first: Download | Response = await Promise.race([download, opened]);
  if ('path' in first) return readFile(await first.path());
  if (/^attachment/i.test((await first.headerValue('content-disposition')) ?? '')) return readFile(await (await download).path());
  return first.body();
}
