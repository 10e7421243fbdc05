/**
 * The narration table (core/share/narration.ts) on a real server driven by a raw client: every
 * change to the files and every refusal a person sharing wants to know about makes one line at the
 * normal level, with its session and address; commands only at debug; client text escaped; no
 * password. The app's log says the same words (the last test), and so does the CLI (test/cli).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { symlink, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Client } from 'basic-ftp';
import { NARRATION, narrate, type NarratedLine } from '../../core/share/narration.js';
import { startServer, type FixtureOptions, type ServerFixture } from '../helpers/server-fixture.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectAndLogin, upload } from '../helpers/ftp-flows.js';
import { waitFor } from '../helpers/wait.js';
import { startService, unwrap } from './share-service-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

async function narrated(t: { after(fn: () => Promise<void> | void): void }, options: FixtureOptions, debug?: boolean) {
  const fixture: ServerFixture = await startServer(options);
  t.after(() => fixture.close());
  const lines: NarratedLine[] = [];
  const stop = narrate(fixture.server, (line) => lines.push(line), debug === undefined ? {} : { debug });
  t.after(stop);
  const normal = () => lines.filter((l) => l.level !== 'debug');
  return { fixture, lines, normal };
}

/** STOR over a passive data connection: 150, sends `content`, closes, 226. */
async function store(raw: ControlClient, path: string, content: string): Promise<void> {
  const { first, final } = await upload(raw, `STOR ${path}`, content);
  assert.equal(first.code, 150);
  assert.equal(final.code, 226);
}

test('every change to the files is one info line with its session and address', { timeout: 30_000 }, async (t) => {
  const { fixture, normal } = await narrated(t, {});
  const raw = await connectAndLogin(fixture.port);
  t.after(() => raw.close());
  assert.equal((await raw.command('MKD d')).code, 257);
  await store(raw, '/d/a.txt', 'hello');
  assert.equal((await raw.command('RNFR /d/a.txt')).code, 350);
  assert.equal((await raw.command('RNTO /d/b.txt')).code, 250);
  assert.equal((await raw.command('DELE /d/b.txt')).code, 250);
  assert.equal((await raw.command('RMD /d')).code, 250);
  const lines = normal();
  const texts = lines.map((l) => l.text);
  assert.equal(texts[0], 'Connection from 127.0.0.1');
  assert.equal(texts[1], 'Logged in as anonymous');
  assert.equal(texts[2], 'Made the folder /d (from 127.0.0.1)');
  assert.match(texts[3]!, /^Received \/d\/a\.txt from 127\.0\.0\.1 \(5 bytes in \d+\.\d s\)$/);
  assert.deepEqual(texts.slice(4), [
    'Renamed /d/a.txt to /d/b.txt (from 127.0.0.1)',
    'Deleted /d/b.txt (from 127.0.0.1)',
    'Removed the folder /d (from 127.0.0.1)',
  ]);
  const sessionId = lines[0]!.sessionId;
  assert.ok(sessionId);
  for (const line of lines) {
    assert.equal(line.level, 'info', line.text);
    assert.equal(line.sessionId, sessionId, line.text);
  }
});

test('refusals: read-only writes, refused paths and failed logins are warnings; no password is told', { timeout: 30_000 }, async (t) => {
  const readOnly = await narrated(t, { readOnly: true, files: { 'hello.txt': 'hi' } });
  const raw = await connectAndLogin(readOnly.fixture.port);
  t.after(() => raw.close());
  assert.equal((await raw.command('DELE hello.txt')).code, 550);
  assert.equal((await raw.command('MKD new')).code, 550);
  assert.equal((await raw.command('RNFR hello.txt')).code, 550);
  assert.equal((await raw.command('RMD /sub')).code, 550);
  assert.equal((await raw.command('SITE CHMOD 600 hello.txt')).code, 550);
  await raw.pasv();
  assert.equal((await raw.command('STOR hello.txt')).code, 550);
  const long = 'x'.repeat(300);
  assert.equal((await raw.command(`SIZE ${long}`)).code, 553);
  assert.deepEqual(
    readOnly.normal().slice(2).map((l) => [l.level, l.text]),
    [
      ['warn', 'Refused to delete /hello.txt (from 127.0.0.1): the share is read-only'],
      ['warn', 'Refused to make the folder /new (from 127.0.0.1): the share is read-only'],
      ['warn', 'Refused to rename /hello.txt (from 127.0.0.1): the share is read-only'],
      ['warn', 'Refused to remove the folder /sub (from 127.0.0.1): the share is read-only'],
      ['warn', 'Refused to change the permissions of /hello.txt (from 127.0.0.1): the share is read-only'],
      ['warn', 'Refused to upload /hello.txt (from 127.0.0.1): the share is read-only'],
      ['warn', `Refused the path "${'x'.repeat(200)}…" (from 127.0.0.1): File name too long`],
    ],
  );

  const secured = await narrated(t, { username: 'alice', password: 'right-secret-42' });
  const guess = await ControlClient.connect(secured.fixture.port);
  t.after(() => guess.close());
  await guess.reply();
  await guess.command('USER bob\x1b[2J');
  assert.equal((await guess.command('PASS wrong-secret-17')).code, 530);
  const failed = secured.normal().find((l) => l.text.startsWith('Login failed'));
  assert.deepEqual(failed && [failed.level, failed.text], ['warn', 'Login failed for user "bob\\x1b[2J" from 127.0.0.1']);
  assert.equal(failed!.sessionId, secured.normal()[0]!.sessionId);
  const all = secured.lines.map((l) => l.text).join('\n');
  assert.ok(!all.includes('wrong-secret-17'), 'the password typed is never logged');
  assert.ok(secured.lines.some((l) => l.level === 'debug' && l.text === 'PASS ***'), 'commands are debug lines');
});

test('a path that leads outside the share through a link is a warning; the client is told only "not found"', { timeout: 30_000 }, async (t) => {
  const outsideDir = await makeTempDir('ftp-share-outside-');
  t.after(() => removeTempDir(outsideDir));
  await writeFile(path.join(outsideDir, 'secret.txt'), 'secret');
  const { fixture, normal } = await narrated(t, {});
  await symlink(outsideDir, path.join(fixture.root, 'out'));
  await symlink(path.join(outsideDir, 'secret.txt'), path.join(fixture.root, 'leak.txt'));
  const raw = await connectAndLogin(fixture.port);
  t.after(() => raw.close());
  assert.deepEqual((await raw.command('SIZE out/secret.txt')).lines, ['550 No such file or directory']);
  assert.deepEqual((await raw.command('MDTM leak.txt')).lines, ['550 No such file or directory']);
  assert.equal((await raw.command('CWD out')).code, 550);
  assert.deepEqual(
    normal().slice(2).map((l) => [l.level, l.text]),
    [
      ['warn', 'Refused /out/secret.txt (from 127.0.0.1): it leads outside the shared folder (a link)'],
      ['warn', 'Refused /leak.txt (from 127.0.0.1): it leads outside the shared folder (a link)'],
      ['warn', 'Refused /out (from 127.0.0.1): it leads outside the shared folder (a link)'],
    ],
  );
});

test('a connection turned away by a limit is a warning', { timeout: 30_000 }, async (t) => {
  const { fixture, normal } = await narrated(t, { maxConnectionsPerIp: 1 });
  const first = await ControlClient.connect(fixture.port);
  t.after(() => first.close());
  await first.reply();
  const second = await ControlClient.connect(fixture.port);
  t.after(() => second.close());
  assert.equal((await second.reply()).code, 421);
  const refused = normal().find((l) => l.text.startsWith('Refused a connection'));
  assert.deepEqual(refused && [refused.level, refused.text], ['warn', 'Refused a connection from 127.0.0.1: the limit of 1 connection from one address is reached']);
});

test('debug: false leaves commands out; the normal lines stay', { timeout: 30_000 }, async (t) => {
  const { fixture, lines } = await narrated(t, {}, false);
  const raw = await connectAndLogin(fixture.port);
  t.after(() => raw.close());
  assert.equal((await raw.command('MKD quiet')).code, 257);
  assert.ok(lines.every((l) => l.level !== 'debug'), lines.map((l) => l.text).join('\n'));
  assert.ok(lines.some((l) => l.text === 'Made the folder /quiet (from 127.0.0.1)'));
});

test("the app's log says the same lines", { timeout: 30_000 }, async (t) => {
  const f = await startService(t, { settings: { access: { mode: 'anonymous' }, readOnly: false }, files: { 'old.txt': 'x' } });
  const { port } = unwrap(await f.service.start());
  const client = new Client(10_000);
  t.after(() => client.close());
  await client.access({ host: '127.0.0.1', port: port!, user: 'anonymous', password: 'x' });
  await client.send('MKD made');
  await client.remove('old.txt');
  const logs = await waitFor(async () => {
    const entries = unwrap(await f.service.getLogs());
    return entries.some((e) => e.text.startsWith('Deleted')) ? entries : undefined;
  }, 'the delete line');
  const made = logs.find((e) => e.text === 'Made the folder /made (from 127.0.0.1)');
  assert.equal(made?.level, 'info');
  assert.ok(made?.sessionId);
  assert.ok(logs.some((e) => e.level === 'info' && e.text === 'Deleted /old.txt (from 127.0.0.1)'));
});

test('a browser opening the web page is said plainly, with the device: the proof that reaching works', () => {
  const context = { addressOf: () => undefined };
  const opened = NARRATION['session-opened']!({ sessionId: 'w1', protocol: 'web', client: 'Safari on iPhone', remoteAddress: '192.168.1.23', remotePort: 50000, secure: false }, context);
  assert.deepEqual(opened, { level: 'info', text: 'A device opened the web page: Safari on iPhone (from 192.168.1.23)', sessionId: 'w1' });
  const ftp = NARRATION['session-opened']!({ sessionId: 's1', protocol: 'ftp', remoteAddress: '192.168.1.23', remotePort: 50001, secure: true }, context);
  assert.equal(ftp?.text, 'Connection from 192.168.1.23 (TLS)');
});

test('a transfer that failed or was aborted: a warning with its reason and the address', () => {
  const context = { addressOf: (id: string) => (id === 's7' ? '192.168.1.40' : undefined) };
  const base = { transferId: 't1', sessionId: 's7', protocol: 'ftp' as const, path: '/photo\x1b.jpg', bytes: 10, bytesPerSecond: 1, secure: false, durationMs: 5 };
  const failed = NARRATION['transfer-failed']!({ ...base, direction: 'upload', reason: 'client disconnected during upload', aborted: false }, context);
  assert.deepEqual(failed, { level: 'warn', text: 'Upload of /photo\\x1b.jpg failed: client disconnected during upload (from 192.168.1.40)', sessionId: 's7' });
  const aborted = NARRATION['transfer-failed']!({ ...base, direction: 'download', reason: 'kicked', aborted: false }, context);
  assert.equal(aborted?.text, 'Download of /photo\\x1b.jpg aborted: kicked (from 192.168.1.40)');
  const unknown = NARRATION['transfer-completed']!({ ...base, sessionId: 's9', direction: 'download', bytes: 3 * 1024 * 1024 }, context);
  assert.equal(unknown?.text, 'Sent /photo\\x1b.jpg (3.0 MB in 0.0 s)');
});
