/**
 * Helpers of the window's end-to-end tests: a fresh renderer build, the `ftp-share --ui` process,
 * headless Chromium, screenshots and axe-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'basic-ftp';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotsDir = path.join(repo, 'test-artifacts', 'screenshots');

/** Chromium as the brief's CI has it: headless, no sandbox (containers), no GPU. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtime(full));
    else newest = Math.max(newest, (await stat(full)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the window into dist/renderer/ unless the build is newer than every source file
 * (`npm test` builds it first; a developer running one test file gets a fresh one too).
 */
export async function ensureRendererBuilt(): Promise<void> {
  const index = path.join(repo, 'dist', 'renderer', 'index.html');
  const built = await stat(index).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(await newestMtime(path.join(repo, 'renderer')), await newestMtime(path.join(repo, 'core', 'share')));
  if (built > sources) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(repo, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * A basic-ftp client logged in to the share on 127.0.0.1 (plain FTP). A refused login closes its
 * connection, so it doesn't stay on as a session.
 */
export async function ftpClient(port: number, user: string, password: string): Promise<Client> {
  const client = new Client(15_000);
  try {
    await client.access({ host: '127.0.0.1', port, user, password, secure: false });
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running `ftp-share --ui --json` process. */
export interface UiProcess {
  child: ChildProcess;
  /** The page URL with the token. */
  url: string;
  /** Everything printed on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `ftp-share --ui --no-open --ui-port N --web-port M --json --config-dir DIR FOLDER…` from
 * source; the UI port is any free one unless `uiPort` is given (a second run on the same port), and
 * the web page's port a free one unless `webPort` is given (tests running at once can't all have 8080).
 */
export async function startUi(configDir: string, folders: string[], options: { uiPort?: number; webPort?: number } = {}): Promise<UiProcess> {
  const cli = path.join(repo, 'core', 'cli.ts');
  const webPort = options.webPort ?? (await freePort());
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--ui', '--no-open', '--ui-port', String(options.uiPort ?? 0), '--web-port', String(webPort), '--json', '--config-dir', configDir, ...folders],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ftp-share --ui printed no URL in 30 s (stderr: ${err})`)), 30_000);
    child.once('exit', (code) => reject(new Error(`ftp-share --ui exited with ${code} (stderr: ${err})`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      for (const line of out.split('\n').slice(0, -1)) {
        try {
          const event = JSON.parse(line) as { type?: string; url?: string };
          if (event.type === 'ui' && event.url) {
            clearTimeout(timer);
            resolve(event.url);
          }
        } catch {
          // Not JSON: ignore.
        }
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
  });
  return {
    child,
    url,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One axe-core violation, reduced to what a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page and returns every violation (all impacts).
 *
 * axe is evaluated through the DevTools protocol rather than added as a <script> tag: the
 * window's Content-Security-Policy (rightly) refuses inline scripts.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Page code as strings: this file is checked without DOM types, and tsx's transform would add
  // helpers (`__name`) that don't exist in the page.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
    await page.evaluate(await readFile(path.join(repo, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  }
  return (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  })()`)) as AxeViolation[];
}

/** Every axe run of this process: panel, theme, violations (for test-artifacts/axe-results.json). */
export const axeLog: { panel: string; colorScheme: string; violations: AxeViolation[] }[] = [];

/** Waits for two animation frames (a style change has been painted). */
export async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))');
}

/**
 * Screenshots the current panel in the light and the dark theme and runs axe in each; returns
 * the serious/critical violations found (prefixed with the panel and theme). Every violation,
 * whatever its impact, is also kept in {@link axeLog}.
 */
export async function capturePanel(page: Page, name: string): Promise<string[]> {
  await mkdir(screenshotsDir, { recursive: true });
  const problems: string[] = [];
  // Show each panel from its top (filling a field further down may have scrolled it).
  await page.evaluate(`document.querySelector('.panel-scroll')?.scrollTo(0, 0)`);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    // Let the theme's color transitions end: axe must not judge a color halfway between themes.
    await page.waitForTimeout(300);
    await settle(page);
    await page.screenshot({ path: path.join(screenshotsDir, `${name}-${colorScheme}.png`), animations: 'disabled' });
    const violations = await axeViolations(page);
    axeLog.push({ panel: name, colorScheme, violations });
    for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
      problems.push(`${name} (${colorScheme}): ${v.impact} ${v.id} — ${v.help} at ${v.nodes.join(', ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}

/**
 * What scrolls sideways on the page: the document's width beyond the viewport, and every element
 * whose content is wider than its box and that lets it scroll (tables in their wrappers).
 */
export async function sidewaysScrolling(page: Page): Promise<{ scrollWidth: number; viewport: number; scrollers: string[] }> {
  return (await page.evaluate(`(() => {
    const scrollers = [];
    for (const el of document.querySelectorAll('body *')) {
      const overflow = getComputedStyle(el).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
        scrollers.push((el.getAttribute('aria-label') || el.className || el.tagName) + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, scrollers };
  })()`)) as { scrollWidth: number; viewport: number; scrollers: string[] };
}
