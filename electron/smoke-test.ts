/**
 * `--smoke-test`: the packaged app (or `electron dist/electron/main.cjs`) checks itself and quits,
 * for CI on machines with a desktop (`xvfb-run` on Linux): .github/workflows/desktop.yml.
 *
 * It starts hidden with a temporary config folder (nothing of the user's settings, keychain or
 * login items is touched), shares a temporary folder on a free port, downloads a file from itself
 * over FTP and from its web page, checks that the tray shows the share and that the window's page
 * loaded with the preload's API working, then quits: exit code 0, or 1 with the failing step on stderr, within
 * {@link SMOKE_TEST_TIMEOUT_MS}. main.ts wires it; the steps and the runner here are plain
 * functions over what main.ts hands them, tested in Node under the stand-in Electron module.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RequestFunctions } from '../core/share/contract.js';
import { ftpFetch } from './ftp-probe.js';
import type { TrayModel } from './tray.js';

/** The command-line flag. */
export const SMOKE_TEST_ARG = '--smoke-test';

/** The whole run, quitting included, ends within this. */
export const SMOKE_TEST_TIMEOUT_MS = 60_000;

/** What the steps may take: the rest is kept for quitting (sharing stops within 5 s). */
const STEPS_BUDGET_MS = SMOKE_TEST_TIMEOUT_MS - 8_000;

/** The temporary folders of one run. */
export interface SmokeWorkspace {
  root: string;
  /** Electron's `userData` (Chromium's files, the single-instance lock). */
  userData: string;
  /** The settings and certificates. */
  config: string;
  /** The shared folder, holding {@link SmokeWorkspace.fileName}. */
  shared: string;
  fileName: string;
  content: Buffer;
}

/** Makes the temporary folders and the file to download. */
export function createSmokeWorkspace(): SmokeWorkspace {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ftp-share-smoke-'));
  const workspace: SmokeWorkspace = {
    root,
    userData: path.join(root, 'user-data'),
    config: path.join(root, 'config'),
    shared: path.join(root, 'shared folder'),
    fileName: 'smoke test.bin',
    content: randomBytes(64 * 1024),
  };
  for (const dir of [workspace.userData, workspace.config, workspace.shared]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(workspace.shared, workspace.fileName), workspace.content);
  return workspace;
}

/** Removes the temporary folders (best effort: the OS cleans its temp folder anyway). */
export function removeSmokeWorkspace(workspace: SmokeWorkspace): void {
  try {
    rmSync(workspace.root, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // A file still held open on Windows; the temp folder is cleaned by the OS.
  }
}

/** One check. */
export interface SmokeStep {
  name: string;
  run(): Promise<void>;
}

/** What the steps check. */
export interface SmokeDependencies {
  share: Pick<RequestFunctions, 'findFreePort' | 'updateSettings' | 'start' | 'getState'>;
  workspace: SmokeWorkspace;
  /** The tray's current model. */
  trayModel(): TrayModel | undefined;
  /** Opens the window (hidden), waits for its page to load, and runs `code` in it. */
  runInPage(code: string): Promise<unknown>;
}

/**
 * What runs in the page: the preload's `window.ftpShare` must answer a request through IPC and
 * see the share running, and the React app must have drawn something. Returns 'ok' or what is
 * wrong. Kept to plain JavaScript: it goes through `webContents.executeJavaScript`.
 */
export const PAGE_CHECK = `(async () => {
  const api = window.ftpShare;
  if (!api || typeof api.getState !== 'function' || typeof api.on !== 'function') return 'window.ftpShare is missing: the preload did not run';
  const result = await api.getState();
  if (!result || !result.ok) return 'getState through IPC failed: ' + JSON.stringify(result);
  if (result.value.status !== 'running') return 'the page sees the share as ' + result.value.status;
  for (let i = 0; i < 100; i++) {
    const root = document.getElementById('root');
    if (root && root.childElementCount > 0) return 'ok';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'the page loaded but drew nothing in #root';
})()`;

/** The checks, in order. */
export function smokeSteps(deps: SmokeDependencies): SmokeStep[] {
  let port = 0;
  let webPort = 0;
  const value = <T>(result: { ok: true; value: T } | { ok: false; message: string }, what: string): T => {
    if (!result.ok) throw new Error(`${what}: ${result.message}`);
    return result.value;
  };
  return [
    {
      name: 'share a temporary folder on a free port',
      async run() {
        port = value(await deps.share.findFreePort({ from: 20000 + Math.floor(Math.random() * 20000) }), 'findFreePort');
        const wantedWebPort = value(await deps.share.findFreePort({ from: port + 1 }), 'findFreePort');
        value(
          await deps.share.updateSettings({
            folders: [deps.workspace.shared],
            port,
            readOnly: true,
            access: { mode: 'anonymous' },
            web: { enabled: true, port: wantedWebPort, qrSignIn: false },
            launchAtLogin: false,
          }),
          'updateSettings',
        );
        const state = value(await deps.share.start(undefined), 'start');
        if (state.status !== 'running') throw new Error(`sharing is ${state.status}${state.error ? `: ${state.error.message}` : ''}`);
        if (!state.web) throw new Error('the web page did not start');
        webPort = state.web.port;
      },
    },
    {
      name: 'download a file from the share over FTP',
      async run() {
        const bytes = await ftpFetch({ host: '127.0.0.1', port, path: `/${deps.workspace.fileName}` });
        if (!bytes.equals(deps.workspace.content)) throw new Error(`got ${bytes.length} bytes that differ from the ${deps.workspace.content.length} shared`);
      },
    },
    {
      name: 'download the file from the web page',
      async run() {
        const url = `http://127.0.0.1:${webPort}/${encodeURIComponent(deps.workspace.fileName)}`;
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
        const bytes = Buffer.from(await response.arrayBuffer());
        if (!bytes.equals(deps.workspace.content)) throw new Error(`got ${bytes.length} bytes that differ from the ${deps.workspace.content.length} shared`);
      },
    },
    {
      name: 'the tray shows the share',
      async run() {
        // States reach the tray batched (at most ~10 pushes a second): give it a moment.
        const shows = () => {
          const model = deps.trayModel();
          const status = model?.items[0];
          const label = status && status.type === 'status' ? status.label : '';
          return { model, label, ok: model?.icon === 'on' && label.startsWith('Sharing at ') && label.includes(`:${port}`) };
        };
        for (let i = 0; i < 50 && !shows().ok; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        const { model, label, ok } = shows();
        if (!model) throw new Error('there is no tray');
        if (!ok) throw new Error(`the tray shows "${label}" with the ${model.icon} icon`);
        const labels = model.items.flatMap((item) => (item.type === 'action' && item.enabled ? [item.label] : []));
        for (const wanted of ['Stop sharing', 'Copy address', 'Open FTP Share', 'Quit']) {
          if (!labels.includes(wanted)) throw new Error(`the tray menu has no enabled "${wanted}"`);
        }
      },
    },
    {
      name: 'the window loads its page with the preload API',
      async run() {
        const answer = await deps.runInPage(PAGE_CHECK);
        if (answer !== 'ok') throw new Error(String(answer));
      },
    },
  ];
}

/** How a run ended. */
export type SmokeOutcome = { ok: true } | { ok: false; step: string; error: string };

/**
 * Runs the steps in order, each bounded by what is left of the budget; stops at the first
 * failure. `log` gets one line per step passed.
 */
export async function runSmokeSteps(
  steps: readonly SmokeStep[],
  options: { log(line: string): void; budgetMs?: number; now?: () => number },
): Promise<SmokeOutcome> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.budgetMs ?? STEPS_BUDGET_MS);
  for (const step of steps) {
    let timer: NodeJS.Timeout | undefined;
    const left = Math.max(0, deadline - now());
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${Math.round(left / 1000)} s`)), left);
    });
    try {
      await Promise.race([step.run(), timeout]);
      options.log(`FTP Share smoke test: ${step.name}: ok`);
    } catch (error) {
      return { ok: false, step: step.name, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
  return { ok: true };
}

/** The line on stderr for a failure. */
export function smokeFailureLine(outcome: Extract<SmokeOutcome, { ok: false }>): string {
  return `FTP Share smoke test failed at "${outcome.step}": ${outcome.error}`;
}
