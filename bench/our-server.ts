/**
 * Our server for the benchmark, in its own process so its CPU, memory and event loop are its own.
 *
 * `node --expose-gc --import tsx bench/our-server.ts ROOT CERT KEY [PASV_MIN-PASV_MAX]` listens on
 * 127.0.0.1 (any free port), explicit FTPS allowed but not required, anonymous login, passive ports
 * from the range when given (else any free port, the library's default), and prints
 * `{"type":"listening","port":N}`. Commands on stdin, one per line, each answered with one JSON
 * line on stdout (see bench/stats-channel.ts).
 */
import fs from 'node:fs';
import { FtpServer, SimpleAuthorizer, PhysicalFileSystem } from '../core/index.js';
import { serveStats } from './stats-channel.js';

const [root, certFile, keyFile, passive] = process.argv.slice(2);
if (!root || !certFile || !keyFile) {
  process.stderr.write('usage: our-server.ts ROOT CERT KEY [PASV_MIN-PASV_MAX]\n');
  process.exit(2);
}
const range = passive ? /^(\d+)-(\d+)$/.exec(passive) : null;

const fileSystem = new PhysicalFileSystem({ root });
const server = new FtpServer({
  authorizer: new SimpleAuthorizer({ fs: fileSystem }),
  host: '127.0.0.1',
  port: 0,
  // The peers are configured with limits far above the workloads; ours gets the same.
  maxConnections: 4000,
  maxConnectionsPerIp: 4000,
  ...(range ? { passivePorts: { min: Number(range[1]), max: Number(range[2]) } } : {}),
  tls: { mode: 'explicit', cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') },
});
server.on('error', (e) => process.stderr.write(`server error: ${e.code} ${e.message}\n`));

const info = await server.start();
process.stdout.write(JSON.stringify({ type: 'listening', port: info.port }) + '\n');
serveStats(async () => {
  await server.stop();
});
