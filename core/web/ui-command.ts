/**
 * `ftp-share --ui`: the share controlled from a browser page served by a local web host.
 *
 * Settings come from (and go to) the settings file in `--config-dir`: by default the `web-ui`
 * folder inside the config folder, apart from the desktop app's file (see uiOptions). The share
 * options given on the command line (`--port`, `--writable`/`--read-only`, `--user`/`--password`,
 * `--ftps`, …) and its folders are applied to those settings and saved, so the window starts with
 * (and shows) them.
 * The FTP server starts when the page says so.
 */
import path from 'node:path';
import { ShareService } from '../share/share-service.js';
import { SettingsStore, defaultConfigDir } from '../share/settings-store.js';
import { DEFAULT_USERNAME, generatePassword, type ShareSettings } from '../share/settings.js';
import { defaultCertificateDir } from '../tls/index.js';
import { checkDirectoryOption, optionValue, parsePort, shareFlags, type CommandLine, type ShareFlags } from '../cli/options.js';
import { untilStopSignal } from '../cli/signals.js';
import { startWebHost } from './web-host.js';
import { openBrowser } from './open-browser.js';

interface UiOptions {
  uiPort: number;
  open: boolean;
  json: boolean;
  configDir: string;
  certDir: string;
  folders: string[];
}

/** Which option set which settings field, for messages about a value the settings refuse. */
const FLAG_OF_FIELD: Record<string, string> = {
  port: '--port',
  readOnly: '--writable',
  access: '--user/--password',
  'access.username': '--user',
  'access.password': '--password',
  ftps: '--ftps',
  requireTls: '--require-tls',
  passivePorts: '--passive-ports',
  mdns: '--no-mdns',
  web: '--web-port',
  'web.port': '--web-port',
  'bandwidth.downloadMBps': '--max-download',
  'bandwidth.uploadMBps': '--max-upload',
  maxConnections: '--max-connections',
  maxConnectionsPerAddress: '--max-connections-per-address',
};

async function uiOptions(line: CommandLine): Promise<UiOptions> {
  const text = (name: string): string | undefined => optionValue(line, name);
  const uiPort = text('ui-port');
  // Not the desktop app's folder: the app encrypts the password with the OS keychain, which the CLI
  // can't reach, so sharing one settings file would make the CLI replace the password users rely on.
  const configDir = path.resolve(text('config-dir') ?? path.join(defaultConfigDir(), 'web-ui'));
  if (text('config-dir') !== undefined) await checkDirectoryOption(configDir, '--config-dir');
  const certDir = text('cert-dir') !== undefined
    ? path.resolve(text('cert-dir')!)
    : text('config-dir') !== undefined ? path.join(configDir, 'certificates') : defaultCertificateDir();
  return {
    uiPort: uiPort === undefined ? 0 : await parsePort(uiPort, 'ui-port'),
    open: !line.values.has('no-open'),
    json: line.values.has('json'),
    configDir,
    certDir,
    folders: line.positionals.map((f) => path.resolve(f)),
  };
}

/** The settings the command line's share options ask for, over `current`. */
function settingsFromFlags(flags: ShareFlags, current: ShareSettings): Partial<ShareSettings> {
  const wanted: Partial<ShareSettings> = {};
  if (flags.port !== undefined) wanted.port = flags.port;
  if (flags.writable !== undefined) wanted.readOnly = !flags.writable;
  if (flags.password !== undefined) {
    const access = current.access;
    const saved = access.mode === 'password' ? access.username : (access.account?.username ?? DEFAULT_USERNAME);
    wanted.access = { mode: 'password', username: flags.user ?? saved, password: flags.password };
  }
  if (flags.ftps !== undefined) wanted.ftps = flags.ftps;
  if (flags.requireTls) wanted.requireTls = true;
  if (flags.passivePorts !== undefined) wanted.passivePorts = flags.passivePorts;
  if (!flags.mdns) wanted.mdns = false;
  // The web page: --no-web turns it off; --web-port turns it on at that port (0 is refused by
  // the settings, as for --port: a saved port must be one people can type).
  if (!flags.web) wanted.web = { ...current.web, enabled: false };
  else if (flags.webPort !== undefined) wanted.web = { ...current.web, enabled: true, port: flags.webPort };
  if (flags.maxConnections !== undefined) wanted.maxConnections = flags.maxConnections;
  if (flags.maxConnectionsPerAddress !== undefined) wanted.maxConnectionsPerAddress = flags.maxConnectionsPerAddress;
  if (flags.maxDownloadMBps !== undefined || flags.maxUploadMBps !== undefined) {
    wanted.bandwidth = {
      ...current.bandwidth,
      ...(flags.maxDownloadMBps !== undefined ? { downloadMBps: flags.maxDownloadMBps } : {}),
      ...(flags.maxUploadMBps !== undefined ? { uploadMBps: flags.maxUploadMBps } : {}),
    };
  }
  return wanted;
}

/** Applies the command line to the saved settings; resolves an error message, or undefined. */
async function applyCommandLine(service: ShareService, flags: ShareFlags, folders: readonly string[]): Promise<string | undefined> {
  for (const folder of folders) {
    const added = await service.addFolder({ path: folder });
    if (!added.ok) return added.message;
  }
  const current = await service.getSettings();
  if (!current.ok) return current.message;
  const wanted = settingsFromFlags(flags, current.value);
  if (Object.keys(wanted).length > 0) {
    const updated = await service.updateSettings(wanted);
    if (!updated.ok) {
      const field = updated.fields?.[0];
      const flag = field ? (FLAG_OF_FIELD[field.field] ?? FLAG_OF_FIELD[field.field.split(/[.[]/)[0]!]) : undefined;
      return flag ? `${flag}: ${field!.message}` : updated.message;
    }
  }
  if (flags.cert) {
    const imported = await service.importCertificate({ certPath: flags.cert.cert, keyPath: flags.cert.key });
    if (!imported.ok) return imported.message;
  }
  return undefined;
}

/**
 * Runs the web UI until SIGINT/SIGTERM; resolves the exit code (0, or 2 for a bad folder or
 * setting). Throws UsageError for a bad command line.
 */
export async function runUiCommand(line: CommandLine): Promise<number> {
  const options = await uiOptions(line);
  const flags = await shareFlags(line, () => generatePassword(), line.values.has('user') ? process.env : {});
  const print = (object: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(object)}\n`);
  const service = new ShareService({ settingsStore: new SettingsStore({ dir: options.configDir }), certificateDir: options.certDir });
  await service.ready();
  const problem = await applyCommandLine(service, flags, options.folders);
  if (problem !== undefined) {
    process.stderr.write(`ftp-share: ${problem}\n`);
    await service.close();
    return 2;
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
  const stopRequested = untilStopSignal();
  // Said only when a browser really opened: on a machine without one, the address is the way in.
  const opened = options.open ? await openBrowser(host.url) : false;
  if (options.json) {
    print({ type: 'ui', url: host.url, opened });
    service.onPush((event, payload) => {
      if (event === 'state') {
        const s = payload as { status: string; url?: string; port?: number; error?: { message: string } };
        print({ type: 'state', status: s.status, ...(s.url ? { url: s.url } : {}), ...(s.port ? { port: s.port } : {}), ...(s.error ? { error: s.error.message } : {}) });
      } else if (event === 'notice') {
        print({ type: 'notice', ...(payload as object) });
      }
    });
  } else {
    const generated = flags.passwordGenerated ? [`Password: ${flags.password} (generated and saved; the window shows it too)`] : [];
    const intro = opened ? 'FTP Share is open in your browser at:' : 'Open this address in your browser:';
    process.stdout.write(`${[intro, `  ${host.url}`, "(the link contains a secret token; don't share it)", ...generated, 'Press Ctrl+C to stop.'].join('\n')}\n`);
  }

  await stopRequested;
  await host.close();
  await service.close();
  return 0;
}

