/**
 * Explicit FTPS (RFC 4217) with real clients: curl, lftp (GnuTLS), Python's ftplib (OpenSSL,
 * passive and active) and basic-ftp (Node). Every transfer is compared by checksum.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { run, runPython } from '../helpers/processes.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { digestOf, fileDigest, sha256 } from '../helpers/digests.js';
import { randomPayload } from '../helpers/payloads.js';
import { tlsOptions } from '../helpers/test-certificate.js';
import { basicFtpRoundTrip, completedUploads, ftplibScript } from './ftps-helpers.js';

const download = randomPayload(300 * 1024 + 17);
let fx: ServerFixture;
let local: string;

before(async () => {
  fx = await startServer({ username: 'u', password: 'p', tls: await tlsOptions('explicit'), files: { 'down.bin': download } });
  local = await makeTempDir('ftp-share-ftps-client-');
});

after(async () => {
  await fx.close();
  await removeTempDir(local);
});

/** The "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384" lines of `curl -v`, control first. */
function curlTls(stderr: string): string[] {
  return [...stderr.matchAll(/SSL connection using (\S+) \/ (\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
}

test('curl --ssl-reqd uploads and downloads over explicit FTPS (passive)', { timeout: 30_000 }, async () => {
  const upload = randomPayload(256 * 1024 + 3);
  const src = path.join(local, 'curl-up.bin');
  await fs.writeFile(src, upload);
  const base = `ftp://127.0.0.1:${fx.port}`;
  const up = await run('curl', ['-sS', '-v', '--ssl-reqd', '-k', '--max-time', '20', '-u', 'u:p', '-T', src, `${base}/curl-up.bin`]);
  assert.equal(up.code, 0, up.stderr);
  assert.deepEqual(await fileDigest(path.join(fx.root, 'curl-up.bin')), digestOf(upload));

  const out = path.join(local, 'curl-down.bin');
  const down = await run('curl', ['-sS', '-v', '--ssl-reqd', '-k', '--max-time', '20', '-u', 'u:p', '-o', out, `${base}/down.bin`]);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await fileDigest(out), digestOf(download));

  // curl protects the data connection (PROT P) and resumes the control session on it.
  assert.match(up.stderr, /PROT P/);
  assert.match(down.stderr, /SSL re-using session ID|Reusing existing connection/);
  console.log(`curl explicit TLS (control, data): upload ${curlTls(up.stderr).join(' | ')}; download ${curlTls(down.stderr).join(' | ')}`);
  const uploads = completedUploads(fx.events).filter((u) => u.path === '/curl-up.bin');
  assert.deepEqual(uploads, [{ path: '/curl-up.bin', bytes: upload.length, secure: true }]);
});

test('lftp (GnuTLS) with ssl-force and ssl-protect-data: put, get, ls, and no unterminated-TLS warning', { timeout: 30_000 }, async () => {
  const upload = randomPayload(200 * 1024 + 9);
  const src = path.join(local, 'lftp-up.bin');
  await fs.writeFile(src, upload);
  const out = path.join(local, 'lftp-down.bin');
  const script = [
    'debug 15', // GnuTLS handshake details: versions, suites, tickets, resumption
    'set cmd:fail-exit true',
    'set net:max-retries 1',
    'set net:timeout 10',
    'set ftp:ssl-force true',
    'set ftp:ssl-protect-data true',
    'set ssl:verify-certificate no',
    'set xfer:clobber true',
    `put ${src} -o lftp-up.bin`,
    `get down.bin -o ${out}`,
    'cls -l',
    'bye',
  ].join('; ');
  const result = await run('lftp', ['-u', 'u,p', '-p', String(fx.port), '-e', script, '127.0.0.1'], { timeoutMs: 25_000 });
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  assert.deepEqual(await fileDigest(path.join(fx.root, 'lftp-up.bin')), digestOf(upload));
  assert.deepEqual(await fileDigest(out), digestOf(download));
  assert.match(result.stdout, /down\.bin/);
  // GnuTLS complains when a TLS data connection ends without close_notify.
  assert.doesNotMatch(result.stdout + result.stderr, /non-properly terminated|unexpected.*(eof|termination)/i);
  assert.match(result.stderr, /AUTH TLS/);
  assert.match(result.stderr, /PROT P/);
  // One GnuTLS session per connection, told apart by its pointer: the first is the control one.
  const sessions = new Map<string, string[]>();
  for (const match of result.stderr.matchAll(/GNUTLS: (?:HSK|EXT)\[(0x[0-9a-f]+)\]: (.*)/g)) {
    const lines = sessions.get(match[1]!) ?? [];
    lines.push(match[2]!);
    sessions.set(match[1]!, lines);
  }
  const [control, ...data] = [...sessions.values()];
  assert.ok(control && data.length > 0, 'GnuTLS debug output names control and data sessions');
  const describe = (lines: string[]) => {
    const version = lines.find((l) => l.startsWith('Negotiated version:'))?.split(': ')[1];
    const suite = lines.find((l) => l.startsWith('Selected cipher suite:'))?.split(': ')[1];
    const tickets = lines.filter((l) => l.startsWith('NEW SESSION TICKET')).length;
    const resumed = lines.some((l) => l.includes('selected PSK-resumption mode'));
    return { version, suite, tickets, resumed };
  };
  const controlTls = describe(control);
  assert.equal(controlTls.version, '3.4'); // GnuTLS calls TLS 1.3 "3.4"
  for (const lines of data) {
    const d = describe(lines);
    assert.equal(d.tickets, 0, 'no session ticket on a data connection');
    assert.equal(d.resumed, true, 'lftp resumes the control session on data connections');
  }
  console.log(`lftp explicit: control TLS ${controlTls.version} ${controlTls.suite} (${controlTls.tickets} tickets); data ${data.map(describe).map((d) => `TLS ${d.version} ${d.suite ?? ''}${d.resumed ? ' resumed' : ''}`).join(' | ')}`);
});

test('Python ftplib FTP_TLS prot_p: upload, download and LIST in passive mode', { timeout: 30_000 }, async () => {
  const upload = randomPayload(180 * 1024 + 1);
  const src = path.join(local, 'py-up.bin');
  await fs.writeFile(src, upload);
  const result = await runPython(ftplibScript, fx.port, { SRC: src });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as {
    control: { version: string; cipher: string };
    data: Array<{ version: string; cipher: string; reused: boolean }>;
    stor: string;
    retr: string;
    downloaded: string;
    downloadedSize: number;
    listing: string[];
  };
  assert.match(report.stor, /^226 /);
  assert.match(report.retr, /^226 /);
  assert.equal(report.downloadedSize, download.length);
  assert.equal(report.downloaded, sha256(download));
  assert.deepEqual(await fileDigest(path.join(fx.root, 'up.bin')), digestOf(upload));
  assert.ok(report.listing.some((line) => line.endsWith(' down.bin')), report.listing.join('\n'));
  assert.equal(report.data.length, 3);
  for (const data of report.data) assert.match(data.version, /^TLSv1\.[23]$/);
  console.log(`ftplib explicit: control ${report.control.version} ${report.control.cipher}; data ${report.data.map((d) => `${d.version} ${d.cipher}${d.reused ? ' (resumed)' : ''}`).join(' | ')}`);
});

test('Python ftplib FTP_TLS in active mode: the server connects back and is the TLS server', { timeout: 30_000 }, async () => {
  const upload = randomPayload(150 * 1024 + 5);
  const src = path.join(local, 'py-active-up.bin');
  await fs.writeFile(src, upload);
  const before = fx.events.length;
  const result = await runPython(ftplibScript, fx.port, { SRC: src, ACTIVE: '1' });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { data: Array<{ version: string; cipher: string }>; downloaded: string; stor: string };
  assert.match(report.stor, /^226 /);
  assert.equal(report.downloaded, sha256(download));
  assert.deepEqual(await fileDigest(path.join(fx.root, 'up.bin')), digestOf(upload));
  const commands = fx.events.slice(before).filter((e) => e.type === 'command').map((e) => (e as { command: string }).command);
  assert.ok(commands.includes('PORT') || commands.includes('EPRT'), commands.join(' '));
  assert.ok(!commands.includes('PASV') && !commands.includes('EPSV'));
  console.log(`ftplib explicit active: data ${report.data.map((d) => `${d.version} ${d.cipher}`).join(' | ')}`);
});

test('basic-ftp with secure: true uploads, downloads and lists', { timeout: 30_000 }, async () => {
  const upload = randomPayload(220 * 1024 + 11);
  const { list, control } = await basicFtpRoundTrip(fx, true, { upload, download, localDir: local });
  assert.ok(list.some((entry) => entry.name === 'down.bin' && entry.size === download.length));
  console.log(`basic-ftp explicit: control ${control}`);
});
