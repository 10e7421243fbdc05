/**
 * Transfers: the active ones (normalised per row, for progress ticks that re-render one row), the
 * finished history, the totals, and the current throughput for the status bar.
 */
import { createStore } from 'zustand/vanilla';
import type { TransferRow, TransfersSnapshot } from '../../core/share/contract.js';
import { reconcile, sameList, shallowEqual, type Normalised } from './reconcile.js';

export interface Throughput {
  /** Bytes per second sent to clients. */
  down: number;
  /** Bytes per second received from clients. */
  up: number;
}

export interface TransfersStore {
  active: Normalised<TransferRow>;
  finished: TransferRow[];
  totals: TransfersSnapshot['totals'];
  throughput: Throughput;
  apply(snapshot: TransfersSnapshot): void;
}

const EMPTY_TOTALS: TransfersSnapshot['totals'] = { downloadedBytes: 0, uploadedBytes: 0, completed: 0, failed: 0 };

export function createTransfersStore() {
  return createStore<TransfersStore>()((set, get) => ({
    active: { ids: [], byId: {} },
    finished: [],
    totals: EMPTY_TOTALS,
    throughput: { down: 0, up: 0 },
    apply(snapshot) {
      const prev = get();
      const active = reconcile(prev.active, snapshot.active, (r) => r.transferId);
      // The history changes only when a transfer ends; keep its identity otherwise.
      const finishedRows = snapshot.finished.map((row) => {
        const old = prev.finished.find((p) => p.transferId === row.transferId);
        return old && shallowEqual(old, row) ? old : row;
      });
      const finished = sameList(prev.finished, finishedRows) ? prev.finished : finishedRows;
      const totals = shallowEqual(prev.totals, snapshot.totals) ? prev.totals : snapshot.totals;
      let down = 0;
      let up = 0;
      for (const row of snapshot.active) {
        if (row.direction === 'download') down += row.bytesPerSecond;
        else up += row.bytesPerSecond;
      }
      const throughput = prev.throughput.down === down && prev.throughput.up === up ? prev.throughput : { down, up };
      if (active === prev.active && finished === prev.finished && totals === prev.totals && throughput === prev.throughput) return;
      set({ active, finished, totals, throughput });
    },
  }));
}

export type TransfersStoreApi = ReturnType<typeof createTransfersStore>;
