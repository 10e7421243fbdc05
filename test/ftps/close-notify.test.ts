/**
 * FTPS data connections end with a TLS close_notify before the TCP FIN (RFC 4217 §10.2 asks for
 * it, and clients such as FileZilla or curl take a connection closed without one for a truncated
 * transfer): downloads (RETR in both types), listings (LIST, NLST, MLSD) and, after an upload,
 * the server's own side of STOR.
 *
 * Node's TLS client can't tell: it emits 'end' after a close_notify and after a bare FIN alike.
 * So the data connection is opened by a child Node process with `tlsSocket.enableTrace()`, whose
 * OpenSSL trace (stderr) shows every record decrypted, and the test looks for an alert
 * close_notify among the records it *received*. A first test proves that probe tells the two
 * apart against a bare TLS server that ends or destroys its socket.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { ControlClient } from '../helpers/control-client.js';
import { randomPayload } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';
import { testCertificate, tlsOptions } from '../helpers/test-certificate.js';

/**
 * The data-connection client run in a child process: connects with TLS to PORT (at most
 * MAX_VERSION), turns on OpenSSL's trace, sends its stdin when UPLOAD=1 (then ends its side, as
 * FTP clients end an upload) and, once the server has closed, prints the bytes received as JSON.
 */
const probeScript = String.raw`
const tls = require('node:tls');
const { createHash } = require('node:crypto');
const socket = tls.connect({ port: Number(process.env.PORT), host: '127.0.0.1', rejectUnauthorized: false, maxVersion: process.env.MAX_VERSION });
if (typeof socket.enableTrace !== 'function') {
  console.log(JSON.stringify({ noTrace: true }));
  socket.destroy();
} else {
  socket.enableTrace();
  const hash = createHash('sha256');
  let bytes = 0;
  let error = null;
  socket.on('data', (chunk) => { bytes += chunk.length; hash.update(chunk); });
  socket.on('error', (err) => { error = err.code || err.message; });
  let protocol = null;
  socket.on('secureConnect', () => {
    protocol = socket.getProtocol();
    if (process.env.UPLOAD === '1') process.stdin.pipe(socket);
  });
  socket.on('close', () => console.log(JSON.stringify({ bytes, sha256: hash.digest('hex'), error, protocol })));
}
`;

/** What the probe saw on one data connection. */
interface ProbeResult {
  noTrace?: boolean;
  bytes: number;
  sha256: string;
  error: string | null;
  protocol: string | null;
  /** The OpenSSL trace, one entry per record ("Sent Record …" / "Received Record …"). */
  records: string[];
}

/** A running probe: `upload` feeds its stdin (UPLOAD mode), `result` resolves when it exits. */
interface Probe {
  upload(data: Buffer): void;
  result: Promise<ProbeResult>;
}

function startProbe(port: number, options: { upload?: boolean; maxVersion?: tls.SecureVersion } = {}): Probe {
  const child = spawn(process.execPath, ['-e', probeScript], {
    env: { ...process.env, PORT: String(port), UPLOAD: options.upload ? '1' : '0', MAX_VERSION: options.maxVersion ?? 'TLSv1.3' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  if (!options.upload) child.stdin.end();
  const result = new Promise<ProbeResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`probe timed out; stdout: ${stdout} stderr tail: ${stderr.slice(-500)}`));
    }, 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') return reject(new Error(`probe exited with ${code}: ${stdout} ${stderr.slice(-500)}`));
      const records = stderr.split(/^(?=(?:Sent|Received) Record$)/m).filter((r) => /^(?:Sent|Received) Record$/m.test(r));
      resolve({ ...(JSON.parse(line) as Omit<ProbeResult, 'records'>), records });
    });
  });
  return { upload: (data) => child.stdin.end(data), result };
}

const CLOSE_NOTIFY = /Level=warning\(1\), description=close[ _]notify\(0\)/;

/** True when the peer sent close_notify: an alert record the probe received, not one it sent. */
function receivedCloseNotify(result: ProbeResult): boolean {
  return result.records.some((r) => r.startsWith('Received Record') && CLOSE_NOTIFY.test(r));
}

/** The received records, shortened, for a failure message. */
function receivedSummary(result: ProbeResult): string {
  const received = result.records.filter((r) => r.startsWith('Received Record'));
  return `${received.length} records received; last: ${received.at(-1)?.replace(/\s+/g, ' ').slice(0, 300)}`;
}

describe('the probe tells a close_notify from a bare FIN', () => {
  let server: net.Server;
  let port: number;
  const ending: Array<'end' | 'destroy'> = [];

  before(async () => {
    const { cert, key } = await testCertificate();
    const context = tls.createSecureContext({ cert, key });
    server = net.createServer((raw) => {
      const how = ending.shift();
      const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
      secure.on('error', () => undefined);
      secure.once('secure', () =>
        secure.write(Buffer.alloc(50_000, 1), () => (how === 'end' ? secure.end() : secure.destroy())),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    test(`${version}: end() is seen as close_notify, destroy() is not`, { timeout: 20_000 }, async (t) => {
      ending.push('end');
      const ended = await startProbe(port, { maxVersion: version }).result;
      if (ended.noTrace) return t.skip('this Node has no TLS trace (OpenSSL built without it)');
      ending.push('destroy');
      const destroyed = await startProbe(port, { maxVersion: version }).result;
      assert.equal(ended.protocol, version);
      assert.equal(ended.bytes, 50_000);
      assert.equal(destroyed.bytes, 50_000);
      assert.ok(receivedCloseNotify(ended), receivedSummary(ended));
      assert.ok(!receivedCloseNotify(destroyed), receivedSummary(destroyed));
    });
  }
});

describe('the server sends close_notify before closing an FTPS data connection', () => {
  const download = randomPayload(300 * 1024 + 3);
  const upload = randomPayload(200 * 1024 + 11);
  let fx: ServerFixture;
  let client: ControlClient;
  let canTrace = true;

  before(async () => {
    fx = await startServer({
      username: 'u',
      password: 'p',
      tls: await tlsOptions('explicit'),
      files: { 'down.bin': download, 'dir/a.txt': 'a\n', 'dir/b.txt': 'b\n' },
    });
    client = await ControlClient.connect(fx.port);
    assert.equal((await client.reply()).code, 220);
    assert.equal((await client.authTls()).code, 234);
    await client.login('u', 'p');
    assert.equal((await client.command('PBSZ 0')).code, 200);
    assert.equal((await client.command('PROT P')).code, 200);
  });

  after(async () => {
    client.close();
    await fx.close();
  });

  /** EPSV, the probe on the data port, `command`: 150, 226, and what the probe saw. */
  async function transfer(command: string, options: { upload?: Buffer; maxVersion?: tls.SecureVersion } = {}): Promise<ProbeResult> {
    const probe = startProbe(await client.epsv(), { upload: options.upload !== undefined, ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}) });
    const first = await client.command(command, 15_000);
    assert.equal(first.code, 150, `${command}: ${first.text}`);
    if (options.upload) probe.upload(options.upload);
    const final = await client.reply(15_000);
    assert.equal(final.code, 226, `${command}: ${final.text}`);
    const result = await probe.result;
    if (result.noTrace) canTrace = false;
    return result;
  }

  for (const [type, version] of [['I', 'TLSv1.3'], ['A', 'TLSv1.3'], ['I', 'TLSv1.2']] as const) {
    test(`RETR (TYPE ${type}, ${version})`, { timeout: 30_000 }, async (t) => {
      assert.equal((await client.command(`TYPE ${type}`)).code, 200);
      const result = await transfer('RETR down.bin', { maxVersion: version });
      if (!canTrace) return t.skip('this Node has no TLS trace');
      assert.equal(result.protocol, version);
      // TYPE A turns each LF of the random randomPayload into CRLF: it grows, never shrinks.
      if (type === 'I') assert.equal(result.sha256, sha256(download));
      else assert.ok(result.bytes >= download.length);
      assert.equal(result.error, null);
      assert.ok(receivedCloseNotify(result), receivedSummary(result));
    });
  }

  for (const command of ['LIST /dir', 'NLST /dir', 'MLSD /dir']) {
    test(command, { timeout: 30_000 }, async (t) => {
      const result = await transfer(command);
      if (!canTrace) return t.skip('this Node has no TLS trace');
      assert.ok(result.bytes > 0);
      assert.ok(receivedCloseNotify(result), receivedSummary(result));
    });
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    test(`STOR (${version}): after the client's close_notify, the server's side closes with one too`, { timeout: 30_000 }, async (t) => {
      assert.equal((await client.command('TYPE I')).code, 200);
      const result = await transfer(`STOR up-${version}.bin`, { upload, maxVersion: version });
      if (!canTrace) return t.skip('this Node has no TLS trace');
      assert.equal(result.error, null);
      assert.ok(receivedCloseNotify(result), receivedSummary(result));
      assert.equal(sha256(await fs.readFile(path.join(fx.root, `up-${version}.bin`))), sha256(upload));
    });
  }
});
