/**
 * Linux: would ufw (Ubuntu), firewalld (Fedora) or an nftables input chain drop the share's TCP
 * ports, and the exact command that allows them. Pure parsers; the commands run with `LC_ALL=C`
 * so ufw's and firewalld's words are the untranslated ones read here.
 */
import type { FirewallVerdict } from './types.js';

// ---------------------------------------------------------------------------------------------
// ufw

/** Whether a ufw "To" column ("2121/tcp", "2000:3000/tcp", "8080", "Anywhere", "22/tcp on eth0") covers a TCP port. */
function ufwCovers(to: string, port: number): boolean | undefined {
  const spec = to.replace(/\s+on\s+\S+$/, '').replace(/\s*\(v6\)$/, '').trim();
  if (/^Anywhere$/i.test(spec)) return true;
  const m = /^([\d,:]+)(?:\/(tcp|udp))?$/i.exec(spec);
  if (!m) return /^[\d.:/a-f]+$/i.test(spec) ? true : undefined; // an address: every port to it; an app profile name: unknown
  if (m[2]?.toLowerCase() === 'udp') return false;
  return m[1]!.split(',').some((part) => {
    const [lo, hi] = part.split(':').map(Number);
    return hi === undefined ? lo === port : port >= lo! && port <= hi;
  });
}

/**
 * Parses `ufw status verbose`. ufw checks its rules in order (first match wins) and then the
 * default incoming policy. Rules to an app profile ("OpenSSH") can't be resolved here: they are
 * skipped, and a port they might have matched is judged by the rest.
 */
export function parseUfwStatus(text: string, ports: readonly number[]): FirewallVerdict {
  const status = /^Status:\s*(\S+)/im.exec(text)?.[1]?.toLowerCase();
  if (status === 'inactive') return { active: false, blockedPorts: [], detail: 'ufw is inactive.' };
  if (status !== 'active') return { detail: 'ufw’s status could not be read.' };
  const policy = /^Default:\s*(\w+)\s*\(incoming\)/im.exec(text)?.[1]?.toLowerCase() ?? 'deny';
  const rules: { to: string; action: string }[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (/^--/.test(line.trim())) {
      inTable = true;
      continue;
    }
    if (!inTable || line.trim() === '') continue;
    // Columns are separated by two or more spaces; the action is ALLOW/DENY/REJECT/LIMIT (+ IN/OUT).
    const cols = line.trim().split(/\s{2,}/);
    if (cols.length < 3) continue;
    const [to, act] = cols as [string, string];
    if (/\bOUT\b/i.test(act) || /\bFWD\b/i.test(act)) continue;
    rules.push({ to, action: act.split(/\s+/)[0]!.toLowerCase() });
  }
  const blockedPorts: number[] = [];
  for (const port of ports) {
    let verdict: string | undefined;
    for (const rule of rules) {
      if (ufwCovers(rule.to, port) !== true) continue;
      verdict = rule.action;
      break;
    }
    const allowed = verdict ? verdict === 'allow' || verdict === 'limit' : policy === 'allow';
    if (!allowed) blockedPorts.push(port);
  }
  return { active: true, blockedPorts, detail: `ufw is active (incoming: ${policy} by default).` };
}

/** The ufw commands that allow the ports. */
export function ufwAllowCommand(ports: readonly number[]): string {
  return ports.map((p) => `sudo ufw allow ${p}/tcp`).join(' && ');
}

// ---------------------------------------------------------------------------------------------
// firewalld

/** Parses `firewall-cmd --state`: "running" or "not running". */
export function parseFirewalldState(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'running') return true;
  if (t === 'not running') return false;
  return undefined;
}

/** Well-known firewalld services by the TCP ports they open (those a share might use). */
const FIREWALLD_SERVICE_PORTS: Readonly<Record<string, readonly number[]>> = {
  ftp: [21],
  http: [80],
  https: [443],
  'http-alt': [8080],
};

/**
 * Parses `firewall-cmd --list-all` (a zone's settings): the zone's target (ACCEPT lets everything
 * in), its `ports:` (e.g. Fedora Workstation's `1025-65535/tcp`) and its `services:`.
 */
export function parseFirewalldZone(text: string, ports: readonly number[]): FirewallVerdict {
  const field = (name: string) => new RegExp(`^\\s*${name}:[ \\t]*(.*)$`, 'im').exec(text)?.[1]?.trim() ?? '';
  const zone = /^(\S+)(?:\s+\(([^)]*)\))?/.exec(text.trim())?.[1] ?? 'the zone';
  const target = field('target').toUpperCase();
  if (target === 'ACCEPT') return { active: true, blockedPorts: [], detail: `firewalld is running; zone ${zone} accepts everything.` };
  const open = field('ports').split(/\s+/).filter(Boolean);
  const services = field('services').split(/\s+/).filter(Boolean);
  const blockedPorts = ports.filter((port) => {
    const byPort = open.some((spec) => {
      const m = /^(\d+)(?:-(\d+))?\/(tcp|udp|sctp|dccp)$/i.exec(spec);
      if (!m || m[3]!.toLowerCase() !== 'tcp') return false;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      return port >= lo && port <= hi;
    });
    const byService = services.some((s) => FIREWALLD_SERVICE_PORTS[s]?.includes(port));
    return !byPort && !byService;
  });
  return {
    active: true,
    blockedPorts,
    detail: `firewalld is running; zone ${zone} opens ${open.length ? open.join(' ') : 'no ports'}${services.length ? ` and the services ${services.join(' ')}` : ''}.`,
  };
}

/** The firewalld commands that allow the ports now and after a reboot. */
export function firewalldAllowCommand(ports: readonly number[]): string {
  const add = ports.map((p) => `--add-port=${p}/tcp`).join(' ');
  return `sudo firewall-cmd ${add} && sudo firewall-cmd --permanent ${add}`;
}

// ---------------------------------------------------------------------------------------------
// nftables

type Json = Record<string, unknown>;
type Tri = 'yes' | 'no' | 'maybe';
type ChainVerdict = 'accept' | 'drop' | 'unknown' | 'continue';

interface NftChain {
  family: string;
  table: string;
  name: string;
  hook?: string;
  prio: number;
  policy?: string;
  rules: Json[][];
}

/** A new TCP connection from another LAN device to `port` on a real interface, as nft sees it. */
function matchExpr(m: Json, port: number): Tri {
  const op = String(m.op ?? '==');
  const left = (m.left ?? {}) as Json;
  const right = m.right;
  const negate = op === '!=';
  const result = (hit: boolean | undefined): Tri => (hit === undefined ? 'maybe' : hit !== negate ? 'yes' : 'no');
  const payload = left.payload as Json | undefined;
  const meta = left.meta as Json | undefined;
  const ct = left.ct as Json | undefined;
  if (payload?.field === 'dport') {
    if (payload.protocol === 'udp' || payload.protocol === 'sctp') return negate ? 'yes' : 'no';
    return result(valueCovers(right, port));
  }
  if (payload?.field === 'sport') return 'maybe';
  if (meta?.key === 'l4proto' || meta?.key === 'nfproto' || (payload?.protocol === 'ip' && payload.field === 'protocol') || (payload?.protocol === 'ip6' && payload.field === 'nexthdr')) {
    if (meta?.key === 'nfproto') return 'maybe';
    return result(valueCovers(right, 'tcp'));
  }
  if (meta?.key === 'iifname' || meta?.key === 'iif') return result(valueCovers(right, 'lo') ? false : undefined);
  if (meta?.key === 'iiftype') return result(valueCovers(right, 'loopback') ? false : undefined);
  if (ct?.key === 'state') return result(valueCovers(right, 'new'));
  if (ct?.key === 'status') return 'maybe';
  if (payload?.protocol === 'tcp' && payload.field === 'flags') return 'maybe';
  return 'maybe';
}

/** Whether an nft JSON value (a number, a name, a set, a range, a prefix) covers `value`. */
function valueCovers(right: unknown, value: number | string): boolean | undefined {
  // "@name" is a named set, whose elements are listed elsewhere: not resolved here.
  if (typeof right === 'string' && right.startsWith('@')) return undefined;
  if (typeof right === 'number' || typeof right === 'string') return right === value;
  if (Array.isArray(right)) {
    const hits = right.map((r) => valueCovers(r, value));
    return hits.includes(true) ? true : hits.includes(undefined) ? undefined : false;
  }
  if (right && typeof right === 'object') {
    const o = right as Json;
    if (Array.isArray(o.set)) return valueCovers(o.set, value);
    if (Array.isArray(o.range) && typeof value === 'number') {
      const [lo, hi] = o.range as [unknown, unknown];
      if (typeof lo === 'number' && typeof hi === 'number') return value >= lo && value <= hi;
    }
  }
  return undefined; // a named set (@ports), a map: not resolved here
}

const MAX_JUMP_DEPTH = 16;

function evalChain(chain: NftChain, chains: Map<string, NftChain>, port: number, depth: number): ChainVerdict {
  // Verdicts of rules that might match (a match we can't read): they make a different answer unknown.
  const maybe = new Set<ChainVerdict>();
  const settle = (v: ChainVerdict): ChainVerdict => {
    const final = v === 'continue' && chain.hook ? (chain.policy === 'drop' ? 'drop' : 'accept') : v;
    return [...maybe].some((m) => m !== final) ? 'unknown' : final;
  };
  for (const rule of chain.rules) {
    let matched: Tri = 'yes';
    let verdict: ChainVerdict | undefined;
    for (const stmt of rule) {
      if ('match' in stmt) {
        const r = matchExpr(stmt.match as Json, port);
        if (r === 'no') matched = 'no';
        else if (r === 'maybe') matched = 'maybe';
        if (matched === 'no') break;
        continue;
      }
      if ('accept' in stmt) verdict = 'accept';
      else if ('drop' in stmt || 'reject' in stmt) verdict = 'drop';
      else if ('return' in stmt) verdict = 'continue';
      else if ('jump' in stmt || 'goto' in stmt) {
        const target = String(((stmt.jump ?? stmt.goto) as Json).target);
        const sub = chains.get(`${chain.family}\u0000${chain.table}\u0000${target}`);
        const r = sub && depth < MAX_JUMP_DEPTH ? evalChain(sub, chains, port, depth + 1) : 'unknown';
        // A jump that returns carries on with the next rule; a goto that returns leaves this chain too.
        verdict = r === 'continue' && 'jump' in stmt ? undefined : r;
        if (verdict === undefined) break;
      }
      if (verdict) break;
    }
    if (matched === 'no' || verdict === undefined) continue;
    if (matched === 'maybe') {
      maybe.add(verdict === 'continue' && chain.hook ? (chain.policy === 'drop' ? 'drop' : 'accept') : verdict);
      continue;
    }
    return settle(verdict);
  }
  return settle('continue');
}

/** Where a port is dropped: the table and chain, for the fix. */
export interface NftVerdict extends FirewallVerdict {
  /** Ports the rules could not be read for (named sets, unknown matches before a verdict). */
  unknownPorts: number[];
  /** The input chain that drops, to put an accept rule in. */
  dropChain?: { family: string; table: string; chain: string };
}

/**
 * Evaluates `nft -j list ruleset` for a new TCP connection from the LAN to each port: every
 * input base chain (of the inet, ip and ip6 families, in priority order) must accept it. Rules
 * for loopback, established connections and other ports are passed over; a rule it can't read
 * (named sets, address matches) makes that port's answer unknown rather than guessed.
 */
export function parseNftRuleset(text: string, ports: readonly number[]): NftVerdict {
  const doc = JSON.parse(text) as { nftables?: Json[] };
  const chains = new Map<string, NftChain>();
  for (const item of doc.nftables ?? []) {
    if (item.chain) {
      const c = item.chain as Json;
      const chain: NftChain = { family: String(c.family), table: String(c.table), name: String(c.name), prio: Number(c.prio ?? 0), rules: [] };
      if (typeof c.hook === 'string') chain.hook = c.hook;
      if (typeof c.policy === 'string') chain.policy = c.policy;
      chains.set(`${chain.family}\u0000${chain.table}\u0000${chain.name}`, chain);
    } else if (item.rule) {
      const r = item.rule as Json;
      chains.get(`${String(r.family)}\u0000${String(r.table)}\u0000${String(r.chain)}`)?.rules.push((r.expr as Json[]) ?? []);
    }
  }
  const inputs = [...chains.values()]
    .filter((c) => c.hook === 'input' && ['inet', 'ip', 'ip6'].includes(c.family))
    .sort((a, b) => a.prio - b.prio);
  if (inputs.length === 0) return { active: false, blockedPorts: [], unknownPorts: [], detail: 'No nftables input chain: nothing is filtered.' };
  const blockedPorts: number[] = [];
  const unknownPorts: number[] = [];
  let dropChain: NftVerdict['dropChain'];
  for (const port of ports) {
    for (const chain of inputs) {
      const v = evalChain(chain, chains, port, 0);
      if (v === 'drop') {
        blockedPorts.push(port);
        dropChain ??= { family: chain.family, table: chain.table, chain: chain.name };
        break;
      }
      if (v === 'unknown') {
        unknownPorts.push(port);
        break;
      }
    }
  }
  const names = inputs.map((c) => `${c.family} ${c.table} ${c.name} (policy ${c.policy ?? 'accept'})`).join(', ');
  const verdict: NftVerdict = { active: true, blockedPorts, unknownPorts, detail: `nftables input chains: ${names}.` };
  if (dropChain) verdict.dropChain = dropChain;
  return verdict;
}

/** The nft rule that accepts the ports in the chain that drops them (until reboot; add it to /etc/nftables.conf to keep it). */
export function nftAllowCommand(where: { family: string; table: string; chain: string }, ports: readonly number[]): string {
  const set = ports.length === 1 ? String(ports[0]) : `{ ${ports.join(', ')} }`;
  return `sudo nft insert rule ${where.family} ${where.table} ${where.chain} tcp dport ${set} accept`;
}
