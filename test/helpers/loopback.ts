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
