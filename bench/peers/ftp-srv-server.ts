/**
 * ftp-srv (npm) for the benchmark: `node --expose-gc --import tsx bench/peers/ftp-srv-server.ts
 * ROOT CERT KEY PASV_MIN PASV_MAX`. Anonymous login rooted at ROOT, explicit FTPS allowed, logging
 * off; prints `{"type":"listening","port":N}` and answers the same stdin commands as our server.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { FtpSrv } from 'ftp-srv';
import { serveStats } from '../stats-channel.js';

const require = createRequire(import.meta.url);
// bunyan comes with ftp-srv; a logger at "fatal" keeps it from printing a line per command.
const bunyan = require('bunyan') as { createLogger(options: { name: string; level: string }): unknown };

const [root, certFile, keyFile, pasvMin, pasvMax] = process.argv.slice(2);
if (!root || !certFile || !keyFile || !pasvMin || !pasvMax) {
  process.stderr.write('usage: ftp-srv-server.ts ROOT CERT KEY PASV_MIN PASV_MAX\n');
  process.exit(2);
}

const server = new FtpSrv({
  url: 'ftp://127.0.0.1:0',
  pasv_url: '127.0.0.1',
  pasv_min: Number(pasvMin),
  pasv_max: Number(pasvMax),
  anonymous: true,
  greeting: 'ftp-srv ready',
  tls: { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') },
  log: bunyan.createLogger({ name: 'ftp-srv', level: 'fatal' }),
});
server.on('login', (_data, resolve) => resolve({ root }));

await server.listen();
const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
process.stdout.write(JSON.stringify({ type: 'listening', port: address.port }) + '\n');
serveStats(async () => {
  await server.close();
});
