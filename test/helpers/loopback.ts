/**
 * What this machine's loopback offers, for tests to skip what it can't do.
 */
import net from 'node:net';

/** Skip reason unless 127.0.0.2 answers: Linux answers on all of 127.0.0.0/8, macOS and Windows only on 127.0.0.1. */
export const loopbackAliases = process.platform === 'linux' ? false : 'needs 127.0.0.2 (Linux loopback)';

/** True when this machine can bind ::1. */
export async function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port: 0, host: '::1' }, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive ports that nothing listens on now, below the kernel's ephemeral range
 * (Linux: 32768 and up, elsewhere 49152 and up), so no other test's outgoing connection or
 * `listen(0)` can take one of them before the test binds it. Bounded: 50 random tries.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    const taken: net.Server[] = [];
    try {
      for (let port = base; port < base + count; port++) taken.push(await occupy(port));
      return base;
    } catch {
      // One of them is in use: try another base.
    } finally {
      await Promise.all(taken.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  }
  throw new Error(`no ${count} consecutive free ports found in 50 tries`);
}

/** Listens on `port` of every interface (a wildcard listener, as another service would). */
export function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port, host: '0.0.0.0' }, () => resolve(server));
  });
}
