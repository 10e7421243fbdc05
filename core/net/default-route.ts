/**
 * Which interface carries the default route: the address on it is the one a LAN client most
 * likely reaches. Each OS is asked its own way; the parsers are pure and tested with captured
 * output.
 */
import { execFile } from 'node:child_process';
import { isIPv4 } from 'node:net';
import { readFile } from 'node:fs/promises';
import { interfaceNameForAddress, readNetworkInterfaces, type InterfaceMap } from './interfaces.js';

/** How long `route` may take before the default route is given up on (ms). */
const ROUTE_COMMAND_TIMEOUT_MS = 3000;
/** PowerShell starts slowly (a second or more on a cold machine), so it gets longer (ms). */
const POWERSHELL_TIMEOUT_MS = 6000;

/**
 * Finds the interface of the IPv4 default route in Linux's `/proc/net/route`.
 *
 * Picks the up (RTF_UP) route to 0.0.0.0/0 with the lowest metric. Only the main table is shown
 * there, which is what we want: wg-quick's full-tunnel routing lives in its own table.
 */
export function parseProcNetRoute(text: string): string | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const col = (name: string, fallback: number): number => {
    const i = header.findIndex((h) => h.toLowerCase() === name);
    return i >= 0 ? i : fallback;
  };
  const iIface = col('iface', 0);
  const iDest = col('destination', 1);
  const iFlags = col('flags', 3);
  const iMetric = col('metric', 6);
  const iMask = col('mask', 7);
  let best: { iface: string; metric: number } | undefined;
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    const iface = f[iIface];
    if (!iface || f[iDest] !== '00000000' || f[iMask] !== '00000000') continue;
    const flags = Number.parseInt(f[iFlags] ?? '0', 16);
    if (!(flags & 0x1)) continue; // RTF_UP
    const metric = Number.parseInt(f[iMetric] ?? '0', 10) || 0;
    if (!best || metric < best.metric) best = { iface, metric };
  }
  return best?.iface;
}

/**
 * Finds the interface of the IPv6 default route in Linux's `/proc/net/ipv6_route`, for hosts
 * without an IPv4 default route. Skips reject routes (the kernel's `lo` placeholder) and `lo`.
 */
export function parseProcNetIpv6Route(text: string): string | undefined {
  let best: { iface: string; metric: number } | undefined;
  for (const line of text.split('\n')) {
    // dest destPrefixLen src srcPrefixLen nextHop metric refCnt use flags iface
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, prefix, , , , metricHex, , , flagsHex, iface] = f;
    if (!iface || iface === 'lo' || !/^0{32}$/.test(dest ?? '') || prefix !== '00') continue;
    const flags = Number.parseInt(flagsHex ?? '0', 16);
    if (!(flags & 0x1) || flags & 0x200) continue; // RTF_UP, not RTF_REJECT
    const metric = Number.parseInt(metricHex ?? '0', 16);
    if (!best || metric < best.metric) best = { iface, metric };
  }
  return best?.iface;
}

/** Finds the `interface:` line of `route -n get default` output (macOS and the BSDs). */
export function parseBsdRouteGet(text: string): string | undefined {
  return /^\s*interface:\s*(\S+)\s*$/m.exec(text)?.[1];
}

/**
 * Finds the interface *address* of the lowest-metric default route in Windows `route print -4`
 * output; {@link interfaceNameForAddress} turns it into a name.
 *
 * Works on localised output: it reads only lines whose first two columns are 0.0.0.0, whose last
 * column is the metric and whose second-to-last is an IPv4 address ("On-link" is translated, and
 * German's "Auf Verbindung" is two words). Persistent-route lines have four columns and no
 * interface, so requiring five skips them.
 */
export function parseWindowsRoutePrint(text: string): string | undefined {
  let best: { address: string; metric: number } | undefined;
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[0] !== '0.0.0.0' || f[1] !== '0.0.0.0') continue;
    const metricText = f[f.length - 1]!;
    const address = f[f.length - 2]!;
    if (!/^\d+$/.test(metricText) || !isIPv4(address)) continue;
    const metric = Number(metricText);
    if (!best || metric < best.metric) best = { address, metric };
  }
  return best?.address;
}

/** Reads the interface alias printed by the PowerShell `Get-NetRoute` fallback (first line). */
export function parsePowerShellRouteAlias(text: string): string | undefined {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line || undefined;
}


function run(file: string, args: string[], timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(file, args, { timeout, windowsHide: true, encoding: 'utf8' }, (err, stdout) => {
        resolve(err ? undefined : stdout);
      });
    } catch {
      resolve(undefined);
    }
  });
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Options of {@link detectDefaultRouteInterface}, for tests and unusual hosts. */
export interface DetectDefaultRouteOptions {
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
  /** Used on Windows to map the route's interface address to a name. */
  interfaces?: InterfaceMap;
}

/**
 * Finds the name of the interface that carries the default route, or undefined. Never throws.
 *
 * Linux reads `/proc/net/route` (then `/proc/net/ipv6_route`); macOS and the BSDs run
 * `/sbin/route -n get default` (absolute, because apps started from the Finder get a minimal
 * PATH); Windows runs `route print -4 0.0.0.0` and falls back to PowerShell's `Get-NetRoute`.
 * Each command has a short timeout. Anything else returns undefined.
 */
export async function detectDefaultRouteInterface(
  options: DetectDefaultRouteOptions = {},
): Promise<string | undefined> {
  const platform = options.platform ?? process.platform;
  try {
    if (platform === 'linux' || platform === 'android') {
      const v4 = await readText('/proc/net/route');
      const fromV4 = v4 === undefined ? undefined : parseProcNetRoute(v4);
      if (fromV4) return fromV4;
      const v6 = await readText('/proc/net/ipv6_route');
      return v6 === undefined ? undefined : parseProcNetIpv6Route(v6);
    }
    if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd' || platform === 'netbsd') {
      const v4 = await run('/sbin/route', ['-n', 'get', 'default'], ROUTE_COMMAND_TIMEOUT_MS);
      const fromV4 = v4 === undefined ? undefined : parseBsdRouteGet(v4);
      if (fromV4) return fromV4;
      const v6 = await run('/sbin/route', ['-n', 'get', '-inet6', 'default'], ROUTE_COMMAND_TIMEOUT_MS);
      return v6 === undefined ? undefined : parseBsdRouteGet(v6);
    }
    if (platform === 'win32') {
      const interfaces = options.interfaces ?? readNetworkInterfaces();
      const printed = await run('route', ['print', '-4', '0.0.0.0'], ROUTE_COMMAND_TIMEOUT_MS);
      const address = printed === undefined ? undefined : parseWindowsRoutePrint(printed);
      const name = address === undefined ? undefined : interfaceNameForAddress(interfaces, address);
      if (name) return name;
      const script =
        "Get-NetRoute -DestinationPrefix '0.0.0.0/0' -ErrorAction SilentlyContinue | " +
        'Sort-Object { $_.RouteMetric + $_.InterfaceMetric } | ' +
        'Select-Object -First 1 -ExpandProperty InterfaceAlias';
      const alias = await run(
        'powershell.exe',
        ['-NoProfile', '-NonInteractive', '-Command', script],
        POWERSHELL_TIMEOUT_MS,
      );
      return alias === undefined ? undefined : parsePowerShellRouteAlias(alias);
    }
  } catch {
    // Detection is a hint for ranking; without it the ranking still works.
  }
  return undefined;
}
