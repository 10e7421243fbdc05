/**
 * Child processes of the benchmark: every one is tracked, bounded in time, and ended (with its own
 * children: vsftpd forks per session) by process id when the run ends, fails or is interrupted.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

const tracked = new Set<ChildProcess>();

/** Spawns a tracked child (stdio piped unless told otherwise). */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  child.on('error', () => undefined);
  return child;
}

/** JSON lines a child prints, parsed; other lines are collected as text. */
export class JsonLines {
  private readonly waiters: Array<{ match: (o: Record<string, unknown>) => boolean; resolve: (o: Record<string, unknown>) => void }> = [];
  private readonly backlog: Array<Record<string, unknown>> = [];
  readonly text: string[] = [];
  /** Every JSON line, in order. */
  readonly objects: Array<Record<string, unknown>> = [];
  private ended = false;
  private readonly endWaiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let object: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed && typeof parsed === 'object') object = parsed as Record<string, unknown>;
      } catch {
        // not JSON
      }
      if (!object) {
        this.text.push(line);
        return;
      }
      this.objects.push(object);
      const index = this.waiters.findIndex((w) => w.match(object!));
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(object);
      else this.backlog.push(object);
    });
    lines.on('close', () => {
      this.ended = true;
      for (const waiter of this.endWaiters.splice(0)) waiter();
    });
    if (child.stderr) {
      readline.createInterface({ input: child.stderr }).on('line', (line) => this.text.push(line));
    }
  }

  /** The next JSON line matching `match` (already printed or still to come), within `timeoutMs`. */
  next(match: (o: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    const index = this.backlog.findIndex(match);
    if (index >= 0) return Promise.resolve(this.backlog.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (o: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(o);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${what}: no answer within ${timeoutMs} ms${this.tail()}`));
      }, timeoutMs);
      this.waiters.push(waiter);
      if (this.ended) {
        // Let a pending line be delivered first, then fail.
        setImmediate(() => {
          if (!this.waiters.includes(waiter)) return;
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          clearTimeout(timer);
          reject(new Error(`${what}: the process ended${this.tail()}`));
        });
      }
    });
  }

  /** Resolves when stdout closes. */
  closed(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  tail(): string {
    const lines = this.text.slice(-5);
    return lines.length ? ` (${lines.join(' | ').slice(0, 600)})` : '';
  }
}

/**
 * Runs a command to completion and returns the last JSON line it printed. Fails on an `error`
 * field, a non-zero exit, or the time limit (the child is killed then).
 */
export async function runJson(command: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const child = spawnTracked(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  const out = new JsonLines(child);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>((resolve) => {
    const timer = setTimeout(() => {
      killTree(child.pid);
      resolve({ code: null, signal: 'SIGKILL', timedOut: true });
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut: false });
    });
  });
  await out.closed();
  const last = out.objects[out.objects.length - 1];
  const name = `${command.split('/').pop()} ${args[0] ?? ''}`;
  if (exit.timedOut) throw new Error(`${name}: timed out after ${timeoutMs} ms`);
  if (last && typeof last.error === 'string') throw new Error(`${name}: ${last.error}`);
  if (exit.code !== 0 || !last) throw new Error(`${name}: exited with ${exit.code ?? exit.signal}${out.tail()}`);
  return last;
}

/** Process ids below `pid` (children, grandchildren…), read from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the ")" that ends the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Memory of a process and its descendants: summed VmRSS and Pss (KiB), and how many processes. */
export function treeMemory(pid: number): { rssKiB: number; pssKiB: number; processes: number } {
  let rssKiB = 0;
  let pssKiB = 0;
  let processes = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      rssKiB += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      processes++;
      const rollup = fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      pssKiB += Number(/Pss:\s+(\d+)/.exec(rollup)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return { rssKiB, pssKiB, processes };
}

/**
 * Follows the CPU time of a process tree while a measurement runs, so processes that end meanwhile
 * still count (vsftpd ignores SIGCHLD, so its finished sessions never reach cutime). Polls /proc
 * every `intervalMs`; a process's last tick before it ends can be missed.
 */
export class CpuSampler {
  private readonly last = new Map<number, number>();
  private readonly first = new Map<number, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number, private readonly intervalMs = 100) {}

  start(): void {
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.intervalMs);
  }

  /** CPU seconds used by the tree since `start()`. */
  stop(): number {
    clearInterval(this.timer);
    this.sample(false);
    let total = 0;
    for (const [pid, ticks] of this.last) total += ticks - (this.first.get(pid) ?? 0);
    return total / 100;
  }

  private sample(initial: boolean): void {
    for (const p of [this.pid, ...descendants(this.pid)]) {
      try {
        const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // utime stime, plus cutime cstime for the root (children it did reap).
        const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
        const ticks = utime + stime + (p === this.pid ? cutime + cstime : 0);
        if (initial || !this.first.has(p)) this.first.set(p, initial ? ticks : 0);
        this.last.set(p, ticks);
      } catch {
        // ended between the listing and the read
      }
    }
  }
}

/** Signals a process and all its descendants, by id. */
export function killTree(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  let below: number[] = [];
  try {
    below = descendants(pid);
  } catch {
    // /proc unreadable: the process itself still gets the signal
  }
  for (const p of [pid, ...below]) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

/** Ends every tracked child (and its tree): SIGTERM, then SIGKILL for those still there. */
export async function stopAll(graceMs = 1500): Promise<void> {
  const children = [...tracked];
  for (const child of children) if (child.exitCode === null) killTree(child.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && children.some((c) => c.exitCode === null && c.signalCode === null)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const child of children) if (child.exitCode === null && child.signalCode === null) killTree(child.pid, 'SIGKILL');
}

/** Synchronous last resort (process 'exit'): SIGKILL to every tracked child tree. */
export function killAllNow(): void {
  for (const child of tracked) killTree(child.pid, 'SIGKILL');
}
