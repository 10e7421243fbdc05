/**
 * The share assembly (core/share/share-assembly.ts) on real temp folders and real sockets on
 * 127.0.0.1: one folder is the root, several sit under a virtual root; read-only and access are
 * honoured by the running server; every start failure a person can fix comes back as a
 * `StartFailure` (folders, a taken port with a free one that really is free, a bad certificate);
 * `observe` sees `listening` and is detached when the start fails; a certificate folder gets a
 * certificate made once and reused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { Client, FTPError } from 'basic-ftp';
import { startShare, type RunningShare, type ShareSpec, type StartFailure, type StartResult } from '../../core/share/share-assembly.js';
import type { ServerEventSource } from '../../core/share/narration.js';
import { generateCertificate } from '../../core/tls/index.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { ControlClient } from '../helpers/control-client.js';

type TestContext = { after(fn: () => unknown): void };

/** A temp folder (real path) holding `names` as folders, each with a file saying its name; removed after the test. */
async function folders(t: TestContext, ...names: string[]): Promise<{ base: string; paths: string[] }> {
  const base = await makeTempDir('ftp-share-assembly-');
  t.after(() => removeTempDir(base));
  const paths: string[] = [];
  for (const name of names) {
    const folder = path.join(base, name);
    await mkdir(folder);
    await writeFile(path.join(folder, `${name}.txt`), `in ${name}\n`);
    paths.push(folder);
  }
  return { base, paths };
}

/** A spec listening on 127.0.0.1 with an OS-chosen port. */
function spec(overrides: Partial<ShareSpec> & Pick<ShareSpec, 'folders'>): ShareSpec {
  return { readOnly: false, access: {}, ...overrides, ftp: { host: '127.0.0.1', port: 0, loginFailureDelayMs: 20, ...overrides.ftp } };
}

/** Starts a share that must start; stopped after the test. */
async function started(t: TestContext, shareSpec: ShareSpec, observe?: (events: ServerEventSource) => () => void): Promise<RunningShare> {
  const result = await startShare(shareSpec, observe);
  if (!result.ok) assert.fail(`the share did not start: ${JSON.stringify(result.failure)}`);
  t.after(() => result.share.stop());
  return result.share;
}

/** The failure of a start that must fail (a share that started anyway is stopped). */
async function failure(result: StartResult): Promise<StartFailure> {
  if (result.ok) {
    await result.share.stop();
    assert.fail('the share started but should not have');
  }
  return result.failure;
}

/** basic-ftp logged in to the share; closed after the test. */
async function client(t: TestContext, port: number, user = 'anonymous', password = 'guest'): Promise<Client> {
  const ftp = new Client(10_000);
  t.after(() => ftp.close());
  await ftp.access({ host: '127.0.0.1', port, user, password });
  return ftp;
}

/** The reply to USER then PASS on a fresh control connection (a 230 after USER counts). */
async function loginCode(port: number, user: string, password: string): Promise<number> {
  const raw = await ControlClient.connect(port);
  try {
    assert.equal((await raw.reply()).code, 220);
    const afterUser = await raw.command(`USER ${user}`);
    if (afterUser.code !== 331) return afterUser.code;
    return (await raw.command(`PASS ${password}`)).code;
  } finally {
    raw.close();
  }
}

/** An `observe` that records events and counts attaches and detaches. */
function observer(): { observe: (events: ServerEventSource) => () => void; seen: string[]; attached: number; detached: number } {
  const record = {
    seen: [] as string[],
    attached: 0,
    detached: 0,
    observe(events: ServerEventSource) {
      record.attached++;
      const onListening = (e: { port: number }): void => void record.seen.push(`listening ${e.port}`);
      const onStopped = (): void => void record.seen.push('stopped');
      events.on('listening', onListening);
      events.on('stopped', onStopped);
      return () => {
        record.detached++;
        events.off('listening', onListening);
        events.off('stopped', onStopped);
      };
    },
  };
  return record;
}

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

test('one folder is the root: its files are at /', async (t) => {
  const { paths } = await folders(t, 'photos');
  const share = await started(t, spec({ folders: paths }));
  const ftp = await client(t, share.listening.port);
  const names = (await ftp.list('/')).map((f) => f.name).sort();
  assert.deepEqual(names, ['photos.txt']);
  assert.equal(share.listening.addresses.includes('127.0.0.1'), true);
});

test('two folders sit under a virtual root, each by its name', async (t) => {
  const { paths } = await folders(t, 'music', 'photos');
  const share = await started(t, spec({ folders: paths }));
  const ftp = await client(t, share.listening.port);
  const root = await ftp.list('/');
  assert.deepEqual(
    root.map((f) => [f.name, f.isDirectory]).sort(),
    [
      ['music', true],
      ['photos', true],
    ],
  );
  assert.deepEqual((await ftp.list('/music')).map((f) => f.name), ['music.txt']);
  assert.deepEqual((await ftp.list('/photos')).map((f) => f.name), ['photos.txt']);
});

test('read-only refuses uploads and leaves the folder as it was; writable takes them', async (t) => {
  const { paths } = await folders(t, 'ro', 'rw');
  const readOnly = await started(t, spec({ folders: [paths[0]!], readOnly: true }));
  const ro = await client(t, readOnly.listening.port);
  await assert.rejects(
    ro.uploadFrom(Readable.from(['nope']), 'new.txt'),
    (err: unknown) => err instanceof FTPError && err.code >= 500 && err.code < 600,
  );
  await assert.rejects(ro.remove('ro.txt'), (err: unknown) => err instanceof FTPError && err.code >= 500);
  assert.equal(await exists(path.join(paths[0]!, 'new.txt')), false, 'nothing was written');
  assert.equal(await exists(path.join(paths[0]!, 'ro.txt')), true, 'nothing was deleted');

  const writable = await started(t, spec({ folders: [paths[1]!], readOnly: false }));
  const rw = await client(t, writable.listening.port);
  await rw.uploadFrom(Readable.from(['hello']), 'new.txt');
  assert.equal(await readFile(path.join(paths[1]!, 'new.txt'), 'utf8'), 'hello');
});

test('access: anonymous lets anyone in; an account only with its password; a password alone with any name', async (t) => {
  const { paths } = await folders(t, 'shared');
  const anonymous = await started(t, spec({ folders: paths, access: {} }));
  assert.equal(await loginCode(anonymous.listening.port, 'anonymous', 'guest'), 230);
  assert.equal(await loginCode(anonymous.listening.port, 'whoever', 'whatever'), 230);

  const account = await started(t, spec({ folders: paths, access: { username: 'alice', password: 'correct horse' } }));
  assert.equal(await loginCode(account.listening.port, 'alice', 'correct horse'), 230);
  assert.equal(await loginCode(account.listening.port, 'alice', 'wrong'), 530);
  assert.equal(await loginCode(account.listening.port, 'anonymous', 'guest'), 530);
  assert.equal(await loginCode(account.listening.port, 'bob', 'correct horse'), 530);
  // And the share behind the login is the folder.
  const ftp = await client(t, account.listening.port, 'alice', 'correct horse');
  assert.deepEqual((await ftp.list('/')).map((f) => f.name), ['shared.txt']);

  const passwordOnly = await started(t, spec({ folders: paths, access: { password: 'pw' } }));
  assert.equal(await loginCode(passwordOnly.listening.port, 'anyone', 'pw'), 230);
  assert.equal(await loginCode(passwordOnly.listening.port, 'anyone', 'nope'), 530);
});

test('no folders: invalid-settings on the folders field, and nothing is attached', async () => {
  const o = observer();
  const f = await failure(await startShare(spec({ folders: [] }), o.observe));
  assert.equal(f.code, 'invalid-settings');
  assert.equal(f.field, 'folders');
  assert.match(f.message, /folder/i);
  assert.equal(o.attached - o.detached, 0, 'every attach was undone');
});

test('a missing folder: folder-unavailable naming it; "was it moved" only for a folder shared before', async (t) => {
  const { base, paths } = await folders(t, 'here');
  const missing = path.join(base, 'gone');
  const o = observer();
  const fresh = await failure(await startShare(spec({ folders: [paths[0]!, missing] }), o.observe));
  assert.equal(fresh.code, 'folder-unavailable');
  assert.equal(fresh.field, 'folders');
  assert.ok(fresh.message.includes(missing), `names the missing folder, not the one that exists: ${fresh.message}`);
  assert.doesNotMatch(fresh.message, /moved/, 'a folder typed just now was never moved');

  const saved = await failure(await startShare(spec({ folders: [missing], sharedBefore: true }), o.observe));
  assert.equal(saved.code, 'folder-unavailable');
  assert.ok(saved.message.includes(missing));
  assert.match(saved.message, /was it moved, renamed or on a disk that is not connected\?/);
  assert.equal(o.attached - o.detached, 0);
  assert.deepEqual(o.seen, [], 'nothing listened');
});

test('a file instead of a folder: folder-unavailable, "is not a folder"', async (t) => {
  const { paths } = await folders(t, 'box');
  const file = path.join(paths[0]!, 'box.txt');
  const f = await failure(await startShare(spec({ folders: [file] })));
  assert.deepEqual({ code: f.code, field: f.field }, { code: 'folder-unavailable', field: 'folders' });
  assert.equal(f.message, `${file} is not a folder`);
});

test('a taken port: port-in-use with a free port to use instead, named in the fix; observe is detached', async (t) => {
  const { paths } = await folders(t, 'shared');
  const blocker = net.createServer();
  await new Promise<void>((resolve, reject) => blocker.once('error', reject).listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const taken = (blocker.address() as net.AddressInfo).port;

  const o = observer();
  const f = await failure(await startShare(spec({ folders: paths, ftp: { port: taken } }), o.observe));
  assert.equal(f.code, 'port-in-use');
  assert.equal(f.field, 'port');
  assert.equal(f.message, `Port ${taken} is in use`);
  assert.equal(o.attached, 1, 'observe was attached before listening');
  assert.equal(o.detached, 1, 'and detached when the start failed');
  assert.deepEqual(o.seen, []);

  const suggested = f.suggestedPort;
  assert.ok(suggested !== undefined, 'a free port is suggested');
  assert.ok(suggested > taken && suggested <= 65535, `suggested ${suggested} after ${taken}`);
  assert.ok(f.fix?.includes(`Use port ${suggested} instead`), f.fix);
  // Really free: a share starts on it (the one click the window offers).
  const again = await started(t, spec({ folders: paths, ftp: { port: suggested } }));
  assert.equal(again.listening.port, suggested);
});

test('a certificate that does not match its key: certificate-error, before anything listens', async (t) => {
  const { base, paths } = await folders(t, 'shared');
  const [one, other] = await Promise.all([generateCertificate({ ipAddresses: ['127.0.0.1'] }), generateCertificate({ ipAddresses: ['127.0.0.1'] })]);
  const cert = path.join(base, 'cert.pem');
  const key = path.join(base, 'key.pem');
  await writeFile(cert, one.cert);
  await writeFile(key, other.key);
  const o = observer();
  const mismatch = await failure(
    await startShare(spec({ folders: paths, ftps: { mode: 'explicit', requireTls: false, certificate: { files: { cert, key } } } }), o.observe),
  );
  assert.equal(mismatch.code, 'certificate-error');
  assert.ok(mismatch.message.length > 0);
  assert.equal(o.attached, 0, 'no server was built');

  const missing = await failure(
    await startShare(spec({ folders: paths, ftps: { mode: 'explicit', requireTls: false, certificate: { files: { cert: path.join(base, 'none.pem'), key } } } })),
  );
  assert.equal(missing.code, 'certificate-error');
  assert.ok(missing.message.includes(path.join(base, 'none.pem')), missing.message);

  // The matching pair starts, with that certificate.
  await writeFile(key, one.key);
  const share = await started(t, spec({ folders: paths, ftps: { mode: 'explicit', requireTls: false, certificate: { files: { cert, key } } } }));
  assert.equal(share.certificate?.fingerprint256, one.fingerprint256);
  assert.equal(share.certificate?.generated, undefined, 'a chosen pair is never "generated"');
});

test('observe sees listening on the running share\'s events; its detach is not called on success', async (t) => {
  const { paths } = await folders(t, 'shared');
  const o = observer();
  const share = await started(t, spec({ folders: paths }), o.observe);
  assert.deepEqual(o.seen, [`listening ${share.listening.port}`]);
  assert.equal(o.detached, 0);
  await share.stop();
  assert.deepEqual(o.seen, [`listening ${share.listening.port}`, 'stopped'], 'the events are the running share\'s');
});

test('FTPS from a certificate folder: made on the first start, reused on the second', async (t) => {
  const { base, paths } = await folders(t, 'shared');
  const dir = path.join(base, 'certificates');
  const ftps: ShareSpec['ftps'] = { mode: 'explicit', requireTls: true, certificate: { dir } };

  const first = await started(t, spec({ folders: paths, ftps }));
  const made = first.certificate;
  assert.ok(made?.generated, 'a certificate was made');
  assert.ok(made.generated.path.startsWith(dir + path.sep), made.generated.path);
  assert.ok(await exists(made.generated.path), 'and saved');
  assert.ok(made.generated.reason.length > 0);
  assert.deepEqual(first.listening.tls, { mode: 'explicit', fingerprint256: made.fingerprint256 });
  assert.ok(made.notAfter.getTime() > Date.now());
  // requireTls: no login in the clear.
  assert.equal(await loginCode(first.listening.port, 'anonymous', 'guest'), 530);
  await first.stop();

  const second = await started(t, spec({ folders: paths, ftps }));
  assert.equal(second.certificate?.generated, undefined, 'the saved certificate is reused');
  assert.equal(second.certificate?.fingerprint256, made.fingerprint256);
  const raw = await ControlClient.connect(second.listening.port);
  t.after(() => raw.close());
  await raw.reply();
  assert.equal((await raw.command('AUTH TLS')).code, 234);
});
