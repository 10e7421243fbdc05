/**
 * Store logic without React: identity-preserving snapshots, throughput, the log's cap and pause.
 */
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../core/share/contract.js';
import { createLogsStore, filterLogs, MAX_LOG_LINES } from '../stores/logs.js';
import { reconcile } from '../stores/reconcile.js';
import { createTransfersStore } from '../stores/transfers.js';

describe('reconcile', () => {
  it('keeps unchanged rows, the id list and the whole form when nothing changed', () => {
    const a = { id: 'a', n: 1 };
    const b = { id: 'b', n: 1 };
    const first = reconcile({ ids: [], byId: {} }, [a, b], (r) => r.id);
    const same = reconcile(first, [{ ...a }, { ...b }], (r) => r.id);
    expect(same).toBe(first);
    const changed = reconcile(first, [{ ...a }, { id: 'b', n: 2 }], (r) => r.id);
    expect(changed.ids).toBe(first.ids);
    expect(changed.byId['a']).toBe(a);
    expect(changed.byId['b']).toEqual({ id: 'b', n: 2 });
    const reordered = reconcile(changed, [changed.byId['b']!, changed.byId['a']!], (r) => r.id);
    expect(reordered.ids).toEqual(['b', 'a']);
    expect(reconcile(reordered, [], (r) => r.id)).toEqual({ ids: [], byId: {} });
  });
});

describe('transfers store', () => {
  it('sums throughput by direction and keeps the history identity on progress ticks', () => {
    const store = createTransfersStore();
    const row = (id: string, direction: 'download' | 'upload', bytesPerSecond: number) => ({
      transferId: id,
      sessionId: 's',
      protocol: 'ftp' as const,
      remoteAddress: 'x',
      path: '/f',
      direction,
      bytes: 0,
      bytesPerSecond,
      startedAt: 0,
      secure: false,
    });
    const finished = [{ ...row('f', 'download', 0), result: 'done' as const }];
    const totals = { downloadedBytes: 1, uploadedBytes: 0, completed: 1, failed: 0 };
    store.getState().apply({ active: [row('a', 'download', 100), row('b', 'upload', 30), row('c', 'download', 5)], finished, totals });
    expect(store.getState().throughput).toEqual({ down: 105, up: 30 });
    const history = store.getState().finished;
    store.getState().apply({ active: [row('a', 'download', 200)], finished: finished.map((f) => ({ ...f })), totals: { ...totals } });
    expect(store.getState().finished).toBe(history);
    expect(store.getState().throughput).toEqual({ down: 200, up: 0 });
  });
});

const line = (id: number, level: LogEntry['level'] = 'info', text = `line ${id}`): LogEntry => ({ id, time: id, level, text });

describe('logs store', () => {
  it('appends, drops duplicates by id, and keeps at most MAX_LOG_LINES', () => {
    const store = createLogsStore();
    store.getState().append([line(1), line(2)]);
    store.getState().append([line(2), line(3)]);
    expect(store.getState().entries.map((e) => e.id)).toEqual([1, 2, 3]);
    store.getState().append(Array.from({ length: MAX_LOG_LINES }, (_, i) => line(i + 4)));
    expect(store.getState().entries).toHaveLength(MAX_LOG_LINES);
    expect(store.getState().entries[0]!.id).toBe(4);
  });

  it('holds lines while paused and releases them on resume', () => {
    const store = createLogsStore();
    store.getState().append([line(1)]);
    store.getState().setPaused(true);
    store.getState().append([line(2), line(3)]);
    expect(store.getState().entries).toHaveLength(1);
    expect(store.getState().held).toHaveLength(2);
    store.getState().setPaused(false);
    expect(store.getState().entries.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(store.getState().held).toEqual([]);
  });

  it('filters by minimum level and case-insensitive text or session', () => {
    const entries = [line(1, 'debug', 'NOOP'), line(2, 'info', 'Signed in'), { ...line(3, 'warn', 'Refused'), sessionId: 'abc' }, line(4, 'error', 'Boom')];
    expect(filterLogs(entries, 'info', '').map((e) => e.id)).toEqual([2, 3, 4]);
    expect(filterLogs(entries, 'warn', '').map((e) => e.id)).toEqual([3, 4]);
    expect(filterLogs(entries, 'debug', 'noop').map((e) => e.id)).toEqual([1]);
    expect(filterLogs(entries, 'debug', 'ABC').map((e) => e.id)).toEqual([3]);
  });
});
