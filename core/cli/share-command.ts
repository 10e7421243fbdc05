/**
 * `ftp-share FOLDER…`: shares folders from a terminal until Ctrl+C. Prints a banner (the web
 * page's address and its QR code first, for phones; then the FTP addresses; who can do what), then
 * one line per thing that happened, in the same words as the app's log (core/share/narration.ts).
 * With `--json` it prints one JSON object per event instead (the first is `listening`), which is
 * what scripts and tests read; commands and replies only with `--verbose`.
 */
import path from 'node:path';
import QRCode from 'qrcode';
import type { ServerEventName } from '../ftp/events.js';
import { defaults } from '../defaults.js';
import { defaultCertificateDir } from '../tls/index.js';
import { ftpUrl, webUrl } from '../net/urls.js';
import { connectUrls, webConnectUrls } from '../share/connect-urls.js';
import { ownerCredentials, startShare, type ShareAccount, type ShareSpec } from '../share/share-assembly.js';
import { narrate, type NarratedLine, type ServerEventSource } from '../share/narration.js';
import { Redactor } from '../share/log-buffer.js';
import { bytesPerSecond, generatePassword } from '../share/settings.js';
import { systemAddressSource } from '../share/address-source.js';
import { untilStopSignal } from './signals.js';
import { bannerLines, type AccessSummary, type BannerUrl } from './banner.js';
import { UsageError, shareFlags, type CommandLine, type ShareFlags } from './options.js';
import { readAccountsFile } from './accounts-file.js';

/**
 * The events `--json` prints, every one but `listening` (printed once, with more): a record, so a
 * new event can't be forgotten here. `false`: only with `--verbose` (one per command: a tool
 * reading the stream wants sessions, logins and transfers, and printing each costs per file).
 */
const JSON_EVENTS: Record<Exclude<ServerEventName, 'listening'>, boolean> = {
  stopped: true,
  error: true,
  warning: true,
  'session-opened': true,
  'session-closed': true,
  login: true,
  'login-failed': true,
  'address-throttled': true,
  logout: true,
  command: false,
  reply: false,
  'session-changed': true,
  'transfer-started': true,
  'transfer-progress': true,
  'transfer-completed': true,
  'transfer-failed': true,
  'file-changed': true,
  'access-refused': true,
  'connection-refused': true,
};

/** What the command line asks to share, as the share assembly takes it; `accounts` from --accounts. */
function shareSpec(folders: string[], flags: ShareFlags, accounts?: ShareAccount[]): ShareSpec {
  return {
    folders,
    readOnly: flags.writable !== true,
    access: accounts
      ? { accounts }
      : {
          ...(flags.user !== undefined ? { username: flags.user } : {}),
          ...(flags.password !== undefined ? { password: flags.password } : {}),
        },
    ...(flags.ftps
      ? {
          ftps: {
            mode: flags.ftps,
            requireTls: flags.requireTls,
            certificate: flags.cert ? { files: flags.cert } : { dir: flags.certDir ?? defaultCertificateDir() },
          },
        }
      : {}),
    mdns: flags.mdns,
    ftp: {
      port: flags.port ?? defaults.port,
      ...(flags.host !== undefined ? { host: flags.host } : {}),
      ...(flags.publicHost !== undefined ? { publicHost: flags.publicHost } : {}),
      ...(flags.passivePorts ? { passivePorts: flags.passivePorts } : {}),
      ...(flags.maxConnections !== undefined ? { maxConnections: flags.maxConnections } : {}),
      ...(flags.maxConnectionsPerAddress !== undefined ? { maxConnectionsPerIp: flags.maxConnectionsPerAddress } : {}),
      // One budget for FTP and the web page (the assembly shares it).
      bandwidth: { download: bytesPerSecond(flags.maxDownloadMBps ?? 0), upload: bytesPerSecond(flags.maxUploadMBps ?? 0) },
    },
    // The web page takes the FTP listener's address and limits (see ShareSpec.web); `--port 0`
    // (any free port) gives it any free port too, unless --web-port says otherwise.
    ...(flags.web ? { web: { port: flags.webPort ?? (flags.port === 0 ? 0 : defaults.webPort) } } : {}),
  };
}

/** The web page's addresses: the same addresses as FTP's, in the same order. */
async function webBannerUrls(flags: ShareFlags, addresses: readonly string[], port: number, secure: boolean): Promise<BannerUrl[]> {
  if (flags.host !== undefined && flags.host !== '::' && flags.host !== '0.0.0.0') {
    return addresses.map((address) => ({ url: webUrl(address, port, { secure }) }));
  }
  const ranked = webConnectUrls(await systemAddressSource.list(), port, { secure });
  return ranked.length > 0 ? ranked : addresses.map((address) => ({ url: webUrl(address, port, { secure }) }));
}

/** The QR code of `url`, drawn with block characters for a terminal (two rows of modules per line). */
async function terminalQr(url: string): Promise<string> {
  return (await QRCode.toString(url, { type: 'terminal', small: true })).replace(/\n+$/, '');
}

/**
 * Bound to one address: that one. On every address: this machine's, ranked and labelled. The URLs
 * carry the user name when there is one account.
 */
async function bannerUrls(flags: ShareFlags, user: string | undefined, addresses: readonly string[], port: number, implicitTls: boolean): Promise<BannerUrl[]> {
  const options = { implicitTls, ...(user !== undefined ? { username: user } : {}) };
  if (flags.host !== undefined && flags.host !== '::' && flags.host !== '0.0.0.0') {
    return addresses.map((address) => ({ url: ftpUrl(address, port, options) }));
  }
  const ranked = connectUrls(await systemAddressSource.list(), port, options);
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
  const folders = line.positionals.map((folder) => path.resolve(folder));
  const accountsFile = flags.accountsFile !== undefined ? await readAccountsFile(flags.accountsFile, folders) : undefined;
  if (accountsFile?.warning !== undefined) process.stderr.write(`ftp-share: warning: ${accountsFile.warning}\n`);
  const accounts = accountsFile?.accounts;
  const spec = shareSpec(folders, flags, accounts);
  const json = line.values.has('json');
  const print = (object: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(object)}\n`);
  const observe = (events: ServerEventSource): (() => void) => {
    if (json) {
      const verbose = line.values.has('verbose');
      const printed = (Object.keys(JSON_EVENTS) as (keyof typeof JSON_EVENTS)[]).filter((event) => JSON_EVENTS[event] || verbose);
      const detachers = printed.map((event) => {
        const listener = (payload: object): void => print({ type: event, ...payload });
        events.on(event, listener);
        return () => events.off(event, listener);
      });
      return () => detachers.forEach((detach) => detach());
    }
    // A password can reach a line by accident (typed as a user name): never print it.
    const redactor = new Redactor();
    redactor.addSecret(flags.password);
    for (const account of accounts ?? []) redactor.addSecret(account.password);
    return narrate(events, (narrated) => process.stdout.write(terminalLine({ ...narrated, text: redactor.redact(narrated.text) }, new Date())), {
      debug: line.values.has('debug'),
    });
  };
  const started = await startShare(spec, observe);
  if (!started.ok) throw new UsageError(started.failure.fix ? `${started.failure.message}. ${started.failure.fix}` : started.failure.message);
  const { share } = started;
  const info = share.listening;
  const stopRequested = untilStopSignal();
  const access: AccessSummary = accounts
    ? { password: true, writable: !spec.readOnly, accounts: accounts.map((a) => ({ user: a.username, readOnly: a.readOnly === true, ...(a.folders ? { folders: a.folders.length } : {}) })) }
    : { password: flags.password !== undefined, writable: !spec.readOnly, ...(flags.user !== undefined ? { user: flags.user } : {}) };
  const user = accounts ? (accounts.length === 1 ? accounts[0]!.username : undefined) : flags.user;
  const urls = await bannerUrls(flags, user, info.addresses, info.port, info.tls?.mode === 'implicit');
  const web = share.web;
  const webUrls = web ? await webBannerUrls(flags, info.addresses, web.port, web.secure) : [];
  // The QR code signs the phone in only when there is an account to sign in as.
  const signInUrl = web && webUrls[0] && ownerCredentials(spec.access) ? `${webUrls[0].url}?token=${encodeURIComponent(web.signInToken())}` : undefined;
  const bandwidth = { downloadMBps: flags.maxDownloadMBps ?? 0, uploadMBps: flags.maxUploadMBps ?? 0 };
  if (json) {
    print({
      type: 'listening',
      port: info.port,
      addresses: info.addresses,
      urls,
      ...(web ? { webPort: web.port, webUrls } : {}),
      ...(signInUrl !== undefined ? { signInUrl } : {}),
      access,
      // MB/s, 0 = unlimited.
      bandwidth,
      // Shown once, as in the banner: the person running it needs it to log in.
      ...(flags.passwordGenerated ? { password: flags.password } : {}),
      ...(info.tls ? { tls: info.tls } : {}),
    });
  } else {
    const qrUrl = signInUrl ?? webUrls[0]?.url;
    const lines = bannerLines({
      folders: spec.folders,
      urls,
      ...(web ? { web: { urls: webUrls, ...(qrUrl !== undefined ? { qr: await terminalQr(qrUrl), qrSignsIn: signInUrl !== undefined } : {}) } } : {}),
      access,
      bandwidth,
      ...(flags.passwordGenerated ? { generatedPassword: flags.password! } : {}),
      ...(info.tls ? { tls: info.tls } : {}),
      ...(share.certificate?.generated ? { certificateGeneratedAt: share.certificate.generated.path } : {}),
    });
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await stopRequested;
  await share.stop();
  return 0;
}
