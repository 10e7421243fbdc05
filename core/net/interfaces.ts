/**
 * This machine's network interfaces, read in one guarded place: `os.networkInterfaces()` throws
 * in some sandboxes (Android's Termux, restricted containers), which must never stop sharing.
 */
import os from 'node:os';

/**
 * One entry of `os.networkInterfaces()`, reduced to what the ranking reads so that fixtures stay
 * short. `family` is a number on Node 18.0–18.3, a string everywhere else.
 */
export interface InterfaceAddressInfo {
  address: string;
  family: string | number;
  internal: boolean;
  mac?: string;
  scopeid?: number;
}

/** The shape of `os.networkInterfaces()` output (which is assignable to it). */
export type InterfaceMap = Readonly<Record<string, readonly InterfaceAddressInfo[] | undefined>>;

/** `os.networkInterfaces()`, or no interfaces where the OS refuses to list them. */
export function readNetworkInterfaces(): InterfaceMap {
  try {
    return os.networkInterfaces();
  } catch {
    return {};
  }
}

/** The name of the interface that holds `address`, if any. */
export function interfaceNameForAddress(interfaces: InterfaceMap, address: string): string | undefined {
  for (const [name, entries] of Object.entries(interfaces)) {
    if (entries?.some((e) => e.address === address)) return name;
  }
  return undefined;
}
