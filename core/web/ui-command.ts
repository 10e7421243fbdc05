/**
 * `ftp-share --ui`: the share controlled from a browser page served by a local web host.
 *
 * Settings come from (and go to) the same settings file the desktop app uses; folders given on
 * the command line are added to them. The FTP server starts when the page says so.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { ShareService } from '../share/share-service.js';
import { SettingsStore, defaultConfigDir } from '../share/settings-store.js';
import { defaultCertificateDir } from '../tls/index.js';
import { startWebHost } from './web-host.js';
import { openBrowser } from './open-browser.js';

export const UI_USAGE = `Usage: ftp-share --ui [--ui-port N] [--no-open] [--json] [--config-dir DIR] [--cert-dir DIR] [FOLDER...]

Opens FTP Share's window in the browser (served on 127.0.0.1 only, behind a secret token).
Folders given here are added to the saved settings; sharing starts from the window.`;

/** True when the command line asks for the web UI (`--ui` before any `--`). */
export function isUiCommand(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--ui') return true;
  }
  return false;
}

interface UiOptions {
  uiPort: number;
  open: boolean;
  json: boolean;
  configDir: string;
  certDir: string;
  folders: string[];
}

class UiUsageError extends Error {}

function parse(argv: string[]): UiOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ui: { type: 'boolean', default: false },
        'ui-port': { type: 'string' },
        'no-open': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'config-dir': { type: 'string' },
        'cert-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UiUsageError(`${(err as Error).message.split('\n')[0]!} (with --ui only --ui-port, --no-open, --json, --config-dir and --cert-dir apply)`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  let uiPort = 0;
  if (v['ui-port'] !== undefined) {
    if (!/^\d+$/.test(v['ui-port']) || Number(v['ui-port']) > 65535) throw new UiUsageError(`--ui-port must be a number from 0 to 65535, got "${v['ui-port']}"`);
    uiPort = Number(v['ui-port']);
  }
  // Not the desktop app's folder: the app encrypts the password with the OS keychain, which the CLI
  // can't reach, so sharing one settings file would make the CLI replace the password users rely on.
  const configDir = path.resolve(v['config-dir'] ?? path.join(defaultConfigDir(), 'web-ui'));
  const certDir = v['cert-dir'] !== undefined
    ? path.resolve(v['cert-dir'])
    : v['config-dir'] !== undefined ? path.join(configDir, 'certificates') : defaultCertificateDir();
  return { uiPort, open: !v['no-open'], json: v.json, configDir, certDir, folders: parsed.positionals.map((f) => path.resolve(f)) };
}

/**
 * Runs the web UI until SIGINT/SIGTERM; resolves the exit code (0, or 2 for a bad command line
 * or folder). Never throws for expected problems.
 */
export async function runUiCommand(argv: string[]): Promise<number> {
  let options: UiOptions | 'help';
  try {
    options = parse(argv);
  } catch (err) {
    if (!(err instanceof UiUsageError)) throw err;
    process.stderr.write(`ftp-share: ${err.message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${UI_USAGE}\n`);
    return 0;
  }
  const print = (object: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(object)}\n`);
  const service = new ShareService({ settingsStore: new SettingsStore({ dir: options.configDir }), certificateDir: options.certDir });
  await service.ready();
  for (const folder of options.folders) {
    const added = await service.addFolder({ path: folder });
    if (!added.ok) {
      process.stderr.write(`ftp-share: ${added.message}\n`);
      await service.close();
      return 2;
    }
  }
  const state = await service.getState();
  if (state.ok && state.value.settingsRecovered) {
    process.stderr.write(`ftp-share: ${state.value.settingsRecovered.reason} (old file kept as ${state.value.settingsRecovered.backupPath})\n`);
  }

  let host;
  try {
    host = await startWebHost({ backend: service, port: options.uiPort });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`ftp-share: the UI can't listen on 127.0.0.1:${options.uiPort}${code === 'EADDRINUSE' ? ' (the port is in use)' : code ? ` (${code})` : ''}\n`);
    await service.close();
    return 2;
  }
  if (options.json) {
    print({ type: 'ui', url: host.url });
    service.onPush((event, payload) => {
      if (event === 'state') {
        const s = payload as { status: string; url?: string; port?: number; error?: { message: string } };
        print({ type: 'state', status: s.status, ...(s.url ? { url: s.url } : {}), ...(s.port ? { port: s.port } : {}), ...(s.error ? { error: s.error.message } : {}) });
      } else if (event === 'notice') {
        print({ type: 'notice', ...(payload as object) });
      }
    });
  } else {
    process.stdout.write(`FTP Share is open in your browser at:\n  ${host.url}\n(the link contains a secret token; don't share it)\nPress Ctrl+C to stop.\n`);
  }
  if (options.open) openBrowser(host.url);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await host.close();
  await service.close();
  return 0;
}
