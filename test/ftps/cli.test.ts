/**
 * The CLI's FTPS options: --ftps explicit|implicit, --require-tls, --cert/--key, --cert-dir, and
 * the certificate fingerprint in the banner and in the `listening` JSON event.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { cliCommand, repoRoot, run, startProcess, type RunningProcess } from '../helpers/processes.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { ControlClient } from '../helpers/control-client.js';
import { randomPayload } from '../helpers/payloads.js';
import { sha256 } from '../helpers/digests.js';
import { certificateFileName, generateCertificate } from '../../core/tls/index.js';

let tmp: string;
let share: string;
const content = randomPayload(150 * 1024 + 9);

before(async () => {
  tmp = await makeTempDir('ftp-share-cli-ftps-');
  share = path.join(tmp, 'share');
  await fs.mkdir(share);
  await fs.writeFile(path.join(share, 'file.bin'), content);
});

after(async () => {
  await removeTempDir(tmp);
});

/** A running CLI; `ready` resolves with the listening event (--json) or the banner's last line. */
function startCli(args: string[]): RunningProcess & { ready: Promise<string> } {
  const [command, argv] = cliCommand(args);
  const running = startProcess(command, argv, { cwd: repoRoot });
  const ready = running.waitForLine((line) => (args.includes('--json') ? line.includes('"type":"listening"') : line.includes('Press Ctrl+C')), 20_000);
  ready.catch(() => undefined);
  return Object.assign(running, { ready });
}

test('--ftps explicit --json --cert-dir: the listening event carries the fingerprint of the saved certificate', { timeout: 40_000 }, async () => {
  const certDir = path.join(tmp, 'certs');
  const running = startCli(['--ftps', 'explicit', '--port', '0', '--json', '--cert-dir', certDir, '--user', 'u', '--password', 'p', share]);
  try {
    const listening = JSON.parse(await running.ready) as { port: number; tls?: { mode: string; fingerprint256: string } };
    assert.equal(listening.tls?.mode, 'explicit');
    const x509 = await run('openssl', ['x509', '-in', path.join(certDir, certificateFileName), '-noout', '-fingerprint', '-sha256']);
    assert.equal(x509.code, 0, x509.stderr);
    const expected = /Fingerprint=([0-9A-F:]+)/.exec(x509.stdout)?.[1];
    assert.equal(listening.tls?.fingerprint256, expected);
    // The certificate really is the one served.
    const served = await run('openssl', ['s_client', '-connect', `127.0.0.1:${listening.port}`, '-starttls', 'ftp'], { input: '', timeoutMs: 10_000 });
    const servedPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(served.stdout)?.[0];
    assert.ok(servedPem, served.stdout + served.stderr);
    const servedFingerprint = await run('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: servedPem });
    assert.match(servedFingerprint.stdout, new RegExp(`Fingerprint=${expected}`));
    const down = await run('curl', ['-sS', '--ssl-reqd', '-k', '--max-time', '15', '-u', 'u:p', `ftp://127.0.0.1:${listening.port}/file.bin`], {});
    assert.equal(down.code, 0, down.stderr);
  } finally {
    await running.stop();
  }
  // A second start reuses the stored certificate: same fingerprint.
  const again = startCli(['--ftps', 'explicit', '--port', '0', '--json', '--cert-dir', certDir, share]);
  try {
    const first = await fs.readFile(path.join(certDir, certificateFileName), 'utf8');
    const listening = JSON.parse(await again.ready) as { tls?: { fingerprint256: string } };
    assert.equal(await fs.readFile(path.join(certDir, certificateFileName), 'utf8'), first);
    assert.match(listening.tls?.fingerprint256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  } finally {
    await again.stop();
  }
});

test('--ftps implicit serves curl -k ftps:// on --port; the banner shows the fingerprint; --require-tls is implied', { timeout: 40_000 }, async () => {
  const certDir = path.join(tmp, 'certs-implicit');
  const running = startCli(['--ftps', 'implicit', '--port', '0', '--cert-dir', certDir, '--user', 'u', '--password', 'p', share]);
  try {
    await running.ready;
    const banner = running.lines.join('\n');
    const port = Number(/ftps:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1] ?? /ftps:\/\/[^\s]+:(\d+)\//.exec(banner)?.[1]);
    assert.ok(port > 0, banner);
    assert.match(banner, /FTPS implicit; certificate SHA-256 fingerprint:\n {2}([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    const out = path.join(tmp, 'implicit-down.bin');
    const down = await run('curl', ['-sS', '-k', '--max-time', '15', '-u', 'u:p', '-o', out, `ftps://127.0.0.1:${port}/file.bin`]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha256(await fs.readFile(out)), sha256(content));
    // Nothing in clear text on the implicit port.
    const raw = await ControlClient.connect(port);
    raw.socket.write('USER u\r\n');
    await assert.rejects(raw.reply(3000));
    raw.close();
  } finally {
    await running.stop();
  }
});

test('--ftps explicit --require-tls refuses USER before AUTH TLS', { timeout: 40_000 }, async () => {
  const running = startCli(['--ftps', 'explicit', '--require-tls', '--port', '0', '--json', '--cert-dir', path.join(tmp, 'certs'), share]);
  try {
    const listening = JSON.parse(await running.ready) as { port: number };
    const raw = await ControlClient.connect(listening.port);
    try {
      await raw.reply();
      assert.equal((await raw.command('USER anonymous')).code, 530);
    } finally {
      raw.close();
    }
  } finally {
    await running.stop();
  }
});

test('--cert/--key: a mismatched pair exits with code 2 and a one-line error; a matching pair is served', { timeout: 40_000 }, async () => {
  const a = await generateCertificate({ ipAddresses: ['127.0.0.1'] });
  const b = await generateCertificate({ ipAddresses: ['127.0.0.1'] });
  const dir = path.join(tmp, 'pair');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'a.crt'), a.cert);
  await fs.writeFile(path.join(dir, 'a.key'), a.key);
  await fs.writeFile(path.join(dir, 'b.key'), b.key);
  const bad = await run(...cliCommand(['--ftps', 'explicit', '--port', '0', '--cert', path.join(dir, 'a.crt'), '--key', path.join(dir, 'b.key'), share]), {
    cwd: repoRoot,
    timeoutMs: 20_000,
  });
  assert.equal(bad.code, 2, bad.stderr);
  const lines = bad.stderr.trim().split('\n');
  assert.equal(lines.length, 1, bad.stderr);
  assert.match(lines[0]!, /^ftp-share: .*(match|key)/i);
  assert.equal(bad.stdout, '');

  const noFtps = await run(...cliCommand(['--port', '0', '--cert', path.join(dir, 'a.crt'), '--key', path.join(dir, 'a.key'), share]), { cwd: repoRoot, timeoutMs: 20_000 });
  assert.equal(noFtps.code, 2);
  assert.match(noFtps.stderr, /need --ftps/);

  const good = startCli(['--ftps', 'explicit', '--port', '0', '--json', '--cert', path.join(dir, 'a.crt'), '--key', path.join(dir, 'a.key'), share]);
  try {
    const listening = JSON.parse(await good.ready) as { tls?: { fingerprint256: string } };
    assert.equal(listening.tls?.fingerprint256, a.fingerprint256);
  } finally {
    await good.stop();
  }
});
