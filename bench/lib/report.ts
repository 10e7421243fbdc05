/**
 * The benchmark's results: rows of figures per server, the limits, the table printed at the end
 * and the targets of issue 7 checked against them.
 */
import type { ServerName } from './servers.js';
import { PEERS } from './servers.js';

export interface Row {
  id: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  /** Which client produced the figures. */
  client: string;
  /** Medians per server. */
  values: Partial<Record<ServerName, number>>;
  samples: Partial<Record<ServerName, number[]>>;
  /** Why a server has no figure (n/a, or the error it failed with). */
  notes: Partial<Record<ServerName, string>>;
  /** The limits on this machine (raw sockets; for certificates: the openssl CLI). */
  limits: Record<string, { value: number; samples: number[] }>;
  /** Anything else measured alongside (errors, TLS cipher, heap…), per server. */
  extra: Partial<Record<ServerName | 'limit', Record<string, unknown>>>;
  /** Whether this is a throughput workload (for the "≥ 2× ftp-srv" target). */
  throughput?: boolean;
}

export function newRow(id: string, label: string, unit: string, better: 'higher' | 'lower', client: string, throughput = false): Row {
  return { id, label, unit, better, client, values: {}, samples: {}, notes: {}, limits: {}, extra: {}, throughput };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function addSample(row: Row, server: ServerName, value: number): void {
  (row.samples[server] ??= []).push(value);
  row.values[server] = median(row.samples[server]!);
}

export function addLimit(row: Row, name: string, value: number): void {
  const limit = (row.limits[name] ??= { value, samples: [] });
  limit.samples.push(value);
  limit.value = median(limit.samples);
}

/** The best peer's figure (and who), by the row's direction. */
export function bestPeer(row: Row): { server: ServerName; value: number } | undefined {
  let best: { server: ServerName; value: number } | undefined;
  for (const server of PEERS) {
    const value = row.values[server];
    if (value === undefined) continue;
    if (!best || (row.better === 'higher' ? value > best.value : value < best.value)) best = { server, value };
  }
  return best;
}

/** Whether ours is at least as good as the best peer. */
export function oursWins(row: Row): boolean | undefined {
  const ours = row.values.ours;
  const best = bestPeer(row);
  if (ours === undefined || !best) return undefined;
  return row.better === 'higher' ? ours >= best.value : ours <= best.value;
}

function format(value: number | undefined): string {
  if (value === undefined) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** The results table as text: servers as columns, the limits, ours ÷ best peer, the client. */
export function table(rows: Row[], servers: readonly ServerName[]): string {
  const header = ['workload', 'unit', ...servers, 'limit', 'ours ÷ best peer', 'client'];
  const lines: string[][] = [header];
  for (const row of rows) {
    const cells = [row.label, row.unit];
    for (const server of servers) {
      const value = row.values[server];
      cells.push(value !== undefined ? format(value) : row.notes[server]?.startsWith('error') ? 'ERR' : 'n/a');
    }
    const limits = Object.entries(row.limits);
    cells.push(limits.length ? limits.map(([name, l]) => `${format(l.value)} ${name}`).join(', ') : '');
    const best = bestPeer(row);
    const ours = row.values.ours;
    if (best && ours !== undefined && best.value !== 0) {
      const wins = oursWins(row);
      cells.push(`${format(ours / best.value)} ${wins ? '✓' : '✗'} (${best.server})`);
    } else {
      cells.push('');
    }
    cells.push(row.client);
    lines.push(cells);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => [...(l[i] ?? '')].length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = widths[i]! - [...c].length;
        return i >= 2 && i < 2 + servers.length ? ' '.repeat(pad) + c : c + ' '.repeat(pad);
      })
      .join(' | ')
      .trimEnd();
  const out = [render(lines[0]!), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const l of lines.slice(1)) out.push(render(l));
  return out.join('\n');
}

export interface Target {
  name: string;
  met: boolean | undefined;
  detail: string;
}

/** Issue 7's targets, checked against this run's figures. */
export function checkTargets(rows: Row[]): Target[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const targets: Target[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

  for (const row of rows) {
    const wins = oursWins(row);
    if (wins === undefined) continue;
    const best = bestPeer(row)!;
    targets.push({
      name: `${row.label}: ours ≥ best peer`,
      met: wins,
      detail: `ours ${format(row.values.ours)} vs ${best.server} ${format(best.value)} ${row.unit}`,
    });
  }
  for (const id of ['retr', 'stor']) {
    const row = byId.get(id);
    const ours = row?.values.ours;
    if (!row || ours === undefined) continue;
    for (const [name, limit] of Object.entries(row.limits)) {
      targets.push({
        name: `${row.label}: ours ≥ 0.8 × ${name}`,
        met: ours >= 0.8 * limit.value,
        detail: `${format(ours)} / ${format(limit.value)} = ${pct(ours / limit.value)}`,
      });
    }
  }
  for (const id of ['retr-tls', 'stor-tls']) {
    const row = byId.get(id);
    const ours = row?.values.ours;
    const limit = row?.limits['raw Node TLS'];
    if (!row || ours === undefined || !limit) continue;
    targets.push({
      name: `${row.label}: ours ≥ 0.8 × raw Node TLS`,
      met: ours >= 0.8 * limit.value,
      detail: `${format(ours)} / ${format(limit.value)} = ${pct(ours / limit.value)}`,
    });
  }
  for (const id of ['conc-errors', 'login-errors']) {
    const row = byId.get(id);
    if (!row || row.values.ours === undefined) continue;
    targets.push({ name: `${row.label}: zero errors (ours)`, met: row.values.ours === 0, detail: `${row.values.ours} errors` });
  }
  for (const row of rows) {
    if (!row.throughput) continue;
    const ours = row.values.ours;
    const peer = row.values['ftp-srv'];
    if (ours === undefined || peer === undefined) continue;
    targets.push({ name: `${row.label}: ≥ 2 × ftp-srv`, met: ours >= 2 * peer, detail: `${format(ours)} / ${format(peer)} = ${format(ours / peer)}×` });
  }
  const idleNoGc = byId.get('idle-nogc');
  if (idleNoGc?.values.ours !== undefined) {
    const perSession = idleNoGc.values.ours;
    targets.push({ name: 'idle session memory ≤ 8 KiB without a forced GC', met: perSession <= 8, detail: `${format(perSession)} KiB per session` });
  }
  const idle = byId.get('idle');
  if (idle?.values.ours !== undefined) {
    targets.push({ name: 'idle session memory ≤ 16 KiB', met: idle.values.ours <= 16, detail: `${format(idle.values.ours)} KiB per session` });
  }
  const eld = byId.get('eld');
  if (eld?.values.ours !== undefined) {
    targets.push({ name: 'event-loop delay p99 ≤ 20 ms during the concurrent transfers', met: eld.values.ours <= 20, detail: `${format(eld.values.ours)} ms` });
  }
  return targets;
}

export function targetsText(targets: Target[]): string {
  return targets.map((t) => `${t.met === undefined ? '?' : t.met ? 'MET   ' : 'MISSED'}  ${t.name} — ${t.detail}`).join('\n');
}
