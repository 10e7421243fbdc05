/**
 * Finding a free port by binding it, the only reliable test (another program may hold a port on
 * one address family only, and the OS's view is what counts).
 */
import net from 'node:net';
import { listen } from '../net/listen.js';

/** How many ports {@link findFreePort} tries before giving up. */
export const FREE_PORT_ATTEMPTS = 500;

/**
 * Tries to listen on `port` as the FTP server would (all interfaces, IPv4 and IPv6 on one socket,
 * falling back to IPv4 without IPv6), then closes. Resolves whether it worked.
 */
export function canBind(port: number, host?: string): Promise<boolean> {
  return tryListen(port, host ?? '::').then((result) => {
    if (result === 'no-ipv6' && host === undefined) return tryListen(port, '0.0.0.0').then((r) => r === 'ok');
    return result === 'ok';
  });
}

async function tryListen(port: number, host: string): Promise<'ok' | 'busy' | 'no-ipv6'> {
  const server = net.createServer();
  server.unref();
  try {
    await listen(server, { port, host, ipv6Only: false, exclusive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EAFNOSUPPORT' || (code === 'EADDRNOTAVAIL' && host === '::') ? 'no-ipv6' : 'busy';
  }
  await new Promise((resolve) => server.close(resolve));
  return 'ok';
}

/**
 * The first port from `from` upwards (at most {@link FREE_PORT_ATTEMPTS} tries, never past 65535)
 * that can be bound, skipping `exclude` (the passive range). Undefined when none is.
 */
export async function findFreePort(
  from: number,
  options: { host?: string; exclude?: { min: number; max: number } } = {},
): Promise<number | undefined> {
  let tried = 0;
  for (let port = Math.max(1, from); port <= 65535 && tried < FREE_PORT_ATTEMPTS; port++) {
    if (options.exclude && port >= options.exclude.min && port <= options.exclude.max) continue;
    tried++;
    if (await canBind(port, options.host)) return port;
  }
  return undefined;
}
