/** Where a share's candidate addresses come from: this machine's interfaces, or a fixed list in tests. */
import { listCandidateAddresses, type CandidateAddress } from '../net/addresses.js';
import { watchAddresses } from '../net/address-watch.js';
import { detectDefaultRouteInterface } from '../net/default-route.js';
import { readNetworkInterfaces } from '../net/interfaces.js';

export interface AddressSource {
  /** The current ranked candidates. */
  list(): Promise<CandidateAddress[]>;
  /** Calls `onChange` when they change; the returned watcher's `close` stops it. */
  watch(onChange: (candidates: CandidateAddress[]) => void): { close(): void };
}

/** The machine's own addresses, ranked with the default route (core/net). */
export const systemAddressSource: AddressSource = {
  async list() {
    const interfaces = readNetworkInterfaces();
    return listCandidateAddresses(interfaces, await detectDefaultRouteInterface({ interfaces }));
  },
  watch(onChange) {
    return watchAddresses(onChange);
  },
};
