/**
 * What the app shows of an upload whose client was killed: a failed transfer with the reason, a
 * warning in the log, no completed count, and the original file untouched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { test } from 'node:test';
import { TEST_USER, startService, unwrap } from './share-service-fixture.js';
import { waitFor } from '../helpers/wait.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';

const PASSWORD = 'Zq7-unique-test-password-93xk';

test('a client killed mid-upload: the Transfers table and the log say it failed, the original stays', { timeout: 60_000 }, async (t) => {
  const original = pseudoRandomBytes(200_000, 5);
  const f = await startService(t, {
    settings: { access: { mode: 'password', username: TEST_USER, password: PASSWORD }, readOnly: false },
    files: { 'photo.jpg': original },
  });
  const port = unwrap(await f.service.start()).port!;
  const source = path.join(os.tmpdir(), `ftp-share-killed-upload-${process.pid}.bin`);
  await writeFile(source, pseudoRandomBytes(8 * 1024 * 1024, 9));
  t.after(() => rm(source, { force: true }));

  const curl = spawn('curl', ['-sS', '--limit-rate', '1M', '-u', `${TEST_USER}:${PASSWORD}`, '-T', source, `ftp://127.0.0.1:${port}/photo.jpg`], { stdio: 'ignore' });
  const exited = new Promise((resolve) => curl.once('exit', resolve));
  await waitFor(async () => unwrap(await f.service.getTransfers()).active.some((r) => r.bytes >= 256 * 1024) || undefined, 'upload progress', 15_000);
  curl.kill('SIGKILL');
  await exited;

  const snapshot = await waitFor(async () => {
    const snap = unwrap(await f.service.getTransfers());
    return snap.finished.length === 1 ? snap : undefined;
  }, 'the finished transfer', 10_000);
  const row = snapshot.finished[0]!;
  assert.equal(row.result, 'failed');
  assert.equal(row.reason, 'client disconnected during upload');
  assert.equal(snapshot.totals.completed, 0);
  assert.equal(snapshot.totals.failed, 1);
  const logs = unwrap(await f.service.getLogs());
  assert.ok(
    logs.some((e) => e.level === 'warn' && /Upload of \/photo\.jpg failed: client disconnected during upload/.test(e.text)),
    `a warning in the log: ${JSON.stringify(logs.map((e) => e.text))}`,
  );
  assert.ok(!logs.some((e) => /^Received \/photo\.jpg/.test(e.text)), 'never logged as received');
  assert.deepEqual(await readFile(path.join(f.root, 'photo.jpg')), original);
  assert.deepEqual((await readdir(f.root)).sort(), ['photo.jpg']);
});
