import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'basic-ftp';
import { PushBatcher } from '../../core/share/push-batcher.js';
import { LogBuffer, Redactor } from '../../core/share/log-buffer.js';
import type { LogEntry, PushEventName, TransfersSnapshot } from '../../core/share/contract.js';
import { countingSink, startService, unwrap, type RecordedPush } from './share-service-fixture.js';
import { sleep, waitFor } from '../helpers/wait.js';

/** The most pushes seen in any window of `windowMs` starting at a push. */
function maxInWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** Pushes per whole second since the first one. */
function perSecondBins(pushes: RecordedPush[]): number[] {
  if (pushes.length === 0) return [];
  const t0 = pushes[0]!.time;
  const bins: number[] = [];
  for (const p of pushes) {
    const i = Math.floor((p.time - t0) / 1000);
    bins[i] = (bins[i] ?? 0) + 1;
  }
  return bins.map((n) => n ?? 0);
}

test('100 concurrent downloads yield at most 10 pushes per second', { timeout: 120_000 }, async (t) => {
  const CLIENTS = 100;
  // 3 MiB at 1 MiB/s per session: every download lasts about 2-3 s.
  const size = 3 * 1024 * 1024;
  const f = await startService(t, {
    settings: { access: { mode: 'anonymous' } },
    files: { 'big.bin': Buffer.alloc(size, 3) },
    service: {
      serverOverrides: { host: '127.0.0.1', port: 0, maxConnectionsPerIp: CLIENTS + 10, bandwidth: { sessionDownload: 1024 * 1024 } },
    },
  });
  const { port } = unwrap(await f.service.start());
  const clients: Client[] = [];
  t.after(() => clients.forEach((c) => c.close()));
  for (let i = 0; i < CLIENTS; i++) {
    const client = new Client(30_000);
    clients.push(client);
  }
  await Promise.all(clients.map((c) => c.access({ host: '127.0.0.1', port: port!, user: 'anonymous', password: 'x' })));
  await waitFor(async () => unwrap(await f.service.getState()).sessionCount === CLIENTS, 'every session');
  // Let the login pushes drain, then count only the transfer phase.
  await sleep(1200);
  const from = f.pushes.length;
  const began = Date.now();
  const sinks = clients.map(() => countingSink());
  await Promise.all(clients.map((c, i) => c.downloadTo(sinks[i]!, '/big.bin')));
  const elapsed = Date.now() - began;
  assert.ok(elapsed >= 2000, `the downloads lasted ${elapsed} ms (at least 2 s needed for the measure)`);
  for (const sink of sinks) assert.equal(sink.bytes, size);
  await waitFor(async () => unwrap(await f.service.getTransfers()).totals.completed === CLIENTS, 'every transfer to finish');
  await sleep(1200);

  const phase = f.pushes.slice(from);
  const times = phase.map((p) => p.time);
  const worst = maxInWindow(times);
  t.diagnostic(`${phase.length} pushes in ${elapsed} ms of transfers; per second: ${perSecondBins(phase).join(', ')}; worst window ${worst}`);
  assert.ok(worst <= 10, `at most 10 pushes in any second, saw ${worst} (per second: ${perSecondBins(phase).join(', ')})`);
  for (const n of perSecondBins(phase)) assert.ok(n <= 10);
  // Batching must not starve the UI: progress went out while transfers ran, and the end too.
  const transferPushes = phase.filter((p) => p.event === 'transfers').map((p) => p.payload as TransfersSnapshot);
  assert.ok(transferPushes.length >= Math.floor(elapsed / 1000), `transfers pushed ${transferPushes.length} times in ${elapsed} ms`);
  assert.ok(transferPushes.some((s) => s.active.length >= CLIENTS / 2 && s.active.some((r) => r.bytes > 0)), 'progress of many transfers in one push');
  const last = transferPushes[transferPushes.length - 1]!;
  assert.equal(last.totals.completed, CLIENTS);
  assert.equal(last.active.length, 0);
  assert.equal(last.totals.downloadedBytes, CLIENTS * size);
  // Every pushed log line arrives once, in order.
  const ids = f.pushed('log').flat().map((e) => e.id);
  assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b));
});

test('PushBatcher: a flood of changes is paced, coalesced, and nothing is lost', { timeout: 20_000 }, async () => {
  let version = 0;
  const batcher = new PushBatcher({
    state: () => ({ status: 'running', urls: [], sessionCount: version }),
    settings: () => ({ version: 1 }) as never,
    sessions: () => [],
    transfers: () => ({ active: [], finished: [], totals: { downloadedBytes: version, uploadedBytes: 0, completed: 0, failed: 0 } }),
  });
  const seen: { time: number; event: PushEventName; payload: unknown }[] = [];
  const unsubscribe = batcher.subscribe((event, payload) => seen.push({ time: Date.now(), event, payload }));
  batcher.subscribe(() => {
    throw new Error('a broken listener');
  });
  const started = Date.now();
  batcher.mark('state');
  await waitFor(() => seen.length === 1, 'the first push', 1000);
  assert.ok(Date.now() - started < 100, 'the first change goes out at once');

  let id = 1;
  const flood = setInterval(() => {
    version++;
    for (const kind of ['state', 'settings', 'sessions', 'transfers'] as const) batcher.mark(kind);
    const entry: LogEntry = { id: id++, time: Date.now(), level: 'debug', text: `line ${id}` };
    batcher.log(entry);
    if (version % 500 === 0) batcher.notice({ level: 'info', text: `notice ${version}` });
  }, 1);
  await sleep(3000);
  clearInterval(flood);
  const lastVersion = version;
  await sleep(2500);
  unsubscribe();
  batcher.close();

  assert.ok(maxInWindow(seen.map((s) => s.time)) <= 10, `at most 10 events in any second, saw ${maxInWindow(seen.map((s) => s.time))}`);
  // The latest snapshot of each kind was delivered.
  const lastState = seen.filter((s) => s.event === 'state').at(-1)!.payload as { sessionCount: number };
  assert.equal(lastState.sessionCount, lastVersion);
  // Every log line, once, in order, in batches.
  const logIds = seen.filter((s) => s.event === 'log').flatMap((s) => (s.payload as LogEntry[]).map((e) => e.id));
  assert.deepEqual(logIds, Array.from({ length: id - 1 }, (_, i) => i + 1));
  assert.ok(seen.filter((s) => s.event === 'log').length < logIds.length / 10, 'log lines are batched');
  // Notices are not coalesced.
  assert.equal(seen.filter((s) => s.event === 'notice').length, Math.floor(lastVersion / 500));
});

test('LogBuffer keeps the last 5000 lines; Redactor removes secrets and keys', () => {
  const log = new LogBuffer();
  for (let i = 0; i < 5003; i++) log.add('info', `line ${i}`, i);
  const entries = log.entries();
  assert.equal(entries.length, 5000);
  assert.equal(entries[0]!.text, 'line 3');
  assert.equal(entries[4999]!.text, 'line 5002');
  assert.equal(entries[4999]!.id, 5003);
  log.clear();
  assert.equal(log.entries().length, 0);
  assert.equal(log.add('warn', 'x', 0).id, 5004);

  const redactor = new Redactor();
  redactor.addSecret('hunter22');
  redactor.addSecret('ab'); // too short to search for
  assert.equal(redactor.redact('USER hunter22 and hunter22'), 'USER *** and ***');
  assert.equal(redactor.redact('about'), 'about');
  const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----';
  assert.equal(redactor.redact(`key: ${pem} end`), 'key: *** end');
  assert.equal(redactor.redact('cut -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE'), 'cut ***');
});
