/**
 * `ftp-share FOLDER…`: shares folders from a terminal until Ctrl+C. Prints a banner (where to
 * connect, who can do what), then one line per thing that happened, in the same words as the
 * app's log (core/share/narration.ts). With `--json` it prints one JSON object per event instead
 * (the first is `listening`), which is what scripts and tests read.
 */
import path from 'node:path';
import { FtpServer } from '../ftp/server.js';
import type { FtpServerOptions, TlsOptions } from '../ftp/options.js';
import type { ServerEventName } from '../ftp/events.js';
import { SimpleAuthorizer } from '../auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../fs/physical.js';
import { VirtualFileSystem } from '../fs/virtual.js';
import { defaults } from '../defaults.js';
import { defaultCertificateDir, ensureCertificate, loadCertificateFiles, isCertificateError } from '../tls/index.js';
import { candidateUrls, ftpUrl } from '../net/addresses.js';
import { checkFolder } from '../share/folders.js';
import { narrate, type NarratedLine } from '../share/narration.js';
import { Redactor } from '../share/log-buffer.js';
import { generatePassword } from '../share/settings.js';
import { systemAddressSource } from '../share/share-service.js';
import { untilStopSignal } from './signals.js';
import { bannerLines, type AccessSummary, type BannerUrl } from './banner.js';
import { UsageError, shareFlags, type CommandLine, type ShareFlags } from './options.js';

/**
 * The events `--json` prints, every one but `listening` (printed once, with more): a record, so a
 * new event can't be forgotten here.
 */
const JSON_EVENTS: Record<Exclude<ServerEventName, 'listening'>, true> = {
  stopped: true,
  error: true,
  warning: true,
  'session-opened': true,
  'session-closed': true,
  login: true,
  'login-failed': true,
  'address-throttled': true,
  logout: true,
  command: true,
  reply: true,
  'session-changed': true,
  'transfer-started': true,
  'transfer-progress': true,
  'transfer-completed': true,
  'transfer-failed': true,
  'file-changed': true,
  'access-refused': true,
  'connection-refused': true,
};

/** Checks every folder (exists, is a folder, can be listed) and returns their absolute paths. */
async function checkFolders(folders: readonly string[]): Promise<string[]> {
  const resolved: string[] = [];
  for (const folder of folders) {
    const full = path.resolve(folder);
    const problem = await checkFolder(full);
    if (problem) throw new UsageError(problem.message);
    resolved.push(full);
  }
  return resolved;
}

async function tlsFor(flags: ShareFlags): Promise<{ tls: TlsOptions; generatedAt?: string } | undefined> {
  if (!flags.ftps) return undefined;
  const policy = { mode: flags.ftps, requireTls: flags.requireTls, requireEncryptedData: flags.requireTls };
  try {
    if (flags.cert) {
      const checked = await loadCertificateFiles(flags.cert.cert, flags.cert.key);
      return { tls: { ...policy, cert: checked.cert, key: checked.key } };
    }
    const stored = await ensureCertificate(flags.certDir ?? defaultCertificateDir());
    return { tls: { ...policy, cert: stored.cert, key: stored.key }, ...(stored.generated ? { generatedAt: stored.certPath } : {}) };
  } catch (err) {
    if (isCertificateError(err)) throw new UsageError(err.message);
    throw err;
  }
}

/** Bound to one address: that one. On every address: this machine's, ranked and labelled. */
async function connectUrls(flags: ShareFlags, addresses: readonly string[], port: number, implicitTls: boolean): Promise<BannerUrl[]> {
  const options = { implicitTls, ...(flags.user !== undefined ? { username: flags.user } : {}) };
  if (flags.host !== undefined && flags.host !== '::' && flags.host !== '0.0.0.0') {
    return addresses.map((address) => ({ url: ftpUrl(address, port, options) }));
  }
  const ranked = candidateUrls(await systemAddressSource.list(), port, options);
  return ranked.length > 0 ? ranked : addresses.map((address) => ({ url: ftpUrl(address, port, options) }));
}

/** A narrated line for the terminal: time, session, and "warning:"/"error:" where it is one. */
function terminalLine(line: NarratedLine, time: Date): string {
  const level = line.level === 'warn' ? 'warning: ' : line.level === 'error' ? 'error: ' : '';
  return `${time.toISOString()} ${line.sessionId ? `${line.sessionId} ` : ''}${level}${line.text}\n`;
}

/** Shares until SIGINT/SIGTERM; resolves the exit code. Throws UsageError for a bad command line. */
export async function runShareCommand(line: CommandLine): Promise<number> {
  const flags = await shareFlags(line, () => generatePassword());
  if (line.positionals.length === 0) throw new UsageError('no folder to share: give at least one FOLDER');
  const folders = await checkFolders(line.positionals);
  const readOnly = flags.writable !== true;
  const fileSystem =
    folders.length === 1 ? new PhysicalFileSystem({ root: folders[0]!, readOnly }) : new VirtualFileSystem({ roots: folders, readOnly });
  const authorizer = new SimpleAuthorizer({
    ...(flags.user !== undefined ? { username: flags.user } : {}),
    ...(flags.password !== undefined ? { password: flags.password } : {}),
    fs: fileSystem,
  });
  const tls = await tlsFor(flags);
  const serverOptions: FtpServerOptions = {
    port: flags.port ?? defaults.port,
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(flags.publicHost !== undefined ? { publicHost: flags.publicHost } : {}),
    ...(flags.passivePorts ? { passivePorts: flags.passivePorts } : {}),
    authorizer,
    ...(tls ? { tls: tls.tls } : {}),
  };
  const server = new FtpServer(serverOptions);
  const json = line.values.has('json');
  const print = (object: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(object)}\n`);
  if (json) {
    for (const event of Object.keys(JSON_EVENTS) as (keyof typeof JSON_EVENTS)[]) server.on(event, (payload) => print({ type: event, ...payload }));
  } else {
    // A password can reach a line by accident (typed as a user name): never print it.
    const redactor = new Redactor();
    redactor.addSecret(flags.password);
    narrate(server, (narrated) => process.stdout.write(terminalLine({ ...narrated, text: redactor.redact(narrated.text) }, new Date())), {
      debug: line.values.has('debug'),
    });
  }
  const info = await server.start();
  const stopRequested = untilStopSignal();
  const access: AccessSummary = { password: flags.password !== undefined, writable: !readOnly, ...(flags.user !== undefined ? { user: flags.user } : {}) };
  const urls = await connectUrls(flags, info.addresses, info.port, info.tls?.mode === 'implicit');
  if (json) {
    print({
      type: 'listening',
      port: info.port,
      addresses: info.addresses,
      urls,
      access,
      // Shown once, as in the banner: the person running it needs it to log in.
      ...(flags.passwordGenerated ? { password: flags.password } : {}),
      ...(info.tls ? { tls: info.tls } : {}),
    });
  } else {
    const lines = bannerLines({
      folders,
      urls,
      access,
      ...(flags.passwordGenerated ? { generatedPassword: flags.password! } : {}),
      ...(info.tls ? { tls: info.tls } : {}),
      ...(tls?.generatedAt ? { certificateGeneratedAt: tls.generatedAt } : {}),
    });
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await stopRequested;
  await server.stop();
  return 0;
}
