/**
 * Our web page's server for the web benchmark, in its own process: `node --import tsx
 * bench/web-server.ts ROOT` serves ROOT anonymously and writable on 127.0.0.1 (any free port) and
 * prints `{"type":"listening","port":N}`; stdin's `quit` ends it (bench/stats-channel.ts).
 */
import { WebServer } from '../core/http/web-server.js';
import { SimpleAuthorizer } from '../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../core/fs/physical.js';
import { serveStats } from './stats-channel.js';

const [root] = process.argv.slice(2);
if (!root) {
  process.stderr.write('usage: web-server.ts ROOT\n');
  process.exit(2);
}
const server = new WebServer({
  authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root }) }),
  host: '127.0.0.1',
  port: 0,
  // nginx is given limits far above the workloads; ours gets the same.
  maxConnections: 4000,
  maxConnectionsPerIp: 4000,
});
const info = await server.start();
process.stdout.write(`${JSON.stringify({ type: 'listening', port: info.port })}\n`);
serveStats(() => server.stop());
