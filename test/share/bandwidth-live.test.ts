/**
 * The bandwidth caps through the ShareService: the saved cap holds from the start, a new one
 * applies to a download already running (no restart, the session and transfer go on), the log
 * says so, and the settings file keeps it.
 */
import assert from 'node:assert/strict';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startService, unwrap } from './share-service-fixture.js';
import { connectAndLogin, connectData } from '../helpers/ftp-flows.js';
import { sleep } from '../helpers/wait.js';

const MB = 1_000_000;

test('a cap changed in the settings applies to a running download within a second, without a restart', { timeout: 30_000 }, async (t) => {
  const f = await startService(t, { settings: { access: { mode: 'anonymous' }, bandwidth: { downloadMBps: 1, uploadMBps: 0, perDeviceMBps: 0 } } });
  const handle = await open(path.join(f.root, 'big.bin'), 'w');
  await handle.truncate(1024 ** 3);
  await handle.close();
  const started = unwrap(await f.service.start());
  const client = await connectAndLogin(started.port!);
  t.after(() => client.close());
  await client.command('TYPE I');
  const { port } = await client.pasv();
  const data = await connectData(port);
  t.after(() => data.destroy());
  data.on('error', () => undefined);
  const arrivals: Array<[number, number]> = [];
  let total = 0;
  data.on('data', (chunk: Buffer) => arrivals.push([performance.now(), (total += chunk.length)]));
  assert.equal((await client.command('RETR big.bin')).code, 150);
  const at = (time: number): number => arrivals.filter(([when]) => when <= time).at(-1)?.[1] ?? 0;
  const rate = (from: number, to: number): number => ((at(to) - at(from)) * 1000) / (to - from);

  await sleep(2000);
  const changed = performance.now();
  unwrap(await f.service.updateSettings({ bandwidth: { downloadMBps: 6, uploadMBps: 0, perDeviceMBps: 0 } }));
  await sleep(2000);
  const [before, after] = [rate(changed - 1000, changed), rate(changed + 1000, changed + 2000)];
  t.diagnostic(`before ${(before / MB).toFixed(2)} MB/s, after ${(after / MB).toFixed(2)} MB/s`);
  assert.ok(Math.abs(before / MB - 1) <= 0.15, `the saved 1 MB/s cap: ${(before / MB).toFixed(2)} MB/s`);
  assert.ok(Math.abs(after / (6 * MB) - 1) <= 0.15, `the new 6 MB/s cap: ${(after / MB).toFixed(2)} MB/s`);

  const state = unwrap(await f.service.getState());
  assert.equal(state.startedAt, started.startedAt, 'not restarted');
  const logs = unwrap(await f.service.getLogs()).map((e) => e.text);
  assert.ok(logs.includes('Bandwidth caps: downloads 6 MB/s, uploads unlimited, each device unlimited; running transfers follow now'), logs.join('\n'));
  const saved = JSON.parse(await readFile(path.join(f.configDir, 'settings.json'), 'utf8')) as { bandwidth?: unknown };
  assert.deepEqual(saved.bandwidth, { downloadMBps: 6, uploadMBps: 0, perDeviceMBps: 0 });
});
