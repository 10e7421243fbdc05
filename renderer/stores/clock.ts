/**
 * One shared one-second clock for "connected for" cells, so 200 sessions need one timer, not 200,
 * and a cell re-renders only when its own text changes. It ticks only while someone listens.
 */
import { createStore } from 'zustand/vanilla';

export function createClockStore(intervalMs = 1_000) {
  const store = createStore<{ now: number }>()(() => ({ now: Date.now() }));
  let timer: ReturnType<typeof setInterval> | undefined;
  let listeners = 0;
  const subscribe = store.subscribe;
  store.subscribe = (listener) => {
    const off = subscribe(listener);
    if (listeners++ === 0) {
      store.setState({ now: Date.now() });
      timer = setInterval(() => store.setState({ now: Date.now() }), intervalMs);
    }
    return () => {
      off();
      if (--listeners === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  };
  return store;
}

export type ClockStoreApi = ReturnType<typeof createClockStore>;
