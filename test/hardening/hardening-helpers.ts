/**
 * Helpers of the hardening tests: the process's open descriptors (the server runs in the test
 * process), a crash recorder, a check that a fresh client is still served normally, and a small
 * tmpfs the tests mount themselves for disk-full faults.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import { RawClient } from '../helpers/raw-client.js';
import type { ServerFixture } from '../helpers/server-fixture.js';
import { connectAndLogin, downloadOk, sha256, uploadOk } from '../ftp/ftp-helpers.js';

/** Number of open descriptors of this process, or undefined where /proc is missing (not Linux). */
export async function openFds(): Promise<number | undefined> {
  try {
    return (await fs.readdir('/proc/self/fd')).length;
  } catch {
    return undefined;
  }
}

/** What each open descriptor points at (for a failure message). */
async function describeFds(): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await fs.readdir('/proc/self/fd').catch(() => [] as string[])) {
    out.push(`${fd} → ${await fs.readlink(`/proc/self/fd/${fd}`).catch(() => '?')}`);
  }
  return out;
}

/** Active, ref'ed timers of the process (unref'ed ones don't show). */
export function refedTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** The process's descriptors and timers at a quiet moment. */
export interface Baseline {
  fds: number | undefined;
  timers: number;
}

export async function takeBaseline(): Promise<Baseline> {
  // Let sockets closed just before finish closing.
  await new Promise((r) => setTimeout(r, 50));
  return { fds: await openFds(), timers: refedTimers() };
}

/**
 * Waits (bounded) until descriptors and ref'ed timers are back to the baseline; fails with the
 * list of descriptors when they never come back. A few descriptors of slack would hide a leak of
 * one socket per fault, so there is none: the count must come back exactly (or below).
 */
export async function expectBackToBaseline(baseline: Baseline, what: string, timeoutMs = 6000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let fds = await openFds();
  let timers = refedTimers();
  while (Date.now() < deadline) {
    fds = await openFds();
    timers = refedTimers();
    if ((baseline.fds === undefined || fds === undefined || fds <= baseline.fds) && timers <= baseline.timers) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  const detail = fds !== undefined && baseline.fds !== undefined && fds > baseline.fds ? `\n${(await describeFds()).join('\n')}` : '';
  assert.fail(`${what}: descriptors ${baseline.fds} → ${fds}, ref'ed timers ${baseline.timers} → ${timers}${detail}`);
}

/** Records uncaught exceptions and unhandled rejections while installed. */
export function watchCrashes(): { errors: unknown[]; dispose(): void } {
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
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

/** Waits (bounded) until the server closed the client's control connection. */
export async function waitClosed(raw: RawClient, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!raw.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(raw.closed, 'the server closed the connection');
}

/** Waits (bounded) until the server has no session left. */
export async function waitNoSessions(f: ServerFixture, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (f.server.getSessions().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(f.server.getSessions().map((s) => s.sessionId), [], 'every session ended');
}

/** Sends a TCP reset (not a FIN): what a crashed client or a pulled cable looks like. */
export function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  socket.resetAndDestroy();
}

/** Connects a plain socket and resolves once connected. */
export function connectSocket(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
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

/** Runs a command, never rejecting (mount, ip, tc); the result says whether it worked. */
export function sh(command: string, args: string[], timeoutMs = 20_000): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ ok: !error, stdout, stderr: stderr || (error ? String(error.message) : '') });
    });
  });
}

/**
 * Mounts a tmpfs of `sizeKiB` on a fresh directory. Returns its path, or a reason why it can't
 * (not Linux, not root, mount refused), for the test to skip with.
 */
export async function mountTmpfs(dir: string, sizeKiB: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: 'tmpfs mounts need Linux' };
  await fs.mkdir(dir, { recursive: true });
  const mounted = await sh('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'tmpfs', dir]);
  if (!mounted.ok) return { ok: false, reason: `mount -t tmpfs is not allowed here (${mounted.stderr.trim().split('\n')[0]})` };
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
  await sh('umount', [dir]);
  await sh('umount', ['-l', dir]);
  await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Free bytes on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const st = await fs.statfs(dir);
  return Number(st.bavail) * Number(st.bsize);
}

/** A deterministic PRNG (mulberry32) for reproducible random faults. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
