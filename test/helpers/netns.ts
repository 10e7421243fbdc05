/**
 * A private two-host LAN for tests: two network namespaces joined by a veth pair, 10.200.0.1
 * (server) and 10.200.0.2 (client), with optional impairment of the link. Traffic never leaves
 * the namespaces the test creates; `destroy()` deletes them (and with them the veth pair), and an
 * exit hook does the same if the test process dies first.
 *
 * Impairment, best first: `tc netem delay 50ms loss 1%` when the kernel has sch_netem; else
 * 1 % random loss each way with nftables (`numgen random`) plus a `tbf` rate limit, when the
 * kernel has nf_tables and the `nft` tool is installed (no added delay then: only netem delays);
 * else none, and the caller skips what needs it.
 *
 * `createNamespace` gives a test one namespace of its own instead, for interfaces it makes up
 * (veth pairs named like a LAN card, Docker's bridge or a VPN), with the same exit hook.
 */
import { execFileSync } from 'node:child_process';
import { run, type RunResult } from './processes.js';

export interface LanLink {
  serverNs: string;
  clientNs: string;
  serverIf: string;
  clientIf: string;
  serverAddress: string;
  clientAddress: string;
  /** What `impair()` managed to set up, for the test's report. */
  impairment: string;
  /** Applies delay/loss; returns a description, or undefined when the kernel offers neither. */
  impair(): Promise<string | undefined>;
  /** Cuts the cable: the client's end goes down (packets vanish, no RST, no FIN). */
  cut(): Promise<void>;
  /** Deletes both namespaces. Idempotent, never throws. */
  destroy(): Promise<void>;
}

/** Runs a setup command (20 s at most): whether it worked, and what it said (or why it failed). */
async function setup(command: string, args: string[], input?: string): Promise<{ ok: boolean; out: string }> {
  const result = await run(command, args, { timeoutMs: 20_000, ...(input !== undefined ? { input } : {}) });
  return { ok: result.code === 0, out: `${result.stdout}${result.stderr}`.trim() || (result.error ?? '') };
}

async function ns(name: string, command: string, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  return setup('ip', ['netns', 'exec', name, command, ...args]);
}

/** Why namespaces can't be used here, or undefined when they can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const probe = `fsh-probe-${process.pid}`;
  const added = await setup('ip', ['netns', 'add', probe]);
  if (!added.ok) return `"ip netns add" is not permitted here (${added.out.split('\n')[0] || 'no iproute2?'})`;
  await setup('ip', ['netns', 'del', probe]);
  return undefined;
}

const live = new Set<string>();
let exitHookInstalled = false;

/** Deletes every namespace still in `live` when the test process exits, however it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const name of live) {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  });
}

/** One namespace of the test's own, with only `lo` up. */
export interface Namespace {
  name: string;
  /** Runs `ip -n NAME …args`; throws with the command and its output when it fails. */
  ip(...args: string[]): Promise<void>;
  /** Deletes the namespace (and every link in it). Idempotent, never throws. */
  destroy(): Promise<void>;
}

/**
 * Creates the namespace `name` with `lo` up; deleted by `destroy()` or, if the process dies
 * first, by the exit hook. Throws with the failing step.
 */
export async function createNamespace(name: string): Promise<Namespace> {
  installExitHook();
  live.add(name);
  const namespace: Namespace = {
    name,
    async ip(...args) {
      const result = await setup('ip', ['-n', name, ...args]);
      if (!result.ok) throw new Error(`ip -n ${name} ${args.join(' ')}: ${result.out}`);
    },
    async destroy() {
      await setup('ip', ['netns', 'del', name]);
      live.delete(name);
    },
  };
  try {
    const added = await setup('ip', ['netns', 'add', name]);
    if (!added.ok) throw new Error(`ip netns add ${name}: ${added.out}`);
    await namespace.ip('link', 'set', 'lo', 'up');
  } catch (err) {
    await namespace.destroy();
    throw err;
  }
  return namespace;
}

/** Creates the two namespaces and the veth pair between them. Throws with the failing step. */
export async function createLan(tag = `${process.pid}`): Promise<LanLink> {
  const serverNs = `fsh-srv-${tag}`;
  const clientNs = `fsh-cli-${tag}`;
  // Interface names are limited to 15 bytes.
  const serverIf = `fs${tag}`.slice(0, 13) + 'a';
  const clientIf = `fs${tag}`.slice(0, 13) + 'b';
  const serverAddress = '10.200.0.1';
  const clientAddress = '10.200.0.2';
  installExitHook();
  const steps: Array<[string, string[]]> = [
    ['ip', ['netns', 'add', serverNs]],
    ['ip', ['netns', 'add', clientNs]],
    ['ip', ['link', 'add', serverIf, 'type', 'veth', 'peer', 'name', clientIf]],
    ['ip', ['link', 'set', serverIf, 'netns', serverNs]],
    ['ip', ['link', 'set', clientIf, 'netns', clientNs]],
    ['ip', ['-n', serverNs, 'addr', 'add', `${serverAddress}/24`, 'dev', serverIf]],
    ['ip', ['-n', clientNs, 'addr', 'add', `${clientAddress}/24`, 'dev', clientIf]],
    ['ip', ['-n', serverNs, 'link', 'set', 'lo', 'up']],
    ['ip', ['-n', clientNs, 'link', 'set', 'lo', 'up']],
    ['ip', ['-n', serverNs, 'link', 'set', serverIf, 'up']],
    ['ip', ['-n', clientNs, 'link', 'set', clientIf, 'up']],
  ];
  const link: LanLink = {
    serverNs,
    clientNs,
    serverIf,
    clientIf,
    serverAddress,
    clientAddress,
    impairment: 'none',
    async impair() {
      const netem = await ns(serverNs, 'tc', 'qdisc', 'add', 'dev', serverIf, 'root', 'netem', 'delay', '50ms', 'loss', '1%');
      if (netem.ok) {
        // Both directions: the client's side gets the same.
        await ns(clientNs, 'tc', 'qdisc', 'add', 'dev', clientIf, 'root', 'netem', 'delay', '50ms', 'loss', '1%');
        link.impairment = 'tc netem delay 50ms loss 1% (each way)';
        return link.impairment;
      }
      const rules = `table inet fsh_lossy {
  chain out { type filter hook output priority 0; policy accept; oifname "${serverIf}" numgen random mod 1000 < 10 drop; }
  chain in { type filter hook input priority 0; policy accept; iifname "${serverIf}" numgen random mod 1000 < 10 drop; }
}
`;
      const nft = await setup('ip', ['netns', 'exec', serverNs, 'nft', '-f', '-'], rules);
      if (nft.ok) {
        await ns(serverNs, 'tc', 'qdisc', 'add', 'dev', serverIf, 'root', 'tbf', 'rate', '400mbit', 'burst', '256kb', 'latency', '50ms');
        await ns(clientNs, 'tc', 'qdisc', 'add', 'dev', clientIf, 'root', 'tbf', 'rate', '400mbit', 'burst', '256kb', 'latency', '50ms');
        link.impairment = `nftables 1% random loss each way + tbf 400mbit (sch_netem unavailable: ${netem.out.split('\n')[0]}; so no added delay)`;
        return link.impairment;
      }
      link.impairment = `none (netem: ${netem.out.split('\n')[0]}; nft: ${nft.out.split('\n')[0]})`;
      return undefined;
    },
    async cut() {
      await setup('ip', ['-n', clientNs, 'link', 'set', 'dev', clientIf, 'down']);
    },
    async destroy() {
      for (const name of [clientNs, serverNs]) {
        await setup('ip', ['netns', 'del', name]);
        live.delete(name);
      }
    },
  };
  try {
    for (const [command, args] of steps) {
      if (args[0] === 'netns' && args[1] === 'add') live.add(args[2]!);
      const result = await setup(command, args);
      if (!result.ok) throw new Error(`${command} ${args.join(' ')}: ${result.out}`);
    }
  } catch (err) {
    await link.destroy();
    throw err;
  }
  return link;
}

/** Runs a command inside a namespace (curl, sha256sum…). */
export function inNamespace(name: string, command: string, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return run('ip', ['netns', 'exec', name, command, ...args], { timeoutMs });
}
