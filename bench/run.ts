/**
 * `npm run bench` (issue 7): our FTP/FTPS server against vsftpd, pyftpdlib and ftp-srv, and
 * against the raw-socket limits of this machine, with one client (bench/ftpc.c) for every server.
 *
 *   npm run bench [-- --quick] [--servers ours,vsftpd] [--workloads retr,many] [--reps N]
 *                 [--profile] [--alt LABEL=DIR]
 *
 * `--alt LABEL=DIR` adds a column `ours@LABEL`: our server run from another checkout DIR (with its
 * own core/ and bench/our-server.ts, node_modules linked), to measure a change to core/ in the same
 * run as the unchanged server. Ours gets a passive port range as the peers do; with
 * `--any-passive-port` it binds port 0 for every PASV instead (the library's default).
 *
 * Each server runs in its own process on 127.0.0.1 with a fresh temporary root; the workloads run
 * one after another, and within each the servers take turns (rotating the order every repetition)
 * so drift of the machine hits all alike. The table goes to stdout and the JSON to
 * bench/results/<timestamp>.json. See bench/README.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { generateCertificate } from '../core/tls/index.js';
import { CpuSampler, JsonLines, killAllNow, runJson, spawnTracked, stopAll, treeMemory } from './lib/process.js';
import { SERVER_NAMES, ensurePeers, startServer, versions, type Server, type ServerName } from './lib/servers.js';
import { addLimit, addSample, checkTargets, newRow, table, targetsText, type Row } from './lib/report.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    servers: { type: 'string' },
    workloads: { type: 'string' },
    reps: { type: 'string' },
    profile: { type: 'boolean', default: false },
    alt: { type: 'string', multiple: true },
    'any-passive-port': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'npm run bench -- [--quick] [--servers ours,vsftpd,pyftpdlib,ftp-srv] [--workloads LIST] [--reps N] [--profile] [--alt LABEL=DIR] [--any-passive-port]\n' +
      'workloads: cert,logins,idle,many,list,retr,stor,retr-tls,stor-tls,conc,web (the web page against nginx: bench/web.ts)\n',
  );
  process.exit(0);
}

const quick = flags.quick;
const sizes = quick
  ? { transfer: 128 * MiB, files: 200, fileBytes: 4096, entries: 1000, sessions: 20, sessionBytes: 4 * MiB, logins: 50, idle: 50, reps: 1, smallReps: 1, listReps: 3, certReps: 5 }
  : { transfer: 1024 * MiB, files: 2000, fileBytes: 4096, entries: 10_000, sessions: 100, sessionBytes: 16 * MiB, logins: 300, idle: 500, reps: 5, smallReps: 2, listReps: 5, certReps: 20 };
if (flags.reps) sizes.reps = sizes.smallReps = Math.max(1, Math.min(10, Number(flags.reps) || 1));

/** The limit column's name for bench/raw-node-ftp.ts. */
const NODE_FTP_FLOOR = 'bare Node FTP';
const ALL_WORKLOADS = ['cert', 'idle', 'logins', 'many', 'list', 'retr', 'stor', 'retr-tls', 'stor-tls', 'conc', 'web'] as const;
type Workload = (typeof ALL_WORKLOADS)[number];
const workloads = new Set<Workload>(
  flags.workloads ? (flags.workloads.split(',').filter((w) => (ALL_WORKLOADS as readonly string[]).includes(w)) as Workload[]) : ALL_WORKLOADS,
);

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sizeLabel = (bytes: number) => (bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`);
const count = (n: number) => n.toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- cleanup, whatever happens ----
let base: string | undefined;
let cleaning: Promise<void> | undefined;
const running = new Map<ServerName, Server>();
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...running.values()].map((s) => s.stop().catch(() => undefined)));
    await stopAll();
    if (base) fs.rmSync(base, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping servers and removing temporary files…`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  killAllNow();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

// ---- setup ----
function compileClient(dir: string): string {
  const out = path.join(dir, 'ftpc');
  execFileSync('cc', ['-O2', '-o', out, path.join(repo, 'bench/ftpc.c'), '-lpthread', '-l:libssl.so.3', '-l:libcrypto.so.3'], { stdio: 'inherit' });
  return out;
}

/** Writes `bytes` of random data (a random 1 MiB block repeated: incompressible enough for FTP). */
function writeBigFile(file: string, bytes: number): void {
  const block = randomFillSync(Buffer.alloc(MiB));
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    for (let written = 0; written < bytes; written += MiB) fs.writeSync(fd, block, 0, Math.min(MiB, bytes - written));
  } finally {
    fs.closeSync(fd);
  }
}

function prepareRoot(root: string, master: string): void {
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  fs.chmodSync(root, 0o755);
  // Hard links: every server reads the same inode, hence the same cached pages.
  fs.linkSync(path.join(master, 'big.bin'), path.join(root, 'big.bin'));
  fs.linkSync(path.join(master, 'session.bin'), path.join(root, 'session.bin'));
  const small = randomFillSync(Buffer.alloc(sizes.fileBytes));
  fs.mkdirSync(path.join(root, 'many'), { mode: 0o755 });
  for (let i = 0; i < sizes.files; i++) fs.writeFileSync(path.join(root, 'many', `f${String(i).padStart(5, '0')}`), small, { mode: 0o644 });
  fs.mkdirSync(path.join(root, 'list'), { mode: 0o755 });
  for (let i = 0; i < sizes.entries; i++) fs.writeFileSync(path.join(root, 'list', `entry-${String(i).padStart(6, '0')}.txt`), 'x', { mode: 0o644 });
  // vsftpd's anonymous user (ftp) writes here.
  fs.mkdirSync(path.join(root, 'up'));
  fs.chmodSync(path.join(root, 'up'), 0o777);
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return items.map((_, i) => items[(i + by) % n]!);
}

// ---- the run ----
async function main(): Promise<void> {
  const started = new Date();
  const { available, notes } = ensurePeers(log);
  for (const note of notes) log(note);
  const wanted = flags.servers ? flags.servers.split(',') : SERVER_NAMES;
  const servers: ServerName[] = SERVER_NAMES.filter((s) => wanted.includes(s) && available.has(s));
  if (!servers.includes('ours')) throw new Error('ours must be among the servers');
  const checkouts = new Map<ServerName, string>();
  for (const alt of flags.alt ?? []) {
    const match = /^([\w.-]+)=(.+)$/.exec(alt);
    if (!match || !fs.existsSync(path.join(match[2]!, 'bench/our-server.ts'))) throw new Error(`--alt ${alt}: want LABEL=DIR with DIR/bench/our-server.ts`);
    const name: ServerName = `ours@${match[1]}`;
    checkouts.set(name, path.resolve(match[2]!));
    servers.splice(1, 0, name);
  }
  const loadBefore = os.loadavg();
  if (loadBefore[0]! > os.cpus().length * 0.5) log(`warning: load average ${loadBefore[0]!.toFixed(1)} on ${os.cpus().length} cores: other work will add noise`);

  base = fs.mkdtempSync(path.join(os.tmpdir(), 'ftp-share-bench-'));
  fs.chmodSync(base, 0o755);
  const ftpc = compileClient(base);
  const master = path.join(base, 'master');
  fs.mkdirSync(master, { mode: 0o755 });
  const scratch = path.join(base, 'scratch');
  fs.mkdirSync(scratch);

  const rows: Row[] = [];
  const row = (r: Row) => (rows.push(r), r);
  const timeoutFor = (bytes: number) => 30_000 + Math.ceil(bytes / 5e6) * 1000; // ≥ 5 MB/s or fail

  // Certificate generation: ours in-process; the openssl CLI as the reference a vsftpd or
  // pyftpdlib admin would use. The certificate is also the one every server uses.
  const certRow = newRow('cert', 'certificate generation (ECDSA P-256)', 'ms', 'lower', 'in-process (core/tls generateCertificate)');
  let cert = await generateCertificate({ commonName: 'ftp-share-bench', ipAddresses: ['127.0.0.1'] });
  if (workloads.has('cert')) {
    row(certRow);
    log('certificate generation');
    for (let i = 0; i < sizes.certReps; i++) {
      const t0 = performance.now();
      cert = await generateCertificate({ commonName: 'ftp-share-bench', ipAddresses: ['127.0.0.1'] });
      addSample(certRow, 'ours', performance.now() - t0);
    }
    for (const peer of servers) if (peer !== 'ours') certRow.notes[peer] = 'n/a: no built-in generator';
    try {
      for (let i = 0; i < Math.min(5, sizes.certReps); i++) {
        const t0 = performance.now();
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=bench', '-days', '365', '-keyout', '/dev/null', '-out', '/dev/null'], { stdio: 'ignore' });
        addLimit(certRow, 'openssl CLI', performance.now() - t0);
      }
    } catch {
      log('openssl CLI not found: no reference figure for certificates');
    }
  }
  const certFile = path.join(base, 'cert.pem');
  const keyFile = path.join(base, 'key.pem');
  fs.writeFileSync(certFile, cert.cert, { mode: 0o644 });
  fs.writeFileSync(keyFile, cert.key, { mode: 0o600 });

  log(`preparing data: ${sizeLabel(sizes.transfer)} file, ${count(sizes.files)} × ${sizes.fileBytes} B files, ${count(sizes.entries)}-entry directory`);
  writeBigFile(path.join(master, 'big.bin'), sizes.transfer);
  writeBigFile(path.join(master, 'session.bin'), sizes.sessionBytes);

  const profileDir = flags.profile ? path.join(os.tmpdir(), `ftp-share-bench-profile-${started.getTime()}`) : undefined;
  for (const name of servers) {
    const dir = path.join(base, name);
    fs.mkdirSync(dir, { mode: 0o755 });
    const root = path.join(dir, 'root');
    prepareRoot(root, master);
    log(`starting ${name}`);
    running.set(
      name,
      await startServer(name, {
        repo,
        dir,
        root,
        cert: certFile,
        key: keyFile,
        ...(name === 'ours' && profileDir ? { profileDir } : {}),
        ...(checkouts.has(name) ? { checkout: checkouts.get(name)!, variant: [...checkouts.keys()].indexOf(name) } : {}),
        anyPassivePort: flags['any-passive-port'],
      }),
    );
  }
  const port = (name: ServerName) => String(running.get(name)!.port);
  /** Runs `measure` for each server, rotating the order each repetition; errors become notes. */
  const alternate = async (target: Row, reps: number, entries: Array<{ name: string; run: () => Promise<void> }>) => {
    for (let rep = 0; rep < reps; rep++) {
      for (const entry of rotate(entries, rep)) {
        if (cleaning) throw new Error('interrupted');
        try {
          await entry.run();
        } catch (err) {
          const message = (err as Error).message;
          log(`${target.id} ${entry.name}: ${message}`);
          if ((servers as readonly string[]).includes(entry.name)) target.notes[entry.name as ServerName] = `error: ${message}`;
          else target.extra.limit = { ...target.extra.limit, [entry.name]: `error: ${message}` };
        }
      }
    }
  };
  /**
   * One entry per server for `alternate`. With `cpu`, the server's CPU time (process tree, all
   * threads) over each measurement goes to `cpu.row`, as CPU seconds × `scale` ÷ `per`.
   */
  const perServer = (fn: (s: ServerName) => Promise<void | 'skipped'>, cpu?: { row: Row; per: number; scale: number }) =>
    servers.map((name): { name: string; run: () => Promise<void> } => ({
      name,
      run: async () => {
        const sampler = cpu ? new CpuSampler(running.get(name)!.pid) : undefined;
        sampler?.start();
        let outcome: void | 'skipped' | 'failed' = 'failed';
        try {
          outcome = await fn(name);
        } finally {
          const seconds = sampler?.stop();
          if (cpu && seconds !== undefined && outcome === undefined) addSample(cpu.row, name, (seconds * cpu.scale) / cpu.per);
        }
      },
    }));
  const cpuRows: Row[] = [];
  const cpuRow = (id: string, label: string, unit: string) => {
    const r = newRow(`${id}-cpu`, label, unit, 'lower', 'server CPU (user+system, all threads)');
    cpuRows.push(r);
    return r;
  };

  /** A raw limit: start a one-connection server (C or Node), then drive it with ftpc. */
  const rawLimit = async (server: string[], client: string[], timeoutMs: number) => {
    const child = spawnTracked(server[0]!, server.slice(1), { cwd: repo });
    const out = new JsonLines(child);
    const { port: rawPort } = await out.next((o) => typeof o.port === 'number', 30_000, 'raw server');
    try {
      const result = await runJson(ftpc, [client[0]!, '127.0.0.1', String(rawPort), ...client.slice(1)], timeoutMs);
      // The raw server reports its own CPU time as it finishes.
      const cpu = await out.next((o) => typeof o.cpuSeconds === 'number', 10_000, 'raw server CPU').catch(() => undefined);
      const merged: Record<string, unknown> = { ...result };
      if (cpu) merged.serverCpuSeconds = cpu.cpuSeconds;
      return merged;
    } finally {
      const exited = child.exitCode !== null || (await Promise.race([new Promise((r) => child.once('exit', () => r(true))), sleep(10_000).then(() => false)]));
      if (!exited) child.kill('SIGKILL');
    }
  };
  const rawNode = (args: string[]) => [process.execPath, '--import', 'tsx', 'bench/raw-node.ts', ...args];
  /** The least FTP a Node server can speak for `many` and `logins` (bench/raw-node-ftp.ts), serving `sessions`. */
  const rawNodeFtp = (root: string, sessions: number) => [process.execPath, '--import', 'tsx', 'bench/raw-node-ftp.ts', root, String(sessions)];
  const mbps = (result: Record<string, unknown>) => Number(result.bytes) / Number(result.seconds) / 1e6;

  // ---- idle sessions ----
  if (workloads.has('idle')) {
    // Issue #17's goal: RSS as a user's process has it, once the sessions settled, without a forced GC.
    const nogc = row(newRow('idle-nogc', `${count(sizes.idle)} idle logged-in sessions: server RSS per session, no forced GC`, 'KiB', 'lower', 'ftpc (C)'));
    const r = row(newRow('idle', `${count(sizes.idle)} idle logged-in sessions: server RSS per session (after forced GCs)`, 'KiB', 'lower', 'ftpc (C)'));
    const heap = row(newRow('idle-heap', `${count(sizes.idle)} idle sessions: V8 heap + external per session (Node servers)`, 'KiB', 'lower', 'process.memoryUsage() in the server'));
    const pss = row(newRow('idle-pss', `${count(sizes.idle)} idle sessions: server PSS per session (shared pages split)`, 'KiB', 'lower', 'ftpc (C)'));
    log(r.label);
    await alternate(r, 1, perServer(async (name) => {
      const server = running.get(name)!;
      /** Collects garbage (Node servers) until the RSS stops moving: V8 unmaps freed pages late. */
      const settle = async () => {
        let last = -1;
        for (let i = 0; i < 10; i++) {
          if (server.ask) await server.ask('gc');
          await sleep(300);
          const now = treeMemory(server.pid).rssKiB;
          if (Math.abs(now - last) < 64) return;
          last = now;
        }
      };
      // Measured first, on fresh processes: freed memory that an allocator keeps would otherwise
      // be reused by these sessions and hide their cost. One session first loads lazy code.
      await runJson(ftpc, ['logins', '127.0.0.1', port(name), '1'], 30_000);
      await sleep(300);
      await settle();
      const before = treeMemory(server.pid);
      const heapBefore = server.ask ? await server.ask('stats') : undefined;
      const child = spawnTracked(ftpc, ['idle', '127.0.0.1', port(name), String(sizes.idle)]);
      const out = new JsonLines(child);
      try {
        const ready = await out.next((o) => 'ready' in o, 120_000, 'idle sessions');
        await sleep(1000);
        const settled = treeMemory(server.pid);
        await settle();
        const after = treeMemory(server.pid);
        const heapAfter = server.ask ? await server.ask('stats') : undefined;
        const n = Number(ready.ready);
        if (Number(ready.errors) > 0) throw new Error(`${ready.errors} sessions failed to log in`);
        addSample(nogc, name, (settled.rssKiB - before.rssKiB) / n);
        addSample(r, name, (after.rssKiB - before.rssKiB) / n);
        addSample(pss, name, (after.pssKiB - before.pssKiB) / n);
        if (heapBefore && heapAfter) {
          const grown = Number(heapAfter.heapUsed) + Number(heapAfter.external) - Number(heapBefore.heapUsed) - Number(heapBefore.external);
          addSample(heap, name, grown / n / 1024);
        } else {
          heap.notes[name] = 'n/a: not Node';
        }
        r.extra[name] = {
          sessions: n,
          rssBeforeKiB: before.rssKiB,
          rssAfterKiB: after.rssKiB,
          pssPerSessionKiB: Math.round(((after.pssKiB - before.pssKiB) / n) * 10) / 10,
          processesBefore: before.processes,
          processesAfter: after.processes,
          ...(heapBefore && heapAfter
            ? {
                heapUsedPerSessionKiB: Math.round(((Number(heapAfter.heapUsed) - Number(heapBefore.heapUsed)) / n / 1024) * 10) / 10,
                externalPerSessionKiB: Math.round(((Number(heapAfter.external) - Number(heapBefore.external)) / n / 1024) * 10) / 10,
              }
            : {}),
        };
      } finally {
        child.stdin?.end('quit\n');
        await Promise.race([out.closed(), sleep(30_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
        await sleep(1000); // let the server reap the sessions
      }
    }));
  }

  // ---- logins ----
  if (workloads.has('logins')) {
    const r = row(newRow('logins', `${count(sizes.logins)} clients log in at once`, 's', 'lower', 'ftpc (C, a thread per client)'));
    const e = row(newRow('login-errors', `${count(sizes.logins)} simultaneous logins: errors`, 'count', 'lower', 'ftpc'));
    log(r.label);
    const entries = perServer(async (name) => {
      const result = await runJson(ftpc, ['logins', '127.0.0.1', port(name), String(sizes.logins)], 120_000);
      addSample(r, name, Number(result.seconds));
      e.values[name] = Math.max(e.values[name] ?? 0, Number(result.errors));
      await sleep(300);
    });
    entries.push({
      name: NODE_FTP_FLOOR,
      run: async () => {
        const result = await rawLimit(rawNodeFtp(running.get('ours')!.root, sizes.logins), ['logins', String(sizes.logins)], 120_000);
        if (Number(result.errors) > 0) throw new Error(`${result.errors} of ${sizes.logins} logins failed`);
        addLimit(r, NODE_FTP_FLOOR, Number(result.seconds));
      },
    });
    await alternate(r, sizes.smallReps + 1, entries);
  }

  // ---- many small files ----
  if (workloads.has('many')) {
    const r = row(newRow('many', `${count(sizes.files)} × ${sizes.fileBytes / 1024} KiB files, one session (PASV+RETR each)`, 'files/s', 'higher', 'ftpc (C)', true));
    const cpu = cpuRow('many', `${count(sizes.files)} small files: server CPU per file`, 'µs');
    log(r.label);
    const entries = perServer(async (name) => {
      const result = await runJson(ftpc, ['many', '127.0.0.1', port(name), '/many', String(sizes.files)], 300_000);
      if (Number(result.errors) > 0) throw new Error(`${result.errors} of ${sizes.files} files failed`);
      addSample(r, name, sizes.files / Number(result.seconds));
    }, { row: cpu, per: sizes.files, scale: 1e6 });
    entries.push({
      name: NODE_FTP_FLOOR,
      run: async () => {
        const result = await rawLimit(rawNodeFtp(running.get('ours')!.root, 1), ['many', '/many', String(sizes.files)], 300_000);
        if (Number(result.errors) > 0) throw new Error(`${result.errors} of ${sizes.files} files failed`);
        addLimit(r, NODE_FTP_FLOOR, sizes.files / Number(result.seconds));
        addLimit(cpu, NODE_FTP_FLOOR, (Number(result.serverCpuSeconds) * 1e6) / sizes.files);
      },
    });
    await alternate(r, sizes.smallReps, entries);
  }

  // ---- listings ----
  if (workloads.has('list')) {
    for (const verb of ['LIST', 'MLSD'] as const) {
      const r = row(newRow(verb.toLowerCase(), `${verb} of a ${count(sizes.entries)}-entry directory`, 'ms', 'lower', `ftpc (C), median of ${sizes.listReps}`));
      const cpu = cpuRow(verb.toLowerCase(), `${verb} of ${count(sizes.entries)} entries: server CPU per listing`, 'ms');
      log(r.label);
      await alternate(r, sizes.smallReps, perServer(async (name) => {
        if (verb === 'MLSD' && !running.get(name)!.mlsd) {
          r.notes[name] = 'n/a: no MLSD';
          return 'skipped';
        }
        const result = await runJson(ftpc, ['list', '127.0.0.1', port(name), '/list', verb, String(sizes.listReps)], 120_000);
        addSample(r, name, Number(result.medianSeconds) * 1000);
        r.extra[name] = { bytes: result.bytes };
      }, { row: cpu, per: sizes.listReps, scale: 1000 }));
    }
  }

  // ---- single big transfers and their limits ----
  let upload = 0;
  const transfer = async (id: Workload, tls: boolean, direction: 'retr' | 'stor') => {
    const label = `${tls ? 'FTPS (explicit, PROT P) ' : ''}${direction.toUpperCase()} ${sizeLabel(sizes.transfer)}, one session`;
    const r = row(newRow(id, label, 'MB/s', 'higher', 'ftpc (C; OpenSSL for TLS)', true));
    const cpu = cpuRow(id, `${label}: server CPU per GB`, 's');
    log(r.label);
    const big = path.join(master, 'big.bin');
    const out = path.join(scratch, 'out.bin');
    const bytes = String(sizes.transfer);
    const t = tls ? '1' : '0';
    const timeout = timeoutFor(sizes.transfer);
    const entries: Array<{ name: string; run: () => Promise<void> }> = perServer(async (name) => {
      let result: Record<string, unknown>;
      if (direction === 'retr') {
        result = await runJson(ftpc, ['retr', '127.0.0.1', port(name), '/big.bin', bytes, t], timeout);
      } else {
        const file = `/up/stor-${++upload}.bin`;
        const onDisk = path.join(running.get(name)!.root, file);
        try {
          result = await runJson(ftpc, ['stor', '127.0.0.1', port(name), file, bytes, t], timeout);
          const size = fs.statSync(onDisk).size;
          if (size !== sizes.transfer) throw new Error(`stored ${size} bytes, sent ${sizes.transfer}`);
        } finally {
          fs.rmSync(onDisk, { force: true });
        }
      }
      addSample(r, name, mbps(result));
      if (result.cipher) r.extra[name] = { cipher: result.cipher, tlsVersion: result.tlsVersion };
    }, { row: cpu, per: sizes.transfer / 1e9, scale: 1 });
    const limit = (name: string, server: string[], client: string[]) =>
      entries.push({
        name,
        run: async () => {
          try {
            const result = await rawLimit(server, client, timeout);
            addLimit(r, name, mbps(result));
            if (typeof result.serverCpuSeconds === 'number') addLimit(cpu, name, result.serverCpuSeconds / (sizes.transfer / 1e9));
            if (result.cipher) r.extra.limit = { ...r.extra.limit, [name]: { cipher: result.cipher, tlsVersion: result.tlsVersion } };
          } finally {
            fs.rmSync(out, { force: true });
          }
        },
      });
    if (!tls && direction === 'retr') {
      limit('raw C sendfile', [ftpc, 'rawserve', 'send', big], ['rawrecv', bytes, '0']);
      limit('raw C read/write', [ftpc, 'rawserve', 'copy', big], ['rawrecv', bytes, '0']);
      limit('raw Node stream', rawNode(['send', big]), ['rawrecv', bytes, '0']);
    } else if (!tls) {
      limit('raw C read/write', [ftpc, 'rawserve', 'recv', out], ['rawsend', bytes, '0']);
      limit('raw Node stream', rawNode(['recv', out]), ['rawsend', bytes, '0']);
      // A fresh process's heap (~6 MB) is below V8's 8 MB threshold for incremental marking; an
      // app's is not, and then every 32 MB of socket buffers ends in a mark-compact (raw-node.ts).
      limit('raw Node stream, 20 MB heap', rawNode(['recv', out, '--heap-mb=20']), ['rawsend', bytes, '0']);
    } else if (direction === 'retr') {
      limit('raw C OpenSSL', [ftpc, 'rawserve', 'tls-send', big, certFile, keyFile], ['rawrecv', bytes, '1']);
      limit('raw Node TLS', rawNode(['tls-send', big, certFile, keyFile]), ['rawrecv', bytes, '1']);
    } else {
      limit('raw C OpenSSL', [ftpc, 'rawserve', 'tls-recv', out, certFile, keyFile], ['rawsend', bytes, '1']);
      limit('raw Node TLS', rawNode(['tls-recv', out, certFile, keyFile]), ['rawsend', bytes, '1']);
    }
    await alternate(r, sizes.reps, entries);
  };
  // Warm the page cache so the first server does not pay for the disk.
  execFileSync('cat', [path.join(master, 'big.bin')], { stdio: ['ignore', 'ignore', 'ignore'] });
  if (workloads.has('retr')) await transfer('retr', false, 'retr');
  if (workloads.has('stor')) await transfer('stor', false, 'stor');
  if (workloads.has('retr-tls')) await transfer('retr-tls', true, 'retr');
  if (workloads.has('stor-tls')) await transfer('stor-tls', true, 'stor');

  // ---- concurrent sessions, control latency and event-loop delay meanwhile ----
  if (workloads.has('conc')) {
    const n = sizes.sessions;
    const r = row(newRow('conc', `${n} concurrent sessions × ${sizeLabel(sizes.sessionBytes)} RETR: aggregate`, 'MB/s', 'higher', 'ftpc (C, a thread per session)', true));
    const e = row(newRow('conc-errors', `${n} concurrent sessions: errors`, 'count', 'lower', 'ftpc'));
    const noop = row(newRow('noop', `NOOP round trip p99 on another session while ${n} transfers run`, 'ms', 'lower', 'ftpc (C), a NOOP every 2 ms'));
    const eld = row(newRow('eld', `server event-loop delay p99 while ${n} transfers run`, 'ms', 'lower', 'monitorEventLoopDelay in the server (1 ms resolution)'));
    const cpu = cpuRow('conc', `${n} concurrent sessions: server CPU per GB`, 's');
    log(r.label);
    await alternate(r, sizes.smallReps, perServer(async (name) => {
      const server = running.get(name)!;
      if (server.ask) await server.ask('eld-reset');
      const result = await runJson(ftpc, ['conc', '127.0.0.1', port(name), '/session.bin', String(sizes.sessionBytes), String(n)], timeoutFor(n * sizes.sessionBytes));
      addSample(r, name, Number(result.bytes) / Number(result.seconds) / 1e6);
      e.values[name] = Math.max(e.values[name] ?? 0, Number(result.errors));
      if (Number(result.noopCount) > 0) addSample(noop, name, Number(result.noopP99Ms));
      r.extra[name] = { ...r.extra[name], [`run${(r.samples[name]?.length ?? 1) - 1}`]: result };
      if (server.ask) {
        const stats = await server.ask('stats');
        const h = stats.eld as Record<string, number>;
        addSample(eld, name, h.p99Ms!);
        eld.extra[name] = { ...eld.extra[name], [`run${(eld.samples[name]?.length ?? 1) - 1}`]: h };
      } else {
        eld.notes[name] = 'n/a: not a Node event loop';
      }
      await sleep(500);
    }, { row: cpu, per: (n * sizes.sessionBytes) / 1e9, scale: 1 }));
  }

  // ---- report ----
  const finished = new Date();
  const loadAfter = os.loadavg();
  const tableText = table(rows, servers);
  const cpuTableText = cpuRows.length ? table(cpuRows, servers) : '';
  const targets = checkTargets(rows, cpuRows);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    `FTP Share benchmark — ${quick ? 'quick' : 'full'} mode — ${finished.toISOString()} (${Math.round((finished.getTime() - started.getTime()) / 1000)} s)`,
    `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; load average ${loadBefore[0]!.toFixed(1)} at start, ${loadAfter[0]!.toFixed(1)} at end`,
    `versions: ${Object.entries(versions(repo)).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    'MB/s = 10^6 bytes/s. ftpc = bench/ftpc.c (C, blocking sockets, OpenSSL 3 for TLS pinned to AES-128-GCM); "limit" = the same bytes without FTP.',
  ];
  const problems = rows.flatMap((r) => Object.entries(r.notes).filter(([, n]) => n?.startsWith('error')).map(([s, n]) => `${r.id} ${s}: ${n}`));
  process.stdout.write(`\n${header.join('\n')}\n\n${tableText}\n\n`);
  if (cpuTableText) process.stdout.write(`Server CPU time for the same work (less sensitive to other load on the machine):\n\n${cpuTableText}\n\n`);
  process.stdout.write(`${targetsText(targets)}\n`);
  if (problems.length) process.stdout.write(`\nerrors:\n${problems.join('\n')}\n`);
  if (profileDir) process.stdout.write(`\nCPU profile of our server: ${profileDir} (after it stops)\n`);

  const resultsDir = path.join(repo, 'bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        mode: quick ? 'quick' : 'full',
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        machine: { cpu, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(), platform: process.platform, loadBefore, loadAfter },
        checkouts: Object.fromEntries(checkouts),
        versions: versions(repo),
        sizes,
        servers,
        notes,
        rows,
        cpuRows,
        targets,
        table: tableText,
        cpuTable: cpuTableText,
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write(`\nresults: ${path.relative(repo, file)}\n`);
}

/** The web page against nginx (bench/web.ts), after the FTP table, in its own process. */
async function webRows(): Promise<void> {
  if (!workloads.has('web')) return;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'bench/web.ts'), '--reps', String(flags.reps ?? 3)], { cwd: repo, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) process.stdout.write(`\nthe web benchmark failed (exit ${code}); see above\n`);
}

main()
  .then(() => cleanup())
  .then(() => webRows())
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    if ((err as Error).message === 'interrupted') return; // the signal handler cleans up and exits
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    await cleanup();
    process.exit(1);
  });
