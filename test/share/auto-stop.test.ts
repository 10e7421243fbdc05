/**
 * The idle auto-stop timer (core/share/auto-stop.ts) on real timers with a short "minute": it
 * counts only while idle with a delay set, a running count moves only when reset, every change of
 * the deadline is reported once, it expires with the minutes it ran with, and clear() ends it.
 * Every wait is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoStopTimer } from '../../core/share/auto-stop.js';
import { sleep, waitFor } from '../helpers/wait.js';

/** Length of one auto-stop "minute" here (ms). */
const UNIT_MS = 25;


/** A timer with a clock the test moves, counting its callbacks; cleared after the test. */
function makeTimer(t: { after(fn: () => void): void }) {
  const calls = { changes: 0, expired: [] as number[], expiredAt: [] as number[] };
  let clock = 1_000_000;
  const timer = new AutoStopTimer({
    unitMs: UNIT_MS,
    now: () => clock,
    onChange: () => calls.changes++,
    onExpire: (minutes) => {
      calls.expired.push(minutes);
      calls.expiredAt.push(Date.now());
    },
  });
  t.after(() => timer.clear());
  return {
    timer,
    calls,
    advance(ms: number) {
      clock += ms;
    },
    get clock() {
      return clock;
    },
  };
}

/** Timers that keep the process alive (an unref'd one is not listed). */
const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('no count without a delay or while someone is connected', async (t) => {
  const { timer, calls } = makeTimer(t);
  timer.update(0, true, true);
  assert.equal(timer.stopsAt, undefined, 'minutes 0 means never');
  timer.update(-1, true, true);
  assert.equal(timer.stopsAt, undefined, 'a negative delay counts as never');
  timer.update(1, false, true);
  assert.equal(timer.stopsAt, undefined, 'not idle: no count');
  assert.equal(calls.changes, 0, 'nothing changed, nothing reported');
  await sleep(UNIT_MS * 3);
  assert.deepEqual(calls.expired, []);
});

test('idle with a delay: the deadline is now + minutes × unit, reported once, and expiry says the minutes', async (t) => {
  const { timer, calls, clock } = makeTimer(t);
  const before = refTimers();
  const startedAt = Date.now();
  timer.update(3, true, false);
  assert.equal(timer.stopsAt, clock + 3 * UNIT_MS);
  assert.equal(calls.changes, 1);
  assert.equal(refTimers(), before, 'the count alone must not keep the process alive (unref)');
  await waitFor(() => calls.expired.length > 0, 'the auto-stop to expire', 3 * UNIT_MS + 2000);
  assert.deepEqual(calls.expired, [3]);
  // Timers may fire a millisecond early by the wall clock's rounding, never a unit early.
  assert.ok(calls.expiredAt[0]! - startedAt >= 3 * UNIT_MS - 2, `expired after ${calls.expiredAt[0]! - startedAt} ms`);
  await sleep(UNIT_MS * 4);
  assert.deepEqual(calls.expired, [3], 'it expires once');
});

test('a running count moves only when reset', async (t) => {
  const { timer, calls, advance } = makeTimer(t);
  timer.update(4, true, false);
  const first = timer.stopsAt!;
  assert.equal(calls.changes, 1);

  advance(10);
  timer.update(4, true, false);
  assert.equal(timer.stopsAt, first, 'no reset: the deadline stays');
  timer.update(8, true, false);
  assert.equal(timer.stopsAt, first, 'no reset: not even a new delay moves it');
  assert.equal(calls.changes, 1, 'an unchanged deadline is not reported');

  advance(10);
  timer.update(2, true, true);
  assert.equal(timer.stopsAt, first + 20 - 4 * UNIT_MS + 2 * UNIT_MS, 'reset: now + the new delay');
  assert.equal(calls.changes, 2);

  await waitFor(() => calls.expired.length > 0, 'the reset count to expire', 2 * UNIT_MS + 2000);
  assert.deepEqual(calls.expired, [2], 'the reset count runs with its own minutes; the old one is gone');
  await sleep(4 * UNIT_MS + 20);
  assert.deepEqual(calls.expired, [2], 'the replaced count never fires');
});

test('resetting again and again keeps it from expiring', async (t) => {
  const { timer, calls } = makeTimer(t);
  timer.update(2, true, true);
  const until = Date.now() + 5 * 2 * UNIT_MS;
  while (Date.now() < until) {
    await sleep(UNIT_MS);
    timer.update(2, true, true);
  }
  assert.deepEqual(calls.expired, [], 'each reset restarts the whole delay');
  await waitFor(() => calls.expired.length > 0, 'expiry after the last reset', 2 * UNIT_MS + 2000);
});

test('someone connecting stops the count; leaving starts a fresh one', async (t) => {
  const { timer, calls, advance } = makeTimer(t);
  timer.update(2, true, false);
  assert.equal(calls.changes, 1);
  timer.update(2, false, false);
  assert.equal(timer.stopsAt, undefined);
  assert.equal(calls.changes, 2, 'the deadline going away is reported');
  await sleep(2 * UNIT_MS * 3);
  assert.deepEqual(calls.expired, [], 'a stopped count never fires');

  advance(500);
  timer.update(2, true, false);
  assert.ok(timer.stopsAt !== undefined);
  assert.equal(calls.changes, 3);
  timer.update(0, true, false);
  assert.equal(timer.stopsAt, undefined, 'the delay set to never stops the count');
  assert.equal(calls.changes, 4);
});

test('clear() ends a count and reports it; clearing nothing reports nothing', async (t) => {
  const { timer, calls } = makeTimer(t);
  timer.clear();
  assert.equal(calls.changes, 0);
  timer.update(1, true, false);
  timer.clear();
  assert.equal(timer.stopsAt, undefined);
  assert.equal(calls.changes, 2);
  timer.clear();
  assert.equal(calls.changes, 2);
  await sleep(UNIT_MS * 4);
  assert.deepEqual(calls.expired, []);
  // After a clear the next update starts counting even without reset.
  timer.update(1, true, false);
  assert.ok(timer.stopsAt !== undefined);
  await waitFor(() => calls.expired.length > 0, 'the new count to expire', UNIT_MS + 2000);
  assert.deepEqual(calls.expired, [1]);
});
