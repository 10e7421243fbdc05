/**
 * The CLI's FTPS options: --ftps explicit|implicit, --require-tls, --cert/--key, --cert-dir, and
 * the certificate fingerprint in the banner and in the `listening` JSON event.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, makeTempDir } from '../helpers/server-fixture.js';
import { RawClient } from '../helpers/raw-client.js';
import { certificateFileName, generateCertificate } from '../../core/tls/index.js';
import { payload, sha256 } from './ftps-helpers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'core/cli.ts');
let tmp: string;
let share: string;
const content = payload(150 * 1024 + 9);

before(async () => {
  tmp = await makeTempDir('ftp-share-cli-ftps-');
  share = path.join(tmp, 'share');
  await fs.mkdir(share);
  await fs.writeFile(path.join(share, 'file.bin'), content);
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A running CLI and the lines it printed so far. */
interface Running {
  child: ChildProcess;
  lines: string[];
  /** The first line, or (with --json) the listening event. */
  ready: Promise<string>;
  stop(): Promise<void>;
}

function startCli(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const ready = new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`CLI did not start; stderr: ${stderr}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n')) !== -1) {
        lines.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
        const line = lines.at(-1)!;
        if (args.includes('--json') ? line.includes('"type":"listening"') : line.includes('Press Ctrl+C')) {
          clearTimeout(timer);
          resolve(line);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code}: ${stderr}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    lines,
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
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
    const raw = await RawClient.connect(port);
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
    const raw = await RawClient.connect(listening.port);
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
  const bad = await run(process.execPath, ['--import', 'tsx', cli, '--ftps', 'explicit', '--port', '0', '--cert', path.join(dir, 'a.crt'), '--key', path.join(dir, 'b.key'), share], {
    cwd: repo,
    timeoutMs: 20_000,
  });
  assert.equal(bad.code, 2, bad.stderr);
  const lines = bad.stderr.trim().split('\n');
  assert.equal(lines.length, 1, bad.stderr);
  assert.match(lines[0]!, /^ftp-share: .*(match|key)/i);
  assert.equal(bad.stdout, '');

  const noFtps = await run(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--cert', path.join(dir, 'a.crt'), '--key', path.join(dir, 'a.key'), share], { cwd: repo, timeoutMs: 20_000 });
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
