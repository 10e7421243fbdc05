/**
 * The servers under benchmark, each started in its own process on 127.0.0.1 with its own fresh
 * root folder: ours (through the library, bench/our-server.ts), vsftpd and pyftpdlib (Debian),
 * ftp-srv (npm). Each serves anonymous logins with write access, and explicit FTPS with the same
 * certificate, allowed but not required.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { JsonLines, killTree, spawnTracked } from './process.js';

/** `ours@LABEL` is our server from another checkout (`--alt LABEL=DIR`), to measure a change. */
export type ServerName = 'ours' | 'vsftpd' | 'pyftpdlib' | 'ftp-srv' | `ours@${string}`;
export const SERVER_NAMES: readonly ServerName[] = ['ours', 'vsftpd', 'pyftpdlib', 'ftp-srv'];
export const PEERS: readonly ServerName[] = ['vsftpd', 'pyftpdlib', 'ftp-srv'];

/** Debian's python, which has python3-pyftpdlib (a `python3` on PATH may be a pyenv one without it). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const VSFTPD = '/usr/sbin/vsftpd';

/** A running server. */
export interface Server {
  name: ServerName;
  port: number;
  root: string;
  pid: number;
  /** Whether it implements MLSD (vsftpd and ftp-srv do not). */
  mlsd: boolean;
  /** The Node servers' stdin channel (bench/stats-channel.ts); absent for vsftpd and pyftpdlib. */
  ask?(command: 'stats' | 'eld-reset' | 'gc'): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface ServerSetup {
  /** Repository root (cwd for the Node servers, so `--import tsx` resolves). */
  repo: string;
  /** A folder of this server's own for config files and logs. */
  dir: string;
  root: string;
  cert: string;
  key: string;
  /** When set, our server runs with `--cpu-prof` and writes its profile here on stop. */
  profileDir?: string;
  /** For `ours@LABEL`: the checkout whose bench/our-server.ts (and core/) to run. */
  checkout?: string;
  /** For `ours@LABEL`: its index among the variants (0 to 4). */
  variant?: number;
  /** Ours only: no passive port range, so every PASV binds port 0 (the library's default). */
  anyPassivePort?: boolean;
}

/** Distinct passive port ranges (below the ephemeral range) so the servers never collide. */
const PASSIVE = {
  ours: { min: 2000, max: 9999 },
  vsftpd: { min: 10000, max: 17999 },
  pyftpdlib: { min: 18000, max: 25999 },
  'ftp-srv': { min: 26000, max: 32000 },
} as const;

export async function startServer(name: ServerName, setup: ServerSetup): Promise<Server> {
  if (name.startsWith('ours@')) {
    const checkout = setup.checkout!;
    // Each variant gets its own slice of the ours range, so they never compete for ports.
    return startNode(name, { ...setup, repo: checkout }, [path.join(checkout, 'bench/our-server.ts'), setup.root, setup.cert, setup.key, ...oursRange(setup, 1 + (setup.variant ?? 0))], true);
  }
  switch (name) {
    case 'ours':
      return startNode(name, setup, [
        ...(setup.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${setup.profileDir}`] : []),
        'bench/our-server.ts',
        setup.root,
        setup.cert,
        setup.key,
        ...oursRange(setup, 0),
      ], true);
    case 'ftp-srv':
      return startNode(name, setup, [
        'bench/peers/ftp-srv-server.ts',
        setup.root,
        setup.cert,
        setup.key,
        String(PASSIVE['ftp-srv'].min),
        String(PASSIVE['ftp-srv'].max),
      ], false);
    case 'pyftpdlib':
      return startPyftpdlib(setup);
    case 'vsftpd':
      return startVsftpd(setup);
    default:
      throw new Error(`unknown server ${name}`);
  }
}

/** A passive range for ours (like the peers get), split in six: ours and up to five variants. */
function oursRange(setup: ServerSetup, slot: number): string[] {
  if (setup.anyPassivePort) return [];
  const size = Math.floor((PASSIVE.ours.max - PASSIVE.ours.min + 1) / 6);
  const min = PASSIVE.ours.min + (slot % 6) * size;
  return [`${min}-${min + size - 1}`];
}

async function startNode(name: ServerName, setup: ServerSetup, args: string[], mlsd: boolean): Promise<Server> {
  const child = spawnTracked(process.execPath, ['--expose-gc', '--import', 'tsx', ...args], { cwd: setup.repo });
  const out = new JsonLines(child);
  const listening = await out.next((o) => o.type === 'listening', 30_000, `${name} start`);
  let queue = Promise.resolve<unknown>(undefined);
  const ask = (command: 'stats' | 'eld-reset' | 'gc' | 'quit', timeoutMs = 10_000) => {
    // One command at a time, so each answer is matched to its question.
    const result = queue.then(() => {
      child.stdin!.write(command + '\n');
      return out.next((o) => o.type === command, timeoutMs, `${name} ${command}`);
    });
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    name,
    port: Number(listening.port),
    root: setup.root,
    pid: child.pid!,
    mlsd,
    ask: (command) => ask(command),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask('quit', 8000).catch(() => undefined);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) killTree(child.pid);
    },
  };
}

async function startPyftpdlib(setup: ServerSetup): Promise<Server> {
  const script = path.join(setup.repo, 'bench/peers/pyftpd-server.py');
  const range = PASSIVE.pyftpdlib;
  const child = spawnTracked(DEBIAN_PYTHON, [script, setup.root, setup.cert, setup.key, String(range.min), String(range.max)]);
  const out = new JsonLines(child);
  const listening = await out.next((o) => o.type === 'listening', 30_000, 'pyftpdlib start');
  return {
    name: 'pyftpdlib',
    port: Number(listening.port),
    root: setup.root,
    pid: child.pid!,
    mlsd: true,
    stop: () => stopChild(child.pid!, () => child.exitCode !== null || child.signalCode !== null),
  };
}

async function startVsftpd(setup: ServerSetup): Promise<Server> {
  const port = await freePort();
  const range = PASSIVE.vsftpd;
  // vsftpd chroots into secure_chroot_dir in its unprivileged parts; Debian ships it, make sure.
  fs.mkdirSync('/var/run/vsftpd/empty', { recursive: true });
  const config = [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'background=NO',
    'anonymous_enable=YES',
    'local_enable=NO',
    `anon_root=${setup.root}`,
    'no_anon_password=YES',
    'write_enable=YES',
    'anon_upload_enable=YES',
    'anon_mkdir_write_enable=YES',
    'anon_other_write_enable=YES',
    'anon_umask=022',
    'allow_writeable_chroot=YES',
    'pasv_enable=YES',
    `pasv_min_port=${range.min}`,
    `pasv_max_port=${range.max}`,
    'port_enable=YES',
    'seccomp_sandbox=NO',
    'secure_chroot_dir=/var/run/vsftpd/empty',
    'max_clients=4000',
    'max_per_ip=4000',
    'xferlog_enable=NO',
    'dirmessage_enable=NO',
    'idle_session_timeout=600',
    'data_connection_timeout=300',
    'ssl_enable=YES',
    'allow_anon_ssl=YES',
    'force_local_logins_ssl=NO',
    'force_local_data_ssl=NO',
    'force_anon_logins_ssl=NO',
    'force_anon_data_ssl=NO',
    'require_ssl_reuse=NO',
    'ssl_ciphers=HIGH',
    `rsa_cert_file=${setup.cert}`,
    `rsa_private_key_file=${setup.key}`,
    `vsftpd_log_file=${path.join(setup.dir, 'vsftpd.log')}`,
  ];
  const file = path.join(setup.dir, 'vsftpd.conf');
  fs.writeFileSync(file, config.join('\n') + '\n', { mode: 0o600 });
  const child = spawnTracked(VSFTPD, [file]);
  const out = new JsonLines(child); // collects its error text, if any
  await waitForGreeting(port, 10_000, () => (child.exitCode !== null ? `vsftpd exited${out.tail()}` : undefined));
  return {
    name: 'vsftpd',
    port,
    root: setup.root,
    pid: child.pid!,
    mlsd: false,
    stop: () => stopChild(child.pid!, () => child.exitCode !== null || child.signalCode !== null),
  };
}

async function stopChild(pid: number, exited: () => boolean): Promise<void> {
  killTree(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while (!exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  killTree(pid, 'SIGKILL');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the port answers with a 220 greeting. */
async function waitForGreeting(port: number, timeoutMs: number, failure: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = failure();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      const timer = setTimeout(() => (socket.destroy(), resolve(false)), 1000);
      socket.once('data', (chunk) => {
        clearTimeout(timer);
        socket.end('QUIT\r\n');
        resolve(chunk.toString().startsWith('220'));
      });
      socket.once('error', () => (clearTimeout(timer), resolve(false)));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no greeting on port ${port} within ${timeoutMs} ms`);
}

/** Versions for the report. */
export function versions(repo: string): Record<string, string> {
  const read = (f: () => string) => {
    try {
      return f().trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    ours: read(() => JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version as string),
    node: process.version,
    vsftpd: read(() => execFileSync('dpkg-query', ['-W', '-f=${Version}', 'vsftpd'], { encoding: 'utf8' })),
    pyftpdlib: read(() => execFileSync(DEBIAN_PYTHON, ['-c', 'import pyftpdlib; print(pyftpdlib.__ver__)'], { encoding: 'utf8' })),
    'ftp-srv': read(() => JSON.parse(fs.readFileSync(path.join(repo, 'node_modules/ftp-srv/package.json'), 'utf8')).version as string),
    python: read(() => execFileSync(DEBIAN_PYTHON, ['--version'], { encoding: 'utf8' })),
  };
}

/** Which peers can run here, installing the Debian ones when we are root with apt. */
export function ensurePeers(log: (line: string) => void): { available: Set<ServerName>; notes: string[] } {
  const notes: string[] = [];
  const haveVsftpd = () => fs.existsSync(VSFTPD);
  const havePyftpdlib = () => {
    try {
      execFileSync(DEBIAN_PYTHON, ['-c', 'import pyftpdlib, OpenSSL'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const root = process.getuid?.() === 0;
  if (!haveVsftpd() || !havePyftpdlib()) {
    const apt = fs.existsSync('/usr/bin/apt-get');
    const packages = ['vsftpd', 'python3-pyftpdlib', 'python3-openssl'];
    if (root && apt) {
      log(`installing ${packages.join(' ')} with apt-get…`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      try {
        execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'ignore', env, timeout: 300_000 });
      } catch {
        execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
        execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'ignore', env, timeout: 300_000 });
      }
    } else {
      notes.push(`peers missing: run \`sudo apt-get install -y ${packages.join(' ')}\` (Debian/Ubuntu), then the bench again`);
    }
  }
  const available = new Set<ServerName>(['ours', 'ftp-srv']);
  if (haveVsftpd() && root) available.add('vsftpd');
  else if (haveVsftpd()) notes.push('vsftpd skipped: it must be started as root (it chroots and drops to the ftp user)');
  if (havePyftpdlib()) available.add('pyftpdlib');
  return { available, notes };
}
