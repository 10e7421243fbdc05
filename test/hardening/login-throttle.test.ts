/**
 * Failed logins per address: after `limit` failures within the window, every reply to that
 * address's sessions that are not logged in waits, 1 s doubling to 30 s by default, shrinking as
 * failures age out. The delay never depends on whether the user exists; the server emits
 * 'address-throttled' and the ShareService logs it as a warning. Log lines never carry raw
 * control characters from clients.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from '../../core/auth/login-throttle.js';
import { defaults } from '../../core/defaults.js';
import { startServer } from '../helpers/server-fixture.js';
import { waitFor } from '../helpers/wait.js';
import { ControlClient } from '../helpers/control-client.js';
import { connectOnly } from '../helpers/ftp-flows.js';
import { loopbackAliases } from '../helpers/loopback.js';
import { expectBackToBaseline, takeBaseline, watchCrashes } from '../helpers/resource-baseline.js';
import { startService, unwrap, TEST_USER } from '../share/share-service-fixture.js';
import { waitNoSessions } from './hardening-helpers.js';

describe('LoginThrottle (unit, fake clock)', () => {
  const settings = { limit: 10, windowMs: 600_000, delayMs: 1000, maxDelayMs: 30_000, maxTracked: 100 };

  test('no delay under the limit; 1 s at it, doubling per failure up to 30 s', () => {
    let now = 0;
    const throttle = new LoginThrottle(settings, () => now);
    const delays: number[] = [];
    for (let i = 1; i <= 16; i++) {
      now += 1000;
      delays.push(throttle.recordFailure('10.0.0.9').delayMs);
    }
    assert.deepEqual(delays, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.equal(throttle.delayMs('10.0.0.9'), 30_000);
    assert.equal(throttle.delayMs('10.0.0.10'), 0, 'another address is not affected');
  });

  test('the delay decays as failures age out of the window, to nothing under the limit', () => {
    let now = 0;
    const throttle = new LoginThrottle(settings, () => now);
    // 12 failures, one every 30 s (t = 0 … 330 s): 10 at the limit, 2 more → 4 s.
    for (let i = 0; i < 12; i++) {
      now = i * 30_000;
      throttle.recordFailure('10.0.0.9');
    }
    assert.equal(throttle.delayMs('10.0.0.9'), 4000);
    now = 600_000 + 1; // the failure of t = 0 is now over ten minutes old
    assert.equal(throttle.delayMs('10.0.0.9'), 2000);
    now = 630_000 + 1;
    assert.equal(throttle.delayMs('10.0.0.9'), 1000);
    now = 660_000 + 1;
    assert.equal(throttle.delayMs('10.0.0.9'), 0);
    now += 600_000;
    assert.equal(throttle.delayMs('10.0.0.9'), 0);
    assert.equal(throttle.trackedAddresses, 0, 'a fully aged-out address is forgotten');
  });

  test('memory is bounded: addresses beyond maxTracked evict the stalest; timestamps are capped', () => {
    let now = 0;
    const throttle = new LoginThrottle({ ...settings, maxTracked: 50 }, () => now);
    for (let i = 0; i < 1000; i++) {
      now++;
      throttle.recordFailure(`10.1.${i >> 8}.${i & 0xff}`);
    }
    assert.ok(throttle.trackedAddresses <= 50);
    for (let i = 0; i < 100_000; i++) throttle.recordFailure('10.9.9.9');
    assert.equal(throttle.delayMs('10.9.9.9'), 30_000);
    const kept = (throttle as unknown as { failures: Map<string, number[]> }).failures.get('10.9.9.9')!;
    assert.ok(kept.length <= settings.limit + 32, `${kept.length} timestamps kept`);
  });

  test('defaults: 10 failures in 10 minutes, 1 s doubling to 30 s', () => {
    assert.equal(defaults.addressLoginFailureLimit, 10);
    assert.equal(defaults.addressLoginFailureWindowMs, 600_000);
    assert.equal(defaults.addressThrottleDelayMs, 1000);
    assert.equal(defaults.addressThrottleMaxDelayMs, 30_000);
  });
});

/** Times one command's reply, in ms. */
async function timed(raw: ControlClient, line: string): Promise<{ ms: number; code: number; text: string }> {
  const started = performance.now();
  const reply = await raw.command(line, 10_000);
  return { ms: performance.now() - started, code: reply.code, text: reply.text };
}

describe('address throttle on a real server', () => {
  const crashes = watchCrashes();

  test('after the limit every pre-login reply waits, whatever the user; logged-in sessions do not', async () => {
    const f = await startServer({
      username: 'alice',
      password: 'right-password',
      maxLoginFailures: 100,
      loginFailureDelayMs: 0,
      addressLoginFailureLimit: 4,
      addressLoginFailureWindowMs: 10_000,
      addressThrottleDelayMs: 200,
      addressThrottleMaxDelayMs: 800,
    });
    try {
      const baseline = await takeBaseline();
      const raw = await connectOnly(f.port);
      // Under the limit: answers come at once, for a real and a made-up user alike.
      for (const user of ['alice', 'nobody', 'alice']) {
        assert.ok((await timed(raw, `USER ${user}`)).ms < 180);
        const pass = await timed(raw, 'PASS wrong');
        assert.deepEqual([pass.code, pass.text], [530, '530 Login incorrect']);
      }
      assert.equal(f.events.filter((e) => e.type === 'address-throttled').length, 0);
      await raw.command('USER nobody');
      await raw.command('PASS wrong'); // the 4th failure: the address is throttled from now on
      const throttled = f.events.filter((e) => e.type === 'address-throttled');
      assert.deepEqual(
        throttled.map((e) => e.type === 'address-throttled' && [e.remoteAddress, e.failures, e.delayMs, e.windowMs]),
        [['127.0.0.1', 4, 200, 10_000]],
      );

      // Same delay and same replies for an existing and an unknown user (nothing to learn).
      const known = [await timed(raw, 'USER alice'), await timed(raw, 'PASS wrong')];
      const unknown = [await timed(raw, 'USER nobody'), await timed(raw, 'PASS wrong')];
      assert.deepEqual(known.map((r) => r.text), ['331 Please specify the password', '530 Login incorrect']);
      assert.deepEqual(unknown.map((r) => r.text), known.map((r) => r.text));
      // Failures 5 and 6 → 400 ms, then 800 ms (capped): every reply waited at least its delay.
      assert.ok(known[0]!.ms >= 190 && known[1]!.ms >= 190, `known user: ${known.map((r) => Math.round(r.ms))}`);
      assert.ok(unknown[0]!.ms >= 390 && unknown[1]!.ms >= 390, `unknown user: ${unknown.map((r) => Math.round(r.ms))}`);
      assert.deepEqual(
        f.events.filter((e) => e.type === 'address-throttled').map((e) => e.type === 'address-throttled' && e.delayMs),
        [200, 400, 800],
      );

      // A new connection from the address waits for its greeting too.
      const started = performance.now();
      const late = await ControlClient.connect(f.port);
      assert.equal((await late.reply(5000)).code, 220);
      assert.ok(performance.now() - started >= 790, 'the greeting waited');
      // The right password still works (slowly), pipelined before its replies came, in order;
      // then the session is served at full speed.
      late.send('USER alice');
      late.send('PASS right-password');
      assert.equal((await late.reply(5000)).code, 331);
      assert.equal((await late.reply(5000)).code, 230);
      const fast = await timed(late, 'PWD');
      assert.ok(fast.ms < 400, `a logged-in session is not slowed (${fast.ms} ms)`);
      late.close();
      raw.close();
      await waitNoSessions(f);
      await expectBackToBaseline(baseline, 'throttled sessions');
      assert.ok(!f.events.some((e) => e.type === 'error'));
    } finally {
      await f.close();
    }
  });

  test('the delay goes once the failures age out of the window', async () => {
    const f = await startServer({ username: 'a', password: 'b', loginFailureDelayMs: 0, addressLoginFailureLimit: 1, addressLoginFailureWindowMs: 800, addressThrottleDelayMs: 400 });
    try {
      const raw = await connectOnly(f.port);
      await raw.command('USER a');
      await raw.command('PASS wrong');
      const failedAt = performance.now();
      assert.ok((await timed(raw, 'NOOP')).ms >= 390, 'throttled right after the failure');
      raw.close();
      await new Promise((r) => setTimeout(r, Math.max(0, 850 - (performance.now() - failedAt))));
      const started = performance.now();
      const fresh = await ControlClient.connect(f.port);
      assert.equal((await fresh.reply()).code, 220);
      assert.ok(performance.now() - started < 300, 'no delay once the failure aged out');
      fresh.close();
    } finally {
      await f.close();
    }
  });

  test('another address is not slowed down by a throttled one', { skip: loopbackAliases }, async () => {
    const f = await startServer({ username: 'alice', password: 'pw', maxLoginFailures: 100, loginFailureDelayMs: 0, addressLoginFailureLimit: 2, addressThrottleDelayMs: 400 });
    try {
      const raw = await connectOnly(f.port);
      for (let i = 0; i < 3; i++) {
        await raw.command('USER alice');
        await raw.command('PASS wrong', 5000);
      }
      const other = await ControlClient.connect(f.port, { localAddress: '127.0.0.2' });
      const t0 = performance.now();
      assert.equal((await other.reply()).code, 220);
      assert.equal((await other.command('USER alice')).code, 331);
      assert.ok(performance.now() - t0 < 200);
      other.close();
      raw.close();
    } finally {
      await f.close();
    }
  });

  test('a client that hangs up while its reply waits leaves no timer behind', async () => {
    const f = await startServer({ maxLoginFailures: 100, loginFailureDelayMs: 0, addressLoginFailureLimit: 1, addressThrottleDelayMs: 20_000, username: 'a', password: 'b' });
    try {
      const baseline = await takeBaseline();
      const raw = await connectOnly(f.port);
      await raw.command('USER a');
      await raw.command('PASS wrong');
      raw.send('USER a'); // now waits 20 s
      await waitFor(() => f.events.filter((e) => e.type === 'command' && e.command === 'USER').length === 2, 'the second USER', 2000);
      raw.close();
      const late = await ControlClient.connect(f.port); // its greeting waits 20 s too
      late.close();
      await waitNoSessions(f);
      await expectBackToBaseline(baseline, 'throttled sessions that hung up', 2000);
    } finally {
      await f.close();
    }
  });

  test('ShareService: the throttle is a warn line; client control characters are escaped in every log line', async (t) => {
    const f = await startService(t, {
      settings: { access: { mode: 'password', username: TEST_USER, password: 'Kx8-a-long-test-password-77' } },
      service: { serverOverrides: { host: '127.0.0.1', port: 0, loginFailureDelayMs: 0, addressLoginFailureLimit: 2, addressThrottleDelayMs: 50 } },
    });
    const { port } = unwrap(await f.service.start());
    const raw = await connectOnly(port!);
    await raw.command('USER evil\x1b[2J\x00name\x7f\u202etxt.exe');
    await raw.command('PASS wrong');
    await raw.command(`USER ${TEST_USER}`);
    await raw.command('PASS wrong', 5000);
    await raw.command('SITE \x1b]0;pwned\x07 \x08\x08\x08', 5000).catch(() => undefined);
    raw.close();
    const logs = await waitFor(async () => {
      const entries = unwrap(await f.service.getLogs());
      return entries.some((e) => e.level === 'warn' && /2 failed logins from 127\.0\.0\.1 within 10 min/.test(e.text)) ? entries : undefined;
    }, 'the throttle warning');
    const warning = logs.find((e) => /failed logins from/.test(e.text))!;
    assert.equal(warning.level, 'warn');
    assert.match(warning.text, /replies now wait 0\.1 s until it logs in/);
    for (const entry of logs) {
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\x00-\x1f\x7f-\x9f\u202e]/.test(entry.text), `raw control character in ${JSON.stringify(entry.text)}`);
    }
    assert.ok(logs.some((e) => e.text.includes('Login failed for user "evil\\x1b[2J\\x00name\\x7f\\u202etxt.exe"')), 'escaped, not dropped');
  });

  test('no uncaught exception in this file', () => {
    crashes.dispose();
    assert.deepEqual(crashes.errors, []);
  });
});
