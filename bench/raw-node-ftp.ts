/**
 * The Node floor for per-file and per-login work: the least FTP a Node server can speak for
 * `ftpc many` and `ftpc logins`, in its own process, with none of our server's checks, events or
 * limits. What it still does is what any safe Node server must: one realpath per file (no symlink
 * may lead out of the root), a non-blocking open, fstat beside the first read (thread-pool calls:
 * the main loop may not block), a net.Socket per data connection, three replies per file.
 *
 *   raw-node-ftp.ts ROOT [SESSIONS]
 *
 * Listens on 127.0.0.1 (free port), prints `{"port":N}`, serves SESSIONS control connections
 * (default 1), then prints `{"cpuSeconds":S}`: the CPU of the whole process (all threads) from the
 * first connection to the last close, and exits. Understands USER, PASS, TYPE, PASV (one listener
 * per session, kept), RETR of files up to 256 KiB, and QUIT; anything else gets 502.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const [root, sessionsArg] = process.argv.slice(2);
if (!root) {
  process.stderr.write('usage: raw-node-ftp.ts ROOT [SESSIONS]\n');
  process.exit(2);
}
const sessions = Number(sessionsArg ?? 1);
const realRoot = fs.realpathSync(root);
const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
const chunk = Buffer.allocUnsafeSlow(256 * 1024);

let cpuAtStart: NodeJS.CpuUsage | undefined;
let closed = 0;

function serve(control: net.Socket): void {
  cpuAtStart ??= process.cpuUsage();
  let passive: net.Server | undefined;
  let waiting: ((data: net.Socket) => void) | undefined;
  let ready: net.Socket | undefined;
  let pending = '';
  const reply = (text: string): void => void control.write(text + '\r\n');

  const retrieve = (name: string): void => {
    const withData = (data: net.Socket): void => {
      fs.realpath.native(path.join(realRoot, name), (err, real) => {
        if (err || !real.startsWith(realRoot + path.sep)) return refuse(data);
        fs.open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW, (err2, fd) => {
          if (err2) return refuse(data);
          let size = -1;
          let bytes = -1;
          const both = (): void => {
            if (size < 0 || bytes < 0) return;
            reply(`150 Opening BINARY mode data connection for ${name} (${size} bytes)`);
            data.end(chunk.subarray(0, bytes), () => {
              reply('226 Transfer complete');
              fs.close(fd, () => undefined);
            });
          };
          fs.fstat(fd, (e, st) => {
            size = e || !st.isFile() ? 0 : st.size;
            both();
          });
          fs.read(fd, chunk, 0, chunk.length, 0, (e, n) => {
            bytes = e ? 0 : n;
            both();
          });
        });
      });
    };
    if (ready) {
      const data = ready;
      ready = undefined;
      withData(data);
    } else {
      waiting = withData;
    }
  };
  const refuse = (data: net.Socket): void => {
    data.destroy();
    reply('550 File not found');
  };

  const run = (line: string): void => {
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const argument = space < 0 ? '' : line.slice(space + 1);
    if (verb === 'USER') reply('331 Password please');
    else if (verb === 'PASS') reply('230 Logged in');
    else if (verb === 'TYPE') reply('200 Type set');
    else if (verb === 'PASV') {
      const answer = (): void => {
        const port = (passive!.address() as net.AddressInfo).port;
        reply(`227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255})`);
      };
      if (passive) return answer();
      passive = net.createServer({ noDelay: true }, (data) => {
        if (waiting) {
          const use = waiting;
          waiting = undefined;
          use(data);
        } else {
          ready = data;
        }
      });
      passive.listen(0, '127.0.0.1', answer);
    } else if (verb === 'RETR') retrieve(argument.replace(/^\/+/, ''));
    else if (verb === 'QUIT') {
      reply('221 Bye');
      control.end();
    } else reply('502 Not implemented');
  };

  control.setNoDelay(true);
  control.setEncoding('latin1');
  control.on('data', (text: string) => {
    pending += text;
    for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
      run(pending.slice(0, end));
      pending = pending.slice(end + 2);
    }
  });
  control.on('error', () => undefined);
  control.on('close', () => {
    passive?.close();
    if (++closed < sessions) return;
    const cpu = process.cpuUsage(cpuAtStart);
    process.stdout.write(JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n', () => process.exit(0));
  });
  reply('220 ready');
}

const server = net.createServer({ noDelay: true }, serve);
server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as net.AddressInfo).port }) + '\n');
});
// Bounded: the sessions come within five minutes, or give up.
setTimeout(() => process.exit(3), 300_000).unref();
