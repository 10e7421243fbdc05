#!/usr/bin/env node
import { parseArgs } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FtpServer, FtpServerError } from './ftp/server.js';
import type { FtpServerOptions, TlsOptions } from './ftp/options.js';
import type { ServerEventName } from './ftp/events.js';
import { SimpleAuthorizer } from './auth/simple-authorizer.js';
import { PhysicalFileSystem } from './fs/physical.js';
import { VirtualFileSystem } from './fs/virtual.js';
import { defaults } from './defaults.js';
import { escapeForLog } from './ftp/replies.js';
import { defaultCertificateDir, ensureCertificate, loadCertificateFiles, isCertificateError } from './tls/index.js';
import { isUiCommand, runUiCommand } from './web/ui-command.js';

/**
 * The `ftp-share` command: shares folders over FTP/FTPS from a terminal. With `--json` it prints
 * one JSON object per event (the first is `listening`), which is what scripts and tests read.
 */

const USAGE = `Usage: ftp-share [--port N] [--host ADDR] [--read-only] [--user NAME] [--password PW]
                 [--ftps explicit|implicit] [--require-tls] [--cert FILE --key FILE] [--cert-dir DIR]
                 [--passive-ports A-B] [--public-host HOST] [--json] FOLDER [FOLDER...]
       ftp-share --ui [--ui-port N] [--no-open] [--json] [--config-dir DIR] [FOLDER...]

One folder is shared as the root; several appear as top-level directories.
No --user/--password: anyone may log in (anonymous). FTP_SHARE_PASSWORD may carry the password.`;

/** A bad command line or folder: printed as one line, exit code 2. */
class UsageError extends Error {}

interface CliOptions {
  server: Omit<FtpServerOptions, 'authorizer' | 'tls'>;
  folders: string[];
  readOnly: boolean;
  user?: string;
  password?: string;
  json: boolean;
  ftps?: 'explicit' | 'implicit';
  requireTls: boolean;
  cert?: string;
  key?: string;
  certDir?: string;
}

function parsePort(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`${flag} must be a number from 0 to 65535, got "${text}"`);
  return Number(text);
}

function parseCommandLine(argv: string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'read-only': { type: 'boolean', default: false },
        user: { type: 'string' },
        password: { type: 'string' },
        ftps: { type: 'string' },
        'require-tls': { type: 'boolean', default: false },
        cert: { type: 'string' },
        key: { type: 'string' },
        'cert-dir': { type: 'string' },
        'passive-ports': { type: 'string' },
        'public-host': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length === 0) throw new UsageError('no folder to share: give at least one FOLDER');
  const server: CliOptions['server'] = { port: v.port !== undefined ? parsePort(v.port, '--port') : defaults.port };
  if (v.host !== undefined) server.host = v.host;
  if (v['public-host'] !== undefined) server.publicHost = v['public-host'];
  if (v['passive-ports'] !== undefined) {
    const match = /^(\d+)-(\d+)$/.exec(v['passive-ports']);
    const min = Number(match?.[1]);
    const max = Number(match?.[2]);
    if (!match || min < 1 || max > 65535 || min > max) throw new UsageError(`--passive-ports must look like 50000-50100, got "${v['passive-ports']}"`);
    server.passivePorts = { min, max };
  }
  if (v.ftps !== undefined && v.ftps !== 'explicit' && v.ftps !== 'implicit') {
    throw new UsageError(`--ftps must be "explicit" or "implicit", got "${v.ftps}"`);
  }
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError('--cert and --key go together');
  if ((v.cert !== undefined || v['require-tls']) && v.ftps === undefined) throw new UsageError('--cert, --key and --require-tls need --ftps explicit|implicit');
  // An empty FTP_SHARE_PASSWORD counts as unset (`FTP_SHARE_PASSWORD= ftp-share …` is how a shell
  // clears it); an explicit empty --password is refused below.
  const password = v.password ?? (process.env.FTP_SHARE_PASSWORD || undefined);
  if (password === '') throw new UsageError('the password is empty');
  return {
    server,
    folders: parsed.positionals,
    readOnly: v['read-only'],
    ...(v.user !== undefined ? { user: v.user } : {}),
    ...(password !== undefined ? { password } : {}),
    json: v.json,
    ...(v.ftps !== undefined ? { ftps: v.ftps as 'explicit' | 'implicit' } : {}),
    requireTls: v['require-tls'],
    ...(v.cert !== undefined ? { cert: v.cert, key: v.key! } : {}),
    ...(v['cert-dir'] !== undefined ? { certDir: v['cert-dir'] } : {}),
  };
}

/** Checks that every folder exists, is a directory and can be listed. */
async function checkFolders(folders: string[]): Promise<string[]> {
  const resolved: string[] = [];
  for (const folder of folders) {
    const full = path.resolve(folder);
    let stat;
    try {
      stat = await fs.stat(full);
    } catch {
      throw new UsageError(`folder not found: ${folder}`);
    }
    if (!stat.isDirectory()) throw new UsageError(`not a folder: ${folder}`);
    try {
      const dir = await fs.opendir(full);
      await dir.close();
    } catch {
      throw new UsageError(`folder can't be read (permission denied): ${folder}`);
    }
    resolved.push(full);
  }
  return resolved;
}

async function tlsFor(options: CliOptions): Promise<{ tls: TlsOptions; generatedAt?: string } | undefined> {
  if (!options.ftps) return undefined;
  const policy = { mode: options.ftps, requireTls: options.requireTls, requireEncryptedData: options.requireTls };
  try {
    if (options.cert && options.key) {
      const checked = await loadCertificateFiles(options.cert, options.key);
      return { tls: { ...policy, cert: checked.cert, key: checked.key } };
    }
    const stored = await ensureCertificate(options.certDir ?? defaultCertificateDir());
    return { tls: { ...policy, cert: stored.cert, key: stored.key }, ...(stored.generated ? { generatedAt: stored.certPath } : {}) };
  } catch (err) {
    if (isCertificateError(err)) throw new UsageError(err.message);
    throw err;
  }
}

const EVENTS: ServerEventName[] = [
  'stopped', 'error', 'warning', 'session-opened', 'session-closed', 'login', 'login-failed', 'address-throttled', 'logout', 'command', 'reply',
  'session-changed', 'transfer-started', 'transfer-progress', 'transfer-completed', 'transfer-failed',
];

function urlFor(address: string, port: number, implicit: boolean): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `${implicit ? 'ftps' : 'ftp'}://${host}:${port}/`;
}

async function main(argv: string[]): Promise<number> {
  // The browser UI (core/web): settings from the settings file, sharing started from the page.
  if (isUiCommand(argv)) return runUiCommand(argv);
  const options = parseCommandLine(argv);
  if (options === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const folders = await checkFolders(options.folders);
  const fileSystem =
    folders.length === 1
      ? new PhysicalFileSystem({ root: folders[0]!, readOnly: options.readOnly })
      : new VirtualFileSystem({ roots: folders, readOnly: options.readOnly });
  const authorizer = new SimpleAuthorizer({
    ...(options.user !== undefined ? { username: options.user } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    fs: fileSystem,
  });
  const tls = await tlsFor(options);
  const server = new FtpServer({ ...options.server, authorizer, ...(tls ? { tls: tls.tls } : {}) });
  const print = (object: Record<string, unknown>) => process.stdout.write(JSON.stringify(object) + '\n');
  if (options.json) {
    for (const event of EVENTS) server.on(event, (payload) => print({ type: event, ...payload }));
  } else {
    // User and file names come from clients: escaped, so they can't forge lines or drive the terminal.
    server.on('login', (e) => process.stdout.write(`${new Date().toISOString()} ${e.sessionId} logged in as ${escapeForLog(e.user)}\n`));
    server.on('transfer-completed', (e) =>
      process.stdout.write(`${new Date().toISOString()} ${e.sessionId} ${e.direction === 'download' ? 'sent' : 'received'} ${escapeForLog(e.path)} (${e.bytes} bytes)\n`),
    );
    server.on('warning', (e) => process.stderr.write(`ftp-share: warning: ${e.message}\n`));
    server.on('transfer-failed', (e) => process.stdout.write(`${new Date().toISOString()} ${e.sessionId} ${e.direction} of ${escapeForLog(e.path)} failed: ${e.reason}\n`));
    server.on('address-throttled', (e) =>
      process.stdout.write(`${new Date().toISOString()} ${e.failures} failed logins from ${e.remoteAddress}: replies to it delayed ${e.delayMs} ms\n`),
    );
  }
  const info = await server.start();
  if (options.json) {
    print({ type: 'listening', port: info.port, addresses: info.addresses, ...(info.tls ? { tls: info.tls } : {}) });
  } else {
    const implicit = info.tls?.mode === 'implicit';
    const lines = [
      `FTP Share is sharing ${folders.length === 1 ? folders[0] : `${folders.length} folders`}${options.readOnly ? ' (read-only)' : ''}`,
      ...(folders.length > 1 ? folders.map((f) => `  ${f}`) : []),
      'Connect with:',
      ...info.addresses.map((a) => `  ${urlFor(a, info.port, implicit)}`),
      authorizer.anonymous ? 'Login: anonymous (any user name and password)' : `Login: ${options.user ? `user "${options.user}"` : 'any user name'}${options.password ? ' with the password you set' : ''}`,
      ...(info.tls ? [`FTPS ${info.tls.mode}; certificate SHA-256 fingerprint:`, `  ${info.tls.fingerprint256}`] : []),
      ...(tls?.generatedAt ? [`(certificate generated in ${tls.generatedAt})`] : []),
      'Press Ctrl+C to stop.',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.stop().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof FtpServerError) {
      process.stderr.write(`ftp-share: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ftp-share: unexpected error: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
