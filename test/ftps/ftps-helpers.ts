/**
 * Helpers of the FTPS tests: what the server sent and negotiated (completed uploads, server-side
 * handshakes, the TLS versions on offer), and real clients (basic-ftp, rclone, Python's ftplib).
 * The certificate, openssl and digests come from test/helpers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { Client as BasicFtp, type FileInfo } from 'basic-ftp';
import type { RecordedEvent, ServerFixture } from '../helpers/server-fixture.js';
import { run, type RunResult } from '../helpers/processes.js';
import { digestOf, fileDigest } from '../helpers/digests.js';
import { ftpsHandshake, type FtpsHandshake } from '../helpers/openssl.js';

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

/**
 * basic-ftp over FTPS (`secure`: true for explicit, 'implicit'): logs in as u/p, uploads `upload`
 * as basic-up.bin, downloads down.bin into `localDir`, lists the root, and checks that both files
 * arrived whole. Returns the listing and the negotiated control protocol and cipher.
 */
export async function basicFtpRoundTrip(
  fx: ServerFixture,
  secure: true | 'implicit',
  files: { upload: Buffer; download: Buffer; localDir: string },
): Promise<{ list: FileInfo[]; control: string }> {
  const client = new BasicFtp(20_000);
  try {
    await client.access({ host: '127.0.0.1', port: fx.port, user: 'u', password: 'p', secure, secureOptions: { rejectUnauthorized: false } });
    await client.uploadFrom(Readable.from([files.upload]), 'basic-up.bin');
    const out = path.join(files.localDir, 'basic-down.bin');
    await client.downloadTo(out, 'down.bin');
    const list = await client.list();
    assert.deepEqual(await fileDigest(path.join(fx.root, 'basic-up.bin')), digestOf(files.upload));
    assert.deepEqual(await fileDigest(out), digestOf(files.download));
    const control = client.ftp.socket as tls.TLSSocket;
    return { list, control: `${control.getProtocol()} ${control.getCipher().standardName}` };
  } finally {
    client.close();
  }
}

/**
 * `openssl s_client` asks for TLS 1.3, 1.2, 1.1 and 1.0 in turn: the first two must be negotiated,
 * the old two refused. Returns the two that were.
 */
export async function assertModernTlsOnly(port: number, mode: 'explicit' | 'implicit'): Promise<{ tls13: FtpsHandshake; tls12: FtpsHandshake }> {
  const tls13 = await ftpsHandshake(port, mode, ['-tls1_3']);
  const tls12 = await ftpsHandshake(port, mode, ['-tls1_2']);
  const tls11 = await ftpsHandshake(port, mode, ['-tls1_1']);
  const tls10 = await ftpsHandshake(port, mode, ['-tls1']);
  assert.equal(tls13.protocol, 'TLSv1.3', tls13.output);
  assert.equal(tls12.protocol, 'TLSv1.2', tls12.output);
  assert.equal(tls11.protocol, undefined, tls11.output);
  assert.equal(tls10.protocol, undefined, tls10.output);
  return { tls13, tls12 };
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
