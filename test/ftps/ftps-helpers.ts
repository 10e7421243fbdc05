/**
 * Shared helpers of the FTPS tests: one certificate per test file, random payloads with their
 * checksums, and wrappers for the real clients (rclone, openssl s_client, Python's ftplib).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { generateCertificate, type GeneratedCertificate } from '../../core/tls/index.js';
import type { TlsOptions } from '../../core/ftp/options.js';
import { makeTempDir, run, type RunResult, type RecordedEvent } from '../helpers/server-fixture.js';

let certificate: Promise<GeneratedCertificate> | undefined;

/** A self-signed certificate for 127.0.0.1, made once per test file (process). */
export function testCertificate(): Promise<GeneratedCertificate> {
  certificate ??= generateCertificate({ ipAddresses: ['127.0.0.1', '::1'], hostNames: ['localhost'] });
  return certificate;
}

/** `tls` server options for a mode, with the test certificate. */
export async function tlsOptions(mode: 'explicit' | 'implicit', extra: Partial<TlsOptions> = {}): Promise<TlsOptions> {
  const { cert, key } = await testCertificate();
  return { mode, cert, key, ...extra };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Random bytes, so a truncated or reordered transfer can't compare equal. */
export function payload(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** A temp folder for client-side files, removed by `cleanup`. */
export async function clientDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await makeTempDir('ftp-share-ftps-client-');
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Asserts-friendly view of a file on disk: its size and checksum, or undefined when missing. */
export async function fileDigest(file: string): Promise<{ size: number; sha256: string } | undefined> {
  try {
    const data = await fs.readFile(file);
    return { size: data.length, sha256: sha256(data) };
  } catch {
    return undefined;
  }
}

/** Every 226 the server sent for an upload, with the bytes it had received: none may be short. */
export function completedUploads(events: RecordedEvent[]): Array<{ path: string; bytes: number; secure: boolean }> {
  return events
    .filter((e): e is Extract<RecordedEvent, { type: 'transfer-completed' }> => e.type === 'transfer-completed' && e.direction === 'upload')
    .map((e) => ({ path: e.path, bytes: e.bytes, secure: e.secure }));
}

/** A TLS handshake the in-process server finished: what it negotiated with the client. */
export interface ServerHandshake {
  protocol: string | null;
  cipher: string;
  resumed: boolean;
}

/**
 * Records every server-side TLS handshake in this process (control and data connections), for
 * clients that can't tell what they negotiated (rclone). Test-only: it wraps TLSSocket#emit.
 */
export function recordServerHandshakes(): { handshakes: ServerHandshake[]; stop(): void } {
  const handshakes: ServerHandshake[] = [];
  const original = tls.TLSSocket.prototype.emit;
  tls.TLSSocket.prototype.emit = function (this: tls.TLSSocket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'secure' && (this as unknown as { _tlsOptions?: { isServer?: boolean } })._tlsOptions?.isServer) {
      handshakes.push({ protocol: this.getProtocol(), cipher: this.getCipher().standardName, resumed: this.isSessionReused() });
    }
    return (original as (this: tls.TLSSocket, event: string | symbol, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as typeof original;
  return { handshakes, stop: () => void (tls.TLSSocket.prototype.emit = original) };
}

/** Summarises handshakes as "TLSv1.3 TLS_AES_128_GCM_SHA256 ×3 (2 resumed)". */
export function summariseHandshakes(handshakes: ServerHandshake[]): string {
  const groups = new Map<string, { count: number; resumed: number }>();
  for (const h of handshakes) {
    const key = `${h.protocol} ${h.cipher}`;
    const group = groups.get(key) ?? { count: 0, resumed: 0 };
    group.count++;
    if (h.resumed) group.resumed++;
    groups.set(key, group);
  }
  return [...groups].map(([key, g]) => `${key} x${g.count} (${g.resumed} resumed)`).join('; ');
}

/** An on-the-fly rclone FTP remote (`:ftp,…:`) for user `u`, password `p`. */
export async function rcloneRemote(port: number, mode: 'explicit' | 'implicit', extra: Record<string, string | number> = {}): Promise<string> {
  const obscured = (await run('rclone', ['obscure', 'p'], { timeoutMs: 10_000 })).stdout.trim();
  const params: Record<string, string | number> = {
    host: '127.0.0.1',
    port,
    user: 'u',
    pass: obscured,
    ...(mode === 'explicit' ? { explicit_tls: 'true' } : { tls: 'true' }),
    no_check_certificate: 'true',
    ...extra,
  };
  return `:ftp,${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(',')}:`;
}

/**
 * Runs rclone with no config file and no retries: a truncated upload must show up as a failure
 * (or a wrong checksum), not be papered over by rclone retrying it.
 */
export async function rclone(args: string[], configDir: string): Promise<RunResult> {
  const config = path.join(configDir, 'rclone.conf');
  await fs.writeFile(config, '');
  return run('rclone', ['--config', config, '--retries', '1', '--low-level-retries', '1', '--timeout', '20s', '--contimeout', '10s', ...args], {
    timeoutMs: 40_000,
  });
}

/** What `openssl s_client` negotiated (or that it failed). */
export interface SClientOutcome {
  code: number;
  protocol?: string;
  cipher?: string;
  output: string;
}

/**
 * Runs `openssl s_client` against the server (`-starttls ftp` for explicit mode) with extra
 * arguments. `DEFAULT@SECLEVEL=0` makes the client really offer TLS 1.0/1.1 when asked to,
 * so a refusal is the server's.
 */
export async function sClient(port: number, mode: 'explicit' | 'implicit', args: string[]): Promise<SClientOutcome> {
  const result = await run(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, ...(mode === 'explicit' ? ['-starttls', 'ftp'] : []), '-cipher', 'DEFAULT@SECLEVEL=0', ...args],
    { input: '', timeoutMs: 15_000 },
  );
  const output = result.stdout + result.stderr;
  // "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256" (OpenSSL 3 summary line).
  const match = /(?:New|Reused), (TLSv[\d.]+|SSLv3), Cipher is (\S+)/.exec(output);
  const failed = match === null || match[2] === '(NONE)';
  return {
    code: result.code,
    output,
    ...(!failed ? { protocol: match[1]!, cipher: match[2]! } : {}),
  };
}

/**
 * Python ftplib over explicit FTPS (FTP_TLS + prot_p): uploads SRC as up.bin, downloads
 * down.bin to DST, lists the root, and prints JSON with what was negotiated on the control
 * and data connections. Set ACTIVE=1 for active mode (the server connects back and is still
 * the TLS server). The data socket gets a fresh handshake (ftplib does not reuse the session).
 */
export const ftplibScript = String.raw`
import ftplib, ssl, os, io, json, hashlib
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
data_tls = []
class Client(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = super().ntransfercmd(cmd, rest)
        if isinstance(conn, ssl.SSLSocket):
            data_tls.append({'version': conn.version(), 'cipher': conn.cipher()[0], 'reused': conn.session_reused})
        return conn, size
ftp = Client(context=ctx, timeout=20)
ftp.connect('127.0.0.1', int(os.environ['PORT']))
ftp.auth()
ftp.login('u', 'p')
ftp.prot_p()
if os.environ.get('ACTIVE') == '1':
    ftp.set_pasv(False)
with open(os.environ['SRC'], 'rb') as f:
    stor = ftp.storbinary('STOR up.bin', f)
buf = io.BytesIO()
retr = ftp.retrbinary('RETR down.bin', buf.write)
lines = []
ftp.retrlines('LIST', lines.append)
print(json.dumps({
    'control': {'version': ftp.sock.version(), 'cipher': ftp.sock.cipher()[0]},
    'data': data_tls,
    'stor': stor, 'retr': retr,
    'downloaded': hashlib.sha256(buf.getvalue()).hexdigest(), 'downloadedSize': len(buf.getvalue()),
    'listing': lines,
}))
ftp.quit()
`;
