/**
 * The Node limit: the same bytes over a bare Node socket, no FTP, in its own process.
 *
 *   raw-node.ts send FILE | recv OUTFILE | tls-send FILE CERT KEY | tls-recv OUTFILE CERT KEY  [--heap-mb=N]
 *
 * Listens on 127.0.0.1 (free port), prints `{"port":N}`, serves one connection and exits.
 * `send` pipes a file read stream into the socket (what a RETR does); `recv` pipes the socket into
 * a file write stream (what a STOR does). Buffers are core/defaults.ts's `streamHighWaterMark`,
 * and the TLS variants use core's TLS policy, so the cipher is the one our server negotiates.
 *
 * `--heap-mb=N` first fills the V8 heap to about N MB with live objects, then waits 2 s before it
 * listens. A process whose heap is over 8 MB and that is past its first second (a server that has
 * run for a while, any Electron main process) has V8 start incremental marking after the scavenge
 * that every 32 MB of socket buffers trigger: a mark-compact per 32 MB received. A fresh process,
 * or one with a smaller heap, never pays it; this puts the bare socket in the state of an app.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { pipeline } from 'node:stream/promises';
import { defaults } from '../core/defaults.js';
import { buildSecureContextOptions } from '../core/tls/tls-policy.js';

const heapFlag = process.argv.find((arg) => arg.startsWith('--heap-mb='));
const [mode, file, certFile, keyFile] = process.argv.slice(2).filter((arg) => arg !== heapFlag);
if (!mode || !file) {
  process.stderr.write('usage: raw-node.ts send|recv|tls-send|tls-recv FILE [CERT KEY] [--heap-mb=N]\n');
  process.exit(2);
}
const secure = mode.startsWith('tls-');
const sending = mode.endsWith('send');

/** Live objects the transfer never touches: they only make the heap as large as the server's. */
const ballast: Array<{ index: number; text: string }> = [];
const heapTarget = heapFlag ? Number(heapFlag.slice('--heap-mb='.length)) * 1e6 : 0;
for (let round = 0; round < 10_000 && process.memoryUsage().heapUsed < heapTarget; round++) {
  for (let i = 0; i < 1000; i++) ballast.push({ index: i, text: `ballast ${round}.${i}` });
}

async function serve(socket: net.Socket): Promise<void> {
  socket.setNoDelay(true);
  if (sending) {
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    await pipeline(fs.createReadStream(file!, { highWaterMark: defaults.streamHighWaterMark }), socket);
    // Exit only once the client has read everything and closed (an early exit could reset).
    socket.resume();
    await closed;
  } else {
    await pipeline(socket, fs.createWriteStream(file!, { highWaterMark: defaults.streamHighWaterMark }));
    socket.destroy();
  }
}

let server: net.Server;
const done = (socket: net.Socket) => {
  server.close();
  const cpuAtStart = process.cpuUsage(); // the transfer's CPU only, not Node's start-up
  serve(socket).then(
    () => {
      // CPU of the whole process (all threads), for the bench's CPU-per-GB rows.
      const cpu = process.cpuUsage(cpuAtStart);
      // Reading the ballast here also keeps it alive until the end.
      const heapMb = process.memoryUsage().heapUsed / 1e6;
      process.stdout.write(JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, heapMb, ballastObjects: ballast.length }) + '\n', () => process.exit(0));
    },
    (err: Error) => {
      process.stderr.write(`raw-node: ${err.message}\n`);
      process.exit(1);
    },
  );
};
if (secure) {
  const options = buildSecureContextOptions({ cert: fs.readFileSync(certFile!, 'utf8'), key: fs.readFileSync(keyFile!, 'utf8') });
  server = tls.createServer(options.contextOptions, done);
} else {
  server = net.createServer(done);
}
// Measured: connecting 0.5 s after start, 1 mark-compact per GiB; after 1.5 s or more, 24–30.
if (heapTarget > 0) await new Promise((resolve) => setTimeout(resolve, 2000));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as net.AddressInfo).port }) + '\n');
});
// Bounded: one connection within a minute, or give up.
setTimeout(() => process.exit(3), 300_000).unref();
