/**
 * Which ports PASV/EPSV listen on: random ports of the dynamic range on Linux when no range is
 * configured (not port 0, whose kernel search slows down with many sockets in TIME_WAIT), ports
 * of a configured range with busy ones skipped, never a port another service listens on, and 425
 * when the whole range is taken.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import { defaults } from '../../core/defaults.js';
import { startServer } from '../helpers/server-fixture.js';
import { connectAndLogin, downloadOk, epsvPort } from '../helpers/ftp-flows.js';
import { freePortRange } from '../helpers/loopback.js';

/** Listens on `port` of every interface (a wildcard listener, as another service would). */
function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port, host: '0.0.0.0' }, () => resolve(server));
  });
}

describe('passive ports', () => {
  test('without a range, Linux listens on random ports of the dynamic range', async (t) => {
    if (process.platform !== 'linux') return t.skip('port 0 elsewhere');
    // When the kernel's own ephemeral range lies inside the dynamic one, port 0 would pass too.
    const [low] = (await fs.readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (low! >= defaults.dynamicPassivePorts.min) return t.skip('ephemeral ports lie inside the dynamic range');
    const f = await startServer({ files: { 'a.txt': 'any port' } });
    try {
      const raw = await connectAndLogin(f.port);
      const ports = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const port = i % 2 === 0 ? (await raw.pasv()).port : epsvPort(await raw.command('EPSV'));
        const { min, max } = defaults.dynamicPassivePorts;
        assert.ok(port >= min && port <= max, `port ${port} outside ${min}-${max}`);
        ports.add(port);
      }
      assert.ok(ports.size > 1, 'the ports are picked at random');
      assert.equal((await downloadOk(raw, 'RETR a.txt')).toString(), 'any port');
      raw.close();
    } finally {
      await f.close();
    }
  });

  test('busy ports of a range are skipped, and a range with none free gets 425', async (t) => {
    if (process.platform !== 'linux') return t.skip('binding a specific address beside a wildcard listener is allowed elsewhere');
    const base = await freePortRange(3);
    const others = [await occupy(base), await occupy(base + 1)];
    const f = await startServer({ passivePorts: { min: base, max: base + 2 }, files: { 'a.txt': 'range' } });
    try {
      const raw = await connectAndLogin(f.port);
      for (let i = 0; i < 4; i++) assert.equal((await raw.pasv()).port, base + 2);
      assert.equal((await downloadOk(raw, 'RETR a.txt')).toString(), 'range');
      others.push(await occupy(base + 2));
      const refused = await raw.command('PASV');
      assert.equal(refused.code, 425, refused.text);
      assert.match(refused.text, /no free passive port/);
      assert.equal((await raw.command('EPSV')).code, 425);
      raw.close();
    } finally {
      await f.close();
      for (const other of others) other.close();
    }
  });
});
