/**
 * Before/after resource checks for tests whose server runs in the test process: open
 * descriptors and ref'ed timers must come back to their baseline, and nothing may crash.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after } from 'node:test';
import { sleep } from './wait.js';

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

/** Takes the baseline, after letting sockets closed just before finish closing. */
export async function takeBaseline(): Promise<Baseline> {
  await sleep(50);
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
    await sleep(25);
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

/**
 * Records crashes from now until the enclosing suite's `after` hook, which stops recording, runs
 * `cleanup` (closing the suite's servers) and then fails on any uncaught exception or unhandled
 * rejection recorded.
 */
export function failOnCrashes(cleanup: () => Promise<void> | void = () => undefined): void {
  const crashes = watchCrashes();
  after(async () => {
    crashes.dispose();
    await cleanup();
    assert.deepEqual(crashes.errors, [], 'no uncaught exception or unhandled rejection');
  });
}
