/**
 * A server for the namespace tests, run inside the server namespace:
 *
 *   ip netns exec NS node --import tsx test/soak/ns-server.ts ROOT [--host A] [--port N]
 *     [--ftps explicit] [--idle MS] [--stall MS] [--data-timeout MS]
 *
 * Prints one JSON object per event on stdout (the first is `listening`), like `ftp-share --json`,
 * but with the short timeouts the CLI doesn't offer, so a cut cable is noticed within seconds.
 * SIGTERM stops it.
 */
import { parseArgs } from 'node:util';
import { FtpServer } from '../../core/ftp/server.js';
import type { ServerEventName } from '../../core/ftp/events.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { generateCertificate } from '../../core/tls/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '0' },
    ftps: { type: 'string' },
    idle: { type: 'string', default: '300000' },
    stall: { type: 'string', default: '120000' },
    'data-timeout': { type: 'string', default: '30000' },
  },
});
const root = positionals[0];
if (!root) throw new Error('usage: ns-server.ts ROOT [options]');

const print = (object: Record<string, unknown>) => process.stdout.write(JSON.stringify(object) + '\n');
const tls = values.ftps
  ? { mode: values.ftps as 'explicit' | 'implicit', ...(await generateCertificate({ ipAddresses: [values.host === '0.0.0.0' ? '10.200.0.1' : values.host!] })) }
  : undefined;
const server = new FtpServer({
  authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root }) }),
  host: values.host!,
  port: Number(values.port),
  idleTimeoutMs: Number(values.idle),
  dataStallTimeoutMs: Number(values.stall),
  dataConnectionTimeoutMs: Number(values['data-timeout']),
  ...(tls ? { tls: { mode: tls.mode, cert: tls.cert, key: tls.key } } : {}),
});
const events: ServerEventName[] = ['error', 'warning', 'session-opened', 'session-closed', 'transfer-started', 'transfer-completed', 'transfer-failed', 'command'];
for (const event of events) server.on(event, (payload) => print({ type: event, time: Date.now(), ...payload }));
const info = await server.start();
print({ type: 'listening', port: info.port });
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
