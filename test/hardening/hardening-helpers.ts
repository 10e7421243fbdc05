/**
 * Helpers of the hardening tests: one setup for a describe block of fault tests (a server, a
 * resource baseline, a crash recorder and the checks that end every test), a check that a fresh
 * client is still served normally, socket faults, and a small tmpfs the tests mount themselves
 * for disk-full faults. The resource checks themselves live in test/helpers/resource-baseline.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { before } from 'node:test';
import type { ServerFixture } from '../helpers/server-fixture.js';
import { connectAndLogin, connectData, downloadOk, tempFilesIn, uploadOk, waitClosed } from '../helpers/ftp-flows.js';
import type { ControlClient } from '../helpers/control-client.js';
import { sha256 } from '../helpers/digests.js';
import { run } from '../helpers/processes.js';
import { expectBackToBaseline, failOnCrashes, takeBaseline, type Baseline } from '../helpers/resource-baseline.js';
import { waitFor } from '../helpers/wait.js';

/** How a describe block of fault tests gets its server and what every test must leave behind. */
export interface FaultSuiteSetup {
  /** Starts the block's server (in `before`). */
  start(): Promise<ServerFixture>;
  /**
   * Serves a fresh client fully: once before the baseline (warming lazily opened resources such
   * as the thread pool and the realpath cache) and again at the end of every test.
   */
  served?(f: ServerFixture): Promise<void>;
  /** Further checks at the end of every test, once resources are back (files intact, no temp files). */
  checks?(f: ServerFixture): Promise<void>;
  /** Runs in `after`, once the server is closed (unmounting a tmpfs…). */
  cleanup?(): Promise<void>;
}

/**
 * Sets up a describe block of fault tests: starts the server and takes the resource baseline
 * before the tests, fails the block on any crash, and closes the server after it. Each test ends
 * with `settle(what)`: no session left, a fresh client served (with `served`), descriptors and
 * timers back to the baseline, `checks`, and no server 'error' event.
 */
export function faultSuite(setup: FaultSuiteSetup): { settle(what: string): Promise<void> } {
  let f: ServerFixture | undefined;
  let baseline: Baseline;
  failOnCrashes(async () => {
    await f?.close();
    await setup.cleanup?.();
  });
  before(async () => {
    f = await setup.start();
    await setup.served?.(f);
    baseline = await takeBaseline();
  });
  return {
    async settle(what) {
      const server = f!;
      await waitNoSessions(server);
      if (setup.served) {
        await setup.served(server);
        await waitNoSessions(server);
      }
      await expectBackToBaseline(baseline, what);
      await setup.checks?.(server);
      assertNoServerErrors(server);
    },
  };
}

/** No upload temp file left below `root`, and the file `name` in it still holds `content`. */
export async function assertIntact(root: string, name: string, content: Buffer): Promise<void> {
  assert.deepEqual(await tempFilesIn(root), [], 'no upload temp file left');
  assert.equal(sha256(await fs.readFile(path.join(root, name))), sha256(content), `${name} intact`);
}

/** Asserts the server never reported an 'error' event (a handler bug, a listener failure). */
export function assertNoServerErrors(f: ServerFixture): void {
  const errors = f.events.filter((e) => e.type === 'error');
  assert.deepEqual(errors, [], 'the server reported errors');
}

/**
 * A fresh client gets the full service: login, listing, download of `check.txt` (when the share
 * has it), an upload and its download, QUIT. Everything it opens is closed again.
 */
export async function assertServedNormally(f: ServerFixture, options: { writable?: boolean } = {}): Promise<void> {
  const raw = await connectAndLogin(f.port);
  try {
    assert.equal((await raw.command('TYPE I')).code, 200);
    assert.equal((await raw.command('PWD')).code, 257);
    await downloadOk(raw, 'LIST');
    if (options.writable ?? true) {
      const name = `served-${process.hrtime.bigint()}.bin`;
      const body = Buffer.from(`a fresh client at ${Date.now()}\n`.repeat(100));
      await uploadOk(raw, `STOR ${name}`, body);
      assert.equal(sha256(await downloadOk(raw, `RETR ${name}`)), sha256(body));
      assert.equal((await raw.command(`DELE ${name}`)).code, 250);
    }
    assert.equal((await raw.command('QUIT')).code, 221);
    await waitClosed(raw);
  } finally {
    raw.close();
  }
}

/** Waits (bounded) until the server has no session left. */
export async function waitNoSessions(f: ServerFixture, timeoutMs = 5000): Promise<void> {
  await waitFor(() => f.server.getSessions().length === 0, 'every session to end', timeoutMs).catch(() => undefined);
  assert.deepEqual(f.server.getSessions().map((s) => s.sessionId), [], 'every session ended');
}

/** Sends a TCP reset (not a FIN): what a crashed client or a pulled cable looks like. */
export function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  socket.resetAndDestroy();
}

/** Resolves once `socket` has received at least `bytes` bytes (it stays paused afterwards). */
export function receivedAtLeast(socket: net.Socket, bytes: number, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`only ${got} bytes arrived`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      got += chunk.length;
      if (got >= bytes) {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.pause();
        resolve(got);
      }
    };
    socket.on('data', onData);
  });
}

/**
 * Logs in and starts `RETR name` (binary, passive), then waits until `bytes` arrived: the reader
 * stalls there, so the server is blocked on backpressure mid-file. `ignoreDataErrors` ignores
 * errors of the data socket (the resets the test causes); `onData` sees every chunk.
 */
export async function stalledRetr(
  port: number,
  name: string,
  bytes: number,
  options: { ignoreDataErrors?: boolean; onData?: (chunk: Buffer) => void } = {},
): Promise<{ raw: ControlClient; data: net.Socket }> {
  const raw = await connectAndLogin(port);
  await raw.command('TYPE I');
  const data = await connectData((await raw.pasv()).port);
  if (options.ignoreDataErrors) data.on('error', () => undefined);
  const arrived = receivedAtLeast(data, bytes);
  if (options.onData) data.on('data', options.onData);
  assert.equal((await raw.command(`RETR ${name}`)).code, 150);
  await arrived;
  return { raw, data };
}

/**
 * Mounts a tmpfs of `sizeKiB` on a fresh directory. Returns its path, or a reason why it can't
 * (not Linux, not root, mount refused), for the test to skip with.
 */
export async function mountTmpfs(dir: string, sizeKiB: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: 'tmpfs mounts need Linux' };
  await fs.mkdir(dir, { recursive: true });
  const mounted = await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'tmpfs', dir], { timeoutMs: 20_000 });
  if (mounted.code !== 0) return { ok: false, reason: `mount -t tmpfs is not allowed here (${(mounted.stderr || mounted.error || '').trim().split('\n')[0]})` };
  // Should the test process die before its `after` hook, the mount must not outlive it.
  process.once('exit', () => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // already unmounted
    }
  });
  return { ok: true };
}

export async function unmountTmpfs(dir: string): Promise<void> {
  await run('umount', [dir], { timeoutMs: 20_000 });
  await run('umount', ['-l', dir], { timeoutMs: 20_000 });
  await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Free bytes on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const st = await fs.statfs(dir);
  return Number(st.bavail) * Number(st.bsize);
}
