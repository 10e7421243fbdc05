/**
 * Which ports PASV/EPSV listen on: random ports of the dynamic range on Linux when no range is
 * configured (not port 0, whose kernel search slows down with many sockets in TIME_WAIT), ports
 * of a configured range with busy ones skipped, never a port another service listens on or
 * another session has armed, and 425 when the whole range is taken.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { defaults } from '../../core/defaults.js';
import { startServer } from '../helpers/server-fixture.js';
import { collectData, connectAndLogin, downloadOk, epsvPort } from '../helpers/ftp-flows.js';
import { freePortRange, occupy } from '../helpers/loopback.js';
import { waitFor } from '../helpers/wait.js';

describe('passive ports', () => {
  test('without a range, Linux listens on random ports of the dynamic range', async (t) => {
    if (process.platform !== 'linux') return t.skip('port 0 elsewhere');
    // When the kernel's own ephemeral range lies inside the dynamic one, port 0 would pass too.
    const [low] = (await fs.readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (low! >= defaults.dynamicPassivePorts.min) return t.skip('ephemeral ports lie inside the dynamic range');
    const f = await startServer({ files: { 'a.txt': 'any port' } });
    const sessions = [];
    try {
      // Each session binds once and keeps its port, so the randomness shows across sessions.
      const ports = new Set<number>();
      for (let i = 0; i < 10; i++) {
        const raw = await connectAndLogin(f.port);
        sessions.push(raw);
        const port = i % 2 === 0 ? (await raw.pasv()).port : epsvPort(await raw.command('EPSV'));
        const { min, max } = defaults.dynamicPassivePorts;
        assert.ok(port >= min && port <= max, `port ${port} outside ${min}-${max}`);
        ports.add(port);
      }
      assert.ok(ports.size > 1, 'the ports are picked at random');
      assert.equal((await downloadOk(sessions[0]!, 'RETR a.txt')).toString(), 'any port');
    } finally {
      for (const raw of sessions) raw.close();
      await f.close();
    }
  });

  test('busy ports of a range are skipped, and a range with none free gets 425', async (t) => {
    if (process.platform !== 'linux') return t.skip('binding a specific address beside a wildcard listener is allowed elsewhere');
    const base = await freePortRange(3);
    const others = [await occupy(base), await occupy(base + 1)];
    const f = await startServer({ passivePorts: { min: base, max: base + 2 }, files: { 'a.txt': 'range' } });
    try {
      const first = await connectAndLogin(f.port);
      for (let i = 0; i < 4; i++) assert.equal((await first.pasv()).port, base + 2);
      assert.equal((await downloadOk(first, 'RETR a.txt')).toString(), 'range');
      // The first session's listener is unarmed now: a second session takes its port over, and
      // while the second has it armed, the first has no free port left.
      const second = await connectAndLogin(f.port);
      assert.equal((await second.pasv()).port, base + 2);
      const refused = await first.command('PASV');
      assert.equal(refused.code, 425, refused.text);
      assert.match(refused.text, /no free passive port/);
      assert.equal((await first.command('EPSV')).code, 425);
      // The armed listener was not taken: the second session's transfer uses it.
      const data = collectData(base + 2);
      assert.equal((await second.command('RETR a.txt')).code, 150);
      assert.equal((await data.done).toString(), 'range');
      assert.equal((await second.reply()).code, 226);
      // Once both sessions end, their listener is closed: another service can take the port,
      // and a PASV then finds none free (an outside listener is never taken over).
      first.close();
      second.close();
      others.push(await waitFor(() => occupy(base + 2).catch(() => undefined), 'the sessions to release the port'));
      const third = await connectAndLogin(f.port);
      const refusedAgain = await third.command('PASV');
      assert.equal(refusedAgain.code, 425, refusedAgain.text);
      assert.match(refusedAgain.text, /no free passive port/);
      assert.equal((await third.command('EPSV')).code, 425);
      third.close();
    } finally {
      await f.close();
      for (const other of others) other.close();
    }
  });
});
