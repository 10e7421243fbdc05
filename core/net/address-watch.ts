/** Watching this machine's candidate addresses change (Wi-Fi joined, VPN connected, cable pulled). */
import type { CandidateAddress } from './address-types.js';
import { listCandidateAddresses } from './addresses.js';
import { detectDefaultRouteInterface } from './default-route.js';
import { readNetworkInterfaces, type InterfaceMap } from './interfaces.js';

/** Options of {@link watchAddresses}; both exist so tests can feed data instead of a network. */
export interface WatchAddressesOptions {
  /** Defaults to {@link readNetworkInterfaces}. */
  readInterfaces?: () => InterfaceMap;
  /** Defaults to {@link detectDefaultRouteInterface}. */
  detectDefaultRoute?: () => Promise<string | undefined>;
}

/** A running address watcher. */
export interface AddressWatcher {
  /** Stops polling; no callback fires after it returns. Idempotent. */
  close(): void;
}

function interfacesKey(interfaces: InterfaceMap): string {
  return Object.keys(interfaces)
    .sort()
    .map((name) => {
      const entries = (interfaces[name] ?? []).map(
        (e) => `${e.family}/${e.address}/${e.internal ? 1 : 0}/${e.scopeid ?? ''}`,
      );
      return `${name}=${entries.sort().join(',')}`;
    })
    .join(';');
}

function candidatesKey(candidates: CandidateAddress[]): string {
  return candidates.map((c) => `${c.interfaceName}|${c.address}|${c.kind}`).join(',');
}

/**
 * Calls `onChange` with the new ranked list whenever this machine's candidate addresses change
 * (Wi-Fi joined, VPN connected, cable pulled).
 *
 * Polls `os.networkInterfaces()` (cheap: one syscall, no process). Only when the interfaces have
 * changed does it re-detect the default route (which spawns `route` on macOS and Windows) and
 * re-rank; the callback fires if the ranked list differs from the last one. It does not fire at
 * start: call {@link listCandidateAddresses} for the initial list. The timer is unref'd so a
 * watcher never keeps the process alive. An exception thrown by `onChange` is rethrown
 * asynchronously, as from any timer callback.
 */
export function watchAddresses(
  onChange: (candidates: CandidateAddress[]) => void,
  intervalMs = 3000,
  options: WatchAddressesOptions = {},
): AddressWatcher {
  const readInterfaces = options.readInterfaces ?? readNetworkInterfaces;
  const detect = options.detectDefaultRoute ?? (() => detectDefaultRouteInterface());
  let closed = false;
  let busy = false;
  let lastInterfaces: string | undefined;
  let lastCandidates: string | undefined;

  const check = async (report: boolean): Promise<void> => {
    if (closed || busy) return; // a slow detection is still running; the next tick catches up
    let interfaces: InterfaceMap;
    try {
      interfaces = readInterfaces();
    } catch {
      return; // a reader that throws (a test's) gets another chance next tick
    }
    const rawKey = interfacesKey(interfaces);
    if (rawKey === lastInterfaces) return;
    lastInterfaces = rawKey;
    busy = true;
    let route: string | undefined;
    try {
      route = await detect();
    } catch {
      route = undefined;
    } finally {
      busy = false;
    }
    if (closed) return;
    const candidates = listCandidateAddresses(interfaces, route);
    const key = candidatesKey(candidates);
    if (key === lastCandidates) return;
    lastCandidates = key;
    if (report) onChange(candidates);
  };
  const rethrow = (err: unknown): void => {
    process.nextTick(() => {
      throw err;
    });
  };

  // The baseline is not reported: the caller already has the list it started from.
  void check(false).catch(rethrow);
  const timer = setInterval(() => void check(true).catch(rethrow), intervalMs);
  timer.unref();
  return {
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
