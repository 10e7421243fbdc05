import net from 'node:net';
import tls from 'node:tls';

/**
 * Counts the TLS session tickets a server context sends on a fresh TLS 1.3 handshake, measured
 * over a loopback connection to itself. The data channel must send none (see
 * createDataSecureContext); whether the TLS library honours that can only be known by asking it:
 * Node's OpenSSL does, Electron's BoringSSL may not.
 */
export async function countFreshTickets(context: tls.SecureContext, timeoutMs = 3000): Promise<number> {
  const server = net.createServer((raw) => {
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
    secure.on('error', () => secure.destroy());
    secure.once('secure', () => secure.end('x'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  try {
    return await new Promise<number>((resolve, reject) => {
      let tickets = 0;
      const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
      const timer = setTimeout(() => {
        client.destroy();
        reject(new Error('TLS ticket probe timed out'));
      }, timeoutMs);
      client.on('session', () => tickets++);
      // Node reports tickets asynchronously; by the server's close they have all been counted.
      client.resume();
      client.once('close', () => {
        clearTimeout(timer);
        resolve(tickets);
      });
      client.once('error', (err) => {
        clearTimeout(timer);
        client.destroy();
        reject(err);
      });
    });
  } finally {
    server.close();
  }
}
