/**
 * Soak: 200 concurrent clients for SOAK_SECONDS (60 by default), each doing a random mix of LIST,
 * RETR, STOR, APPE, REST+STOR, RNFR+RNTO, DELE, MKD, RMD and SIZE in its own folder, reads of a
 * shared folder, and injected faults (ABOR mid-RETR, a reset data connection mid-STOR, a reset
 * control connection, QUIT and reconnect, garbage lines, abandoned PASV). Every byte is checked
 * against a model of what each folder must hold, over FTP during the run and on disk at the end.
 *
 * Passes when: no server 'error' event, no uncaught exception, no lost or corrupted file, no
 * upload temp file left, and the process's descriptors and heap back at their baseline. Prints a
 * summary table (also written to test-artifacts/soak-summary.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { ControlClient } from '../helpers/control-client.js';
import { tempFilesIn, type Reply } from '../helpers/ftp-flows.js';
import { sha256 } from '../helpers/digests.js';
import { waitFor } from '../helpers/wait.js';
import { expectBackToBaseline, openFds, takeBaseline, watchCrashes } from '../helpers/resource-baseline.js';
import { assertServedNormally, waitNoSessions } from '../hardening/hardening-helpers.js';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 200);
const REPLY_MS = 60_000;

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (v8.setFlagsFromString('--expose-gc'), vm.runInNewContext('gc') as () => void);


interface Stats {
  ops: Record<string, number>;
  faults: Record<string, number>;
  bytesUp: number;
  bytesVerified: number;
  filesVerifiedOnDisk: number;
}

class Failure extends Error {}

/** One simulated user: its connection, its folder, and the model of what the folder must hold. */
class Worker {
  raw!: ControlClient;
  readonly dir: string;
  readonly files = new Map<string, Buffer>();
  readonly dirs = new Set<string>();
  private seed: number;

  constructor(
    readonly index: number,
    private readonly f: ServerFixture,
    private readonly stats: Stats,
    private readonly shared: Map<string, string>,
  ) {
    this.dir = `/w${index}`;
    this.seed = (index + 1) * 2654435761;
  }

  private random(): number {
    this.seed = (this.seed ^ (this.seed << 13)) >>> 0;
    this.seed = (this.seed ^ (this.seed >>> 17)) >>> 0;
    this.seed = (this.seed ^ (this.seed << 5)) >>> 0;
    return this.seed / 4294967296;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private count(op: string): void {
    this.stats.ops[op] = (this.stats.ops[op] ?? 0) + 1;
  }

  private fault(kind: string): void {
    this.stats.faults[kind] = (this.stats.faults[kind] ?? 0) + 1;
  }

  private expect(reply: Reply, codes: number[], what: string): Reply {
    if (!codes.includes(reply.code)) throw new Failure(`worker ${this.index} ${what}: ${reply.text}`);
    return reply;
  }

  async connect(): Promise<void> {
    this.raw = await ControlClient.connect(this.f.port);
    this.expect(await this.raw.reply(REPLY_MS), [220], 'greeting');
    this.expect(await this.raw.command('USER anonymous', REPLY_MS), [331, 230], 'USER');
    this.expect(await this.raw.command('PASS soak', REPLY_MS), [230], 'PASS');
    this.expect(await this.raw.command('TYPE I', REPLY_MS), [200], 'TYPE');
  }

  private async dataSocket(): Promise<net.Socket> {
    const reply = this.expect(await this.raw.command('EPSV', REPLY_MS), [229], 'EPSV');
    const port = Number(/\(\|\|\|(\d+)\|\)/.exec(reply.text)![1]);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  private async download(command: string): Promise<Buffer> {
    const socket = await this.dataSocket();
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => resolve());
      socket.on('error', reject);
    });
    this.expect(await this.raw.command(command, REPLY_MS), [150], command);
    await done;
    this.expect(await this.raw.reply(REPLY_MS), [226], `${command} (end)`);
    socket.destroy();
    const data = Buffer.concat(chunks);
    this.stats.bytesVerified += data.length;
    return data;
  }

  private async upload(command: string, data: Buffer): Promise<void> {
    const socket = await this.dataSocket();
    socket.on('error', () => undefined);
    this.expect(await this.raw.command(command, REPLY_MS), [150], command);
    await new Promise<void>((resolve) => socket.end(data, () => resolve()));
    this.expect(await this.raw.reply(REPLY_MS), [226], `${command} (end)`);
    socket.destroy();
    this.stats.bytesUp += data.length;
  }

  private payload(): Buffer {
    const r = this.random();
    const size = r < 0.7 ? Math.floor(this.random() * 16 * 1024) : r < 0.96 ? 16 * 1024 + Math.floor(this.random() * 240 * 1024) : 1024 * 1024 + Math.floor(this.random() * 1024 * 1024);
    return randomBytes(size);
  }

  private existing(): string | undefined {
    const names = [...this.files.keys()];
    return names.length === 0 ? undefined : this.pick(names);
  }

  private path(name: string): string {
    return `${this.dir}/${name}`;
  }

  async setup(): Promise<void> {
    await this.connect();
    this.expect(await this.raw.command(`MKD ${this.dir}`, REPLY_MS), [257], 'MKD home');
  }

  /** One random operation (or fault), checked against the model. */
  async step(): Promise<void> {
    const r = this.random();
    if (r < 0.06) return this.injectFault();
    const op = this.pick(['stor', 'stor', 'retr', 'retr', 'retr', 'appe', 'rest', 'rename', 'dele', 'mkd', 'rmd', 'list', 'list', 'shared', 'shared', 'size']);
    this.count(op);
    const name = `f${Math.floor(this.random() * 6)}.bin`;
    switch (op) {
      case 'stor': {
        const data = this.payload();
        await this.upload(`STOR ${this.path(name)}`, data);
        this.files.set(name, data);
        return;
      }
      case 'retr': {
        const file = this.existing();
        if (!file) return;
        const data = await this.download(`RETR ${this.path(file)}`);
        if (sha256(data) !== sha256(this.files.get(file)!)) throw new Failure(`worker ${this.index}: ${file} corrupted (${data.length} bytes, want ${this.files.get(file)!.length})`);
        return;
      }
      case 'appe': {
        const data = randomBytes(Math.floor(this.random() * 32 * 1024));
        await this.upload(`APPE ${this.path(name)}`, data);
        this.files.set(name, Buffer.concat([this.files.get(name) ?? Buffer.alloc(0), data]));
        return;
      }
      case 'rest': {
        const file = this.existing();
        if (!file) return;
        const old = this.files.get(file)!;
        const offset = Math.floor(this.random() * (old.length + 1));
        const tail = randomBytes(Math.floor(this.random() * 64 * 1024));
        this.expect(await this.raw.command(`REST ${offset}`, REPLY_MS), [350], 'REST');
        await this.upload(`STOR ${this.path(file)}`, tail);
        this.files.set(file, Buffer.concat([old.subarray(0, offset), tail]));
        return;
      }
      case 'rename': {
        const file = this.existing();
        if (!file || file === name) return;
        this.expect(await this.raw.command(`RNFR ${this.path(file)}`, REPLY_MS), [350], 'RNFR');
        this.expect(await this.raw.command(`RNTO ${this.path(name)}`, REPLY_MS), [250], 'RNTO');
        this.files.set(name, this.files.get(file)!);
        this.files.delete(file);
        return;
      }
      case 'dele': {
        const file = this.existing();
        if (!file) return;
        this.expect(await this.raw.command(`DELE ${this.path(file)}`, REPLY_MS), [250], 'DELE');
        this.files.delete(file);
        return;
      }
      case 'mkd': {
        const sub = `d${Math.floor(this.random() * 3)}`;
        const reply = await this.raw.command(`MKD ${this.path(sub)}`, REPLY_MS);
        this.expect(reply, this.dirs.has(sub) ? [550] : [257], 'MKD');
        this.dirs.add(sub);
        return;
      }
      case 'rmd': {
        const sub = `d${Math.floor(this.random() * 3)}`;
        this.expect(await this.raw.command(`RMD ${this.path(sub)}`, REPLY_MS), this.dirs.has(sub) ? [250] : [550], 'RMD');
        this.dirs.delete(sub);
        return;
      }
      case 'list': {
        const text = (await this.download(`LIST ${this.dir}`)).toString('utf8');
        const names = text.split('\r\n').filter(Boolean).map((line) => line.split(/\s+/).at(-1)!).sort();
        const want = [...this.files.keys(), ...this.dirs].sort();
        assert.deepEqual(names, want, `worker ${this.index}: listing`);
        return;
      }
      case 'shared': {
        const file = this.pick([...this.shared.keys()]);
        const data = await this.download(`RETR /shared/${file}`);
        if (sha256(data) !== this.shared.get(file)) throw new Failure(`worker ${this.index}: shared ${file} corrupted`);
        return;
      }
      case 'size': {
        const file = this.existing();
        if (!file) return;
        const reply = this.expect(await this.raw.command(`SIZE ${this.path(file)}`, REPLY_MS), [213], 'SIZE');
        assert.equal(Number(reply.lines[0]!.slice(4)), this.files.get(file)!.length, `worker ${this.index}: SIZE ${file}`);
        return;
      }
    }
  }

  private async injectFault(): Promise<void> {
    const kind = this.pick(['abor-retr', 'rst-data-stor', 'rst-control-stor', 'quit', 'garbage', 'pasv-abandon']);
    this.fault(kind);
    switch (kind) {
      case 'abor-retr': {
        const socket = await this.dataSocket();
        socket.on('error', () => undefined);
        let got = 0;
        const some = new Promise<void>((resolve) => {
          socket.on('data', (c: Buffer) => {
            got += c.length;
            socket.pause(); // stall the reader: the transfer is surely running at ABOR
            resolve();
          });
          socket.on('end', () => resolve());
        });
        this.expect(await this.raw.command('RETR /shared/big.bin', REPLY_MS), [150], 'RETR for ABOR');
        await some;
        this.raw.send('ABOR');
        const first = this.expect(await this.raw.reply(REPLY_MS), [426, 226], 'ABOR');
        this.expect(await this.raw.reply(REPLY_MS), first.code === 426 ? [226] : [225, 226], 'ABOR (end)');
        socket.destroy();
        void got;
        return;
      }
      case 'rst-data-stor':
      case 'rst-control-stor': {
        // A STOR cut by a reset: the file keeps its old content (or stays absent).
        const name = `f${Math.floor(this.random() * 6)}.bin`;
        const socket = await this.dataSocket();
        socket.on('error', () => undefined);
        this.expect(await this.raw.command(`STOR ${this.path(name)}`, REPLY_MS), [150], 'STOR for a reset');
        await new Promise<void>((resolve) => socket.write(randomBytes(64 * 1024), () => resolve()));
        socket.resetAndDestroy();
        if (kind === 'rst-data-stor') {
          this.expect(await this.raw.reply(REPLY_MS), [426], 'STOR reset');
        } else {
          const port = this.raw.socket.localPort;
          this.raw.socket.resetAndDestroy();
          await this.waitSessionGone(port);
          await this.connect();
        }
        return;
      }
      case 'quit': {
        this.expect(await this.raw.command('QUIT', REPLY_MS), [221], 'QUIT');
        this.raw.close();
        await this.connect();
        return;
      }
      case 'garbage': {
        const junk = randomBytes(Math.floor(this.random() * 200)).toString('latin1').replace(/[\r\n]/g, ' ');
        this.raw.send(`XGARBAGE ${junk}`);
        this.expect(await this.raw.reply(REPLY_MS), [500, 501, 502], 'garbage');
        this.expect(await this.raw.command('NOOP', REPLY_MS), [200], 'NOOP after garbage');
        return;
      }
      case 'pasv-abandon': {
        this.expect(await this.raw.command('PASV', REPLY_MS), [227], 'PASV');
        this.expect(await this.raw.command('NOOP', REPLY_MS), [200], 'NOOP after PASV');
        return;
      }
    }
  }

  /**
   * After a reset, the server must have let the session go, and its aborted upload removed its
   * temp file (and released the name), before the model is trusted again.
   */
  private async waitSessionGone(port: number | undefined): Promise<void> {
    const dir = path.join(this.f.root, this.dir);
    const gone = async () => !this.f.server.getSessions().some((s) => s.remotePort === port) && (await tempFilesIn(dir)).length === 0;
    if (!(await waitFor(gone, 'the reset session to end', 10_000).catch(() => false))) {
      throw new Failure(`worker ${this.index}: the reset session never ended`);
    }
  }

  async finish(): Promise<void> {
    this.expect(await this.raw.command('QUIT', REPLY_MS), [221], 'final QUIT');
    this.raw.close();
  }

  /** Compares the folder on disk with the model: same names, same bytes. */
  async verifyOnDisk(root: string): Promise<void> {
    const dir = path.join(root, this.dir);
    const entries = (await fs.readdir(dir)).sort();
    assert.deepEqual(entries, [...this.files.keys(), ...this.dirs].sort(), `worker ${this.index}: folder contents`);
    for (const [name, data] of this.files) {
      const onDisk = await fs.readFile(path.join(dir, name));
      assert.equal(sha256(onDisk), sha256(data), `worker ${this.index}: ${name} on disk`);
      this.stats.bytesVerified += onDisk.length;
      this.stats.filesVerifiedOnDisk++;
    }
  }
}

function memory(): { rss: number; heapUsed: number } {
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const MiB = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

test(`soak: ${CLIENTS} clients for ${SOAK_SECONDS} s, every byte checked`, { timeout: (SOAK_SECONDS + 240) * 1000 }, async () => {
  const crashes = watchCrashes();
  const shared = new Map<string, string>();
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 4; i++) {
    const data = randomBytes(8 * 1024 * (i + 1) ** 3);
    files[`shared/s${i}.bin`] = data;
    shared.set(`s${i}.bin`, sha256(data));
  }
  files['shared/big.bin'] = randomBytes(4 * 1024 * 1024);
  const f = await startServer({ files, maxConnections: CLIENTS * 2 + 20, maxConnectionsPerIp: CLIENTS * 2 + 20 });
  const stats: Stats = { ops: {}, faults: {}, bytesUp: 0, bytesVerified: 0, filesVerifiedOnDisk: 0 };
  try {
    await assertServedNormally(f);
    await waitNoSessions(f);
    // The fixture records every event; tally what matters and drop the rest as the soak goes,
    // so the memory check measures the server, not the test's recording.
    const tally = { errors: [] as unknown[], failedTransfers: 0 };
    const drain = () => {
      for (const e of f.events) {
        if (e.type === 'error') tally.errors.push(e);
        if (e.type === 'transfer-failed') tally.failedTransfers++;
      }
      f.events.length = 0;
    };
    drain();
    const baseline = await takeBaseline();
    const memBefore = memory();
    const started = Date.now();
    const deadline = started + SOAK_SECONDS * 1000;

    let workers: Worker[] | undefined = Array.from({ length: CLIENTS }, (_, i) => new Worker(i, f, stats, shared));
    // Connect in waves so the listen backlog never overflows.
    for (let i = 0; i < workers.length; i += 25) await Promise.all(workers.slice(i, i + 25).map((w) => w.setup()));
    const peakFds = { value: 0 };
    const sampler = setInterval(() => {
      drain();
      void openFds().then((n) => (peakFds.value = Math.max(peakFds.value, n ?? 0)));
    }, 500);
    await Promise.all(
      workers.map(async (w) => {
        while (Date.now() < deadline) await w.step();
        await w.finish();
      }),
    );
    clearInterval(sampler);
    const elapsed = (Date.now() - started) / 1000;
    await waitNoSessions(f, 20_000);
    for (const w of workers) await w.verifyOnDisk(f.root);
    assert.deepEqual(await tempFilesIn(f.root), [], 'no upload temp file left');
    workers = undefined; // drop the models before measuring memory
    drain();
    await expectBackToBaseline(baseline, 'after the soak', 20_000);
    const fdsAfter = await openFds();
    const memAfter = memory();
    drain();
    const serverErrors = tally.errors;
    const failedTransfers = tally.failedTransfers;
    const cases = Object.values(stats.ops).reduce((a, b) => a + b, 0);
    const faults = Object.values(stats.faults).reduce((a, b) => a + b, 0);
    const rows: Array<[string, string]> = [
      ['clients × duration', `${CLIENTS} × ${elapsed.toFixed(0)} s`],
      ['cases run', `${cases} (${Object.entries(stats.ops).map(([k, v]) => `${k} ${v}`).join(', ')})`],
      ['faults injected', `${faults} (${Object.entries(stats.faults).map(([k, v]) => `${k} ${v}`).join(', ')})`],
      ['transfers failed (by faults)', String(failedTransfers)],
      ['bytes uploaded', MiB(stats.bytesUp)],
      ['bytes verified', `${MiB(stats.bytesVerified)} (${stats.filesVerifiedOnDisk} files on disk)`],
      ['server errors / uncaught', `${serverErrors.length} / ${crashes.errors.length}`],
      ['descriptors before / peak / after', `${baseline.fds} / ${peakFds.value} / ${fdsAfter}`],
      ['rss before / after', `${MiB(memBefore.rss)} / ${MiB(memAfter.rss)}`],
      ['heapUsed before / after', `${MiB(memBefore.heapUsed)} / ${MiB(memAfter.heapUsed)}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(['soak summary', ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join('\n'));
    await fs.mkdir('test-artifacts', { recursive: true });
    await fs.writeFile('test-artifacts/soak-summary.json', JSON.stringify({ ...Object.fromEntries(rows), stats }, null, 2));

    assert.deepEqual(serverErrors, [], 'no server error events');
    assert.deepEqual(crashes.errors, [], 'no uncaught exception');
    assert.ok(cases > CLIENTS, 'the clients did work');
    assert.ok(memAfter.heapUsed - memBefore.heapUsed < 32 * 1024 * 1024, `heap ${MiB(memBefore.heapUsed)} → ${MiB(memAfter.heapUsed)}`);
  } finally {
    crashes.dispose();
    await f.close();
  }
});
