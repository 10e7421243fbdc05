/**
 * Command floods and pipelining: more than `commandRatePerSecond` (with a `commandBurst`
 * allowance) gets 421 and a close; a client that pipelines within the limit is served in order;
 * memory stays bounded because reading pauses while commands queue up or replies go unread.
 * Also measures the rates that chose the defaults (printed), and checks that a fast legitimate
 * client is never cut off by them.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectAndLogin, connectOnly, waitClosed } from '../helpers/ftp-flows.js';
import { expectBackToBaseline, failOnCrashes, takeBaseline } from '../helpers/resource-baseline.js';
import { defaults } from '../../core/defaults.js';
import { waitNoSessions } from './hardening-helpers.js';
import { sleep } from '../helpers/wait.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** The server's internal view of its sessions' command queues (for the memory bound). */
function queueLengths(f: ServerFixture): number[] {
  const sessions = (f.server as unknown as { sessions: Map<string, { queue: unknown[] }> }).sessions;
  return [...sessions.values()].map((s) => s.queue.length);
}

/** Reads replies until `count` arrived or the connection closed; returns the codes. */
async function readReplies(raw: ControlClient, count: number, timeoutMs = 20_000): Promise<number[]> {
  const codes: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (codes.length < count && Date.now() < deadline) {
    try {
      codes.push((await raw.reply(Math.max(1, deadline - Date.now()))).code);
    } catch {
      break;
    }
  }
  return codes;
}

/** Fetches tiny files on one session as fast as the server serves them; returns files and commands per second. */
async function tinyFileRate(port: number, seconds: number): Promise<{ files: number; commands: number; cutOff: boolean }> {
  const raw = await connectAndLogin(port);
  await raw.command('TYPE I');
  const t0 = performance.now();
  let files = 0;
  let commands = 0;
  let cutOff = false;
  while (performance.now() - t0 < seconds * 1000) {
    const name = `tiny-${files % 50}.txt`;
    raw.socket.write(`SIZE ${name}\r\nEPSV\r\n`);
    commands += 2;
    const size = await raw.reply();
    const epsv = await raw.reply();
    if (size.code === 421 || epsv.code === 421) {
      cutOff = true;
      break;
    }
    const dataPort = Number(/\|\|\|(\d+)\|/.exec(epsv.text)![1]);
    const socket = net.connect({ port: dataPort, host: '127.0.0.1' });
    const done = new Promise<void>((resolve) => {
      socket.resume();
      socket.on('end', () => resolve());
      socket.on('error', () => resolve());
    });
    raw.send(`RETR ${name}`);
    commands++;
    assert.equal((await raw.reply()).code, 150);
    await done;
    assert.equal((await raw.reply()).code, 226);
    files++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  raw.close();
  return { files: files / elapsed, commands: commands / elapsed, cutOff };
}

/** SIZE+MDTM over 50 names, pipelined in batches of 100 commands; returns commands per second. */
async function metadataRate(port: number, seconds: number): Promise<{ commands: number; cutOff: boolean }> {
  const raw = await connectAndLogin(port);
  const t0 = performance.now();
  let n = 0;
  let cutOff = false;
  while (performance.now() - t0 < seconds * 1000 && !cutOff) {
    let batch = '';
    for (let i = 0; i < 50; i++) batch += `SIZE tiny-${i}.txt\r\nMDTM tiny-${i}.txt\r\n`;
    raw.socket.write(batch);
    const codes = await readReplies(raw, 100);
    cutOff = codes.includes(421) || codes.length < 100;
    n += codes.length;
  }
  raw.close();
  return { commands: n / ((performance.now() - t0) / 1000), cutOff };
}

const files: Record<string, string> = {};
for (let i = 0; i < 50; i++) files[`tiny-${i}.txt`] = `tiny file ${i}\n`;

describe('command rate and pipelining', () => {
  failOnCrashes();

  test('defaults: 10,000 commands/s sustained with a burst of 10,000', () => {
    assert.equal(defaults.commandRatePerSecond, 10_000);
    assert.equal(defaults.commandBurst, 10_000);
  });

  test('a flood of NOOPs (2 MB pipelined) gets 421 and a close, and memory does not grow', async () => {
    const f = await startServer();
    try {
      const baseline = await takeBaseline();
      const heapBefore = heapUsed();
      const raw = await connectOnly(f.port);
      const line = 'NOOP\r\n';
      const chunk = line.repeat(10_000);
      let maxQueue = 0;
      const sampler = setInterval(() => (maxQueue = Math.max(maxQueue, ...queueLengths(f), 0)), 5);
      for (let i = 0; i < 35 && !raw.closed; i++) {
        raw.socket.write(chunk);
        await new Promise((r) => setImmediate(r));
      }
      await waitClosed(raw, 10_000);
      clearInterval(sampler);
      const codes: number[] = [];
      for (;;) {
        try {
          codes.push((await raw.reply(50)).code);
        } catch {
          break;
        }
      }
      assert.equal(codes.at(-1), 421, 'the last reply is 421');
      // The burst, plus what the refill allowed while the flood was read (reading pauses at 64
      // queued commands, so a slow machine takes longer to empty the bucket).
      assert.ok(codes.length < 4 * defaults.commandBurst, `${codes.length} replies before the cut`);
      assert.ok(maxQueue <= 20_000, `queue peaked at ${maxQueue}`);
      await waitNoSessions(f);
      assert.ok(f.events.some((e) => e.type === 'session-closed' && e.reason === 'command flood'));
      const grown = heapUsed() - heapBefore;
      assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
      await expectBackToBaseline(baseline, 'NOOP flood');
    } finally {
      await f.close();
    }
  });

  test('a flood of empty lines (bare CRLFs) is a flood too', async () => {
    const f = await startServer({ commandRatePerSecond: 1000, commandBurst: 1000 });
    try {
      const raw = await connectOnly(f.port);
      raw.socket.write('\r\n'.repeat(50_000));
      assert.deepEqual((await raw.reply()).lines, ['421 Too many commands, closing control connection']);
      await waitClosed(raw);
    } finally {
      await f.close();
    }
  });

  test('a sustained rate just over a low limit is cut off; just under it is not', async () => {
    const f = await startServer({ commandRatePerSecond: 200, commandBurst: 20 });
    try {
      const slow = await connectOnly(f.port);
      const fast = await connectOnly(f.port);
      // 100 commands/s for 1.5 s vs 400 commands/s: the bucket holds 20.
      for (let i = 0; i < 30; i++) {
        slow.send('NOOP');
        for (let j = 0; j < 8 && !fast.closed; j++) fast.send('NOOP');
        await sleep(20);
      }
      const slowCodes = await readReplies(slow, 30, 3000);
      assert.deepEqual(new Set(slowCodes), new Set([200]));
      assert.equal(slowCodes.length, 30);
      await waitClosed(fast);
      const fastCodes = await readReplies(fast, 1000, 500);
      assert.equal(fastCodes.at(-1), 421);
      slow.close();
    } finally {
      await f.close();
    }
  });

  test('pipelining within the burst: 5,000 commands in one write are all answered, in order', async () => {
    const f = await startServer({ files });
    try {
      const raw = await connectAndLogin(f.port);
      let batch = '';
      for (let i = 0; i < 5000; i++) batch += i % 2 === 0 ? 'NOOP\r\n' : `SIZE tiny-${i % 50}.txt\r\n`;
      let maxQueue = 0;
      const sampler = setInterval(() => (maxQueue = Math.max(maxQueue, ...queueLengths(f), 0)), 2);
      raw.socket.write(batch);
      const codes = await readReplies(raw, 5000);
      clearInterval(sampler);
      assert.equal(codes.length, 5000);
      assert.ok(codes.every((code, i) => code === (i % 2 === 0 ? 200 : 213)), 'every reply in order');
      // Reading paused at 64 queued commands; one TCP chunk's worth may still land at once.
      assert.ok(maxQueue < 5000, `queue peaked at ${maxQueue}`);
      assert.equal((await raw.command('NOOP')).code, 200);
      raw.close();
    } finally {
      await f.close();
    }
  });

  test('a client that never reads its replies: reading pauses, memory stays bounded, the idle timer closes it', async () => {
    const f = await startServer({ idleTimeoutMs: 1500, files });
    try {
      const raw = await connectAndLogin(f.port);
      raw.socket.pause(); // never read again: replies pile up in the server's send buffer
      const heapBefore = heapUsed();
      // FEAT and HELP send multi-line replies: 9,000 of them are several MB of unread text.
      let batch = '';
      for (let i = 0; i < 9000; i++) batch += i % 2 === 0 ? 'HELP\r\n' : 'FEAT\r\n';
      raw.socket.write(batch);
      await sleep(1000);
      const sessions = (f.server as unknown as { sessions: Map<string, { socket: net.Socket }> }).sessions;
      const unsent = Math.max(0, ...[...sessions.values()].map((s) => s.socket.writableLength));
      assert.ok(unsent < 3 * 1024 * 1024, `${unsent} unsent reply bytes`);
      const grown = heapUsed() - heapBefore;
      assert.ok(grown < 24 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
      raw.socket.destroy();
      await waitNoSessions(f, 5000);
    } finally {
      await f.close();
    }
  });

  test('measured: a fast legitimate client stays far below the default limit and is never cut off', async () => {
    const unlimited = await startServer({ files, commandRatePerSecond: 0 });
    let noopRate = 0;
    try {
      const raw = await connectAndLogin(unlimited.port);
      const n = 20_000;
      const t0 = performance.now();
      raw.socket.write('NOOP\r\n'.repeat(n));
      const codes = await readReplies(raw, n);
      assert.equal(codes.length, n);
      noopRate = n / ((performance.now() - t0) / 1000);
      raw.close();
    } finally {
      await unlimited.close();
    }
    const f = await startServer({ files });
    try {
      const tiny = await tinyFileRate(f.port, 2);
      const meta = await metadataRate(f.port, 1.5);
      console.log(
        `# command rates, one session on loopback: tiny files ${tiny.files.toFixed(0)}/s = ${tiny.commands.toFixed(0)} commands/s; ` +
          `SIZE+MDTM pipelined ${meta.commands.toFixed(0)}/s; NOOP pipelined ${noopRate.toFixed(0)}/s; limit ${defaults.commandRatePerSecond}/s`,
      );
      assert.equal(tiny.cutOff, false, 'fetching tiny files is never a flood');
      assert.equal(meta.cutOff, false, 'pipelined metadata commands are never a flood');
      assert.ok(tiny.commands < defaults.commandRatePerSecond / 2, 'the limit leaves room for a machine twice as fast');
    } finally {
      await f.close();
    }
  });
});
