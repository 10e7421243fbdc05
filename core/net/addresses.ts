/**
 * LAN address discovery and ranking: which address of this machine should a phone or PC on the
 * same network type in (or scan as a QR code)?
 *
 * The classic trap of LAN-sharing apps is showing the wrong address: the VPN's, Docker's,
 * VirtualBox's host-only 192.168.56.1, WSL's vEthernet, a hotspot's. So every candidate is listed,
 * classified from the address range and the interface's name, and ranked with the private address
 * of the default-route interface first. The UI shows the list and lets the user pick.
 *
 * Everything except {@link detectDefaultRouteInterface} and {@link watchAddresses} is pure, so the
 * ranking is tested with fixtures shaped like `os.networkInterfaces()` output from each OS.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import os from 'node:os';

import type { AddressKind, CandidateAddress } from './address-types.js';

export type { AddressKind, CandidateAddress } from './address-types.js';
export { ADDRESS_KIND_TEXT } from './address-types.js';

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

/** How long `route` may take before the default route is given up on (ms). */
const ROUTE_COMMAND_TIMEOUT_MS = 3000;
/** PowerShell starts slowly (a second or more on a cold machine), so it gets longer (ms). */
const POWERSHELL_TIMEOUT_MS = 6000;

// ---------------------------------------------------------------------------------------------
// Address ranges

type AddressClass = 'loopback' | 'link-local' | 'private' | 'cgnat' | 'ula' | 'global' | 'unusable';

function blockList(rules: [string, number][], type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of rules) list.addSubnet(network, prefix, type);
  return list;
}

const V4_LOOPBACK = blockList([['127.0.0.0', 8]], 'ipv4');
const V4_LINK_LOCAL = blockList([['169.254.0.0', 16]], 'ipv4');
const V4_CGNAT = blockList([['100.64.0.0', 10]], 'ipv4');
const V4_UNUSABLE = blockList(
  [
    ['0.0.0.0', 8], // "this network"
    ['224.0.0.0', 4], // multicast
    ['255.255.255.255', 32], // broadcast
  ],
  'ipv4',
);
// RFC 1918 plus the other ranges that are not routed on the internet (IANA special-purpose
// registry): documentation, benchmarking, reserved. They are "private" for our purpose: a client
// reaching them is on the same network. (Test rigs and some ISPs' equipment do use them on LANs.)
const V4_PRIVATE = blockList(
  [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['240.0.0.0', 4],
  ],
  'ipv4',
);
const V6_LINK_LOCAL = blockList([['fe80::', 10]], 'ipv6');
// fc00::/7 is the whole ULA block; only fd00::/8 is assigned today, but fc00::/8 is still local.
// fec0::/10 (deprecated site-local) is treated the same.
const V6_ULA = blockList(
  [
    ['fc00::', 7],
    ['fec0::', 10],
  ],
  'ipv6',
);
const V6_GLOBAL = blockList([['2000::', 3]], 'ipv6');
const V6_DOCUMENTATION = blockList([['2001:db8::', 32]], 'ipv6');
const V6_UNUSABLE = blockList([['ff00::', 8]], 'ipv6');

function classifyAddress(address: string, family: 'IPv4' | 'IPv6'): AddressClass {
  if (family === 'IPv4') {
    if (!isIPv4(address)) return 'unusable';
    if (V4_LOOPBACK.check(address, 'ipv4')) return 'loopback';
    if (V4_LINK_LOCAL.check(address, 'ipv4')) return 'link-local';
    if (V4_UNUSABLE.check(address, 'ipv4')) return 'unusable';
    if (V4_CGNAT.check(address, 'ipv4')) return 'cgnat';
    if (V4_PRIVATE.check(address, 'ipv4')) return 'private';
    return 'global';
  }
  if (!isIPv6(address)) return 'unusable';
  if (address === '::1') return 'loopback';
  if (address === '::') return 'unusable';
  if (V6_LINK_LOCAL.check(address, 'ipv6')) return 'link-local';
  if (V6_UNUSABLE.check(address, 'ipv6')) return 'unusable';
  if (V6_ULA.check(address, 'ipv6')) return 'ula';
  if (V6_DOCUMENTATION.check(address, 'ipv6')) return 'ula';
  if (V6_GLOBAL.check(address, 'ipv6')) return 'global';
  // Anything else (IPv4-mapped, NAT64 well-known prefix, discard-only, …) is not a host address
  // a client should be told about.
  return 'unusable';
}

// ---------------------------------------------------------------------------------------------
// Interface names

type InterfaceClass = 'physical' | 'unknown' | 'virtual' | 'vpn' | 'loopback';

interface InterfaceRule {
  test: RegExp;
  cls: InterfaceClass;
  /** Human description; the label is "description (name)" unless the name already says it. */
  description: string;
}

// Order matters: the first match wins, so the specific virtual/VPN names come before the generic
// physical ones ("vEthernet (WSL)" contains "Ethernet"; "Local Area Connection* 10" is a virtual
// Wi-Fi Direct adapter while "Local Area Connection 2" is a NIC).
const INTERFACE_RULES: InterfaceRule[] = [
  { test: /^(lo\d*|loopback pseudo-interface.*)$/i, cls: 'loopback', description: 'Loopback' },

  // VPNs and overlay networks.
  { test: /^tailscale/i, cls: 'vpn', description: 'Tailscale' },
  { test: /^(zt[0-9a-z]+|zerotier.*)$/i, cls: 'vpn', description: 'ZeroTier' },
  { test: /^wg/i, cls: 'vpn', description: 'WireGuard' },
  { test: /^nordlynx$/i, cls: 'vpn', description: 'NordVPN' },
  { test: /^cloudflarewarp$/i, cls: 'vpn', description: 'Cloudflare WARP' },
  { test: /^mullvad/i, cls: 'vpn', description: 'Mullvad VPN' },
  { test: /^ipsec/i, cls: 'vpn', description: 'IPsec VPN' },
  { test: /^ppp/i, cls: 'vpn', description: 'PPP' },
  // utun: macOS VPNs (and, with only link-local addresses, iCloud/system tunnels).
  // gpd: GlobalProtect. feth: macOS fake-ethernet pairs, used by ZeroTier and other overlays.
  { test: /^(utun|tun|tap|gpd|feth)\d*/i, cls: 'vpn', description: 'VPN' },
  { test: /vpn|anyconnect|openconnect|fortinet|forticlient|pangp/i, cls: 'vpn', description: 'VPN' },

  // Containers and virtual machines.
  { test: /^docker/i, cls: 'virtual', description: 'Docker' },
  { test: /^br-[0-9a-f]{12}$/i, cls: 'virtual', description: 'Docker network' },
  // Case-sensitive: Linux names are lower-case, and Windows' "vEthernet (…)" starts with "vEth".
  { test: /^veth/, cls: 'virtual', description: 'Container link' },
  { test: /^podman/i, cls: 'virtual', description: 'Podman' },
  { test: /^(cni|flannel|cali|cilium|kube|weave|vxlan)/, cls: 'virtual', description: 'Kubernetes' },
  { test: /^(lxcbr|lxdbr|incusbr)/i, cls: 'virtual', description: 'LXC / LXD' },
  { test: /^(virbr|vnet)\d*/, cls: 'virtual', description: 'libvirt VM network' },
  { test: /^waydroid/i, cls: 'virtual', description: 'Waydroid' },
  { test: /^(vmnet|vmware network adapter)/i, cls: 'virtual', description: 'VMware' },
  { test: /^(vboxnet|virtualbox)/i, cls: 'virtual', description: 'VirtualBox' },
  { test: /^vethernet/i, cls: 'virtual', description: 'Hyper-V / WSL' },
  { test: /^(bnep|pan\d|bluetooth)/i, cls: 'virtual', description: 'Bluetooth' },
  { test: /^local area connection\*/i, cls: 'virtual', description: 'Mobile hotspot / Wi-Fi Direct' },
  { test: /^(teredo|isatap|6to4|gif\d|stf\d)/i, cls: 'virtual', description: 'IPv6 tunnel' },
  // macOS: bridge0 is Thunderbolt Bridge; bridge100+ are Internet Sharing and VM (vmnet) bridges.
  { test: /^bridge0$/i, cls: 'virtual', description: 'Thunderbolt Bridge' },
  { test: /^bridge\d+$/i, cls: 'virtual', description: 'Internet Sharing / VM bridge' },
  { test: /^awdl\d*/i, cls: 'virtual', description: 'Apple Wireless Direct Link' },
  { test: /^llw\d*/i, cls: 'virtual', description: 'Low-latency WLAN' },
  { test: /^anpi\d*/i, cls: 'virtual', description: 'Apple private interface' },
  { test: /^ap\d+$/i, cls: 'virtual', description: 'Wi-Fi hotspot' },

  // Physical-looking names. macOS calls both Wi-Fi and Ethernet en<N>; Linux's predictable names
  // (enp3s0, eno1, ens33, enx…) are wired.
  { test: /^en\d+$/, cls: 'physical', description: 'Wi-Fi / Ethernet' },
  { test: /^(eth\d|en[opsx]|em\d|p\d+p\d+|bond|team)/, cls: 'physical', description: 'Ethernet' },
  { test: /^(wlan|wl|wifi)/, cls: 'physical', description: 'Wi-Fi' },
  { test: /^(ww|rmnet)/, cls: 'physical', description: 'Mobile broadband' },
  // Windows friendly names, including common localisations.
  { test: /^(wi-fi|wlan|wireless|drahtlos)/i, cls: 'physical', description: 'Wi-Fi' },
  {
    test: /^(ethernet|lan\b|lan-verbindung|local area connection|connexion au r|conexi)/i,
    cls: 'physical',
    description: 'Ethernet',
  },
  { test: /^(cellular|mobile broadband|mobilfunk)/i, cls: 'physical', description: 'Mobile broadband' },
];

// Host-side MAC prefixes of hypervisor adapters, for Windows, where the adapter may be named
// "Ethernet 2" (VirtualBox 6+ names its host-only adapter that way). Only host-side prefixes are
// listed, so an OS running *inside* a VM does not mistake its own NIC for a virtual adapter.
const VIRTUAL_MAC_PREFIXES: { prefix: string; cls: InterfaceClass; description: string }[] = [
  { prefix: '0a:00:27:', cls: 'virtual', description: 'VirtualBox' },
  { prefix: '00:50:56:c0:00:', cls: 'virtual', description: 'VMware' },
  // TAP-Windows (OpenVPN and others) generates 00:ff:xx:xx:xx:xx.
  { prefix: '00:ff:', cls: 'vpn', description: 'VPN' },
];

interface InterfaceInfo {
  cls: InterfaceClass;
  description: string;
}

function classifyInterface(name: string, mac: string | undefined): InterfaceInfo {
  const rule = INTERFACE_RULES.find((r) => r.test.test(name));
  if (rule && rule.cls !== 'physical') return { cls: rule.cls, description: rule.description };
  const lowerMac = mac?.toLowerCase();
  const byMac = lowerMac && VIRTUAL_MAC_PREFIXES.find((m) => lowerMac.startsWith(m.prefix));
  if (byMac) return { cls: byMac.cls, description: byMac.description };
  if (rule) return { cls: rule.cls, description: rule.description };
  return { cls: 'unknown', description: 'Network' };
}

function labelFor(name: string, info: InterfaceInfo): string {
  if (info.cls === 'loopback') return 'Loopback';
  // Windows names often say it already: "Wi-Fi", "Ethernet 2", "VMware Network Adapter VMnet8".
  const lowerName = name.toLowerCase();
  const lowerDescription = info.description.toLowerCase();
  if (lowerName === lowerDescription || lowerName.startsWith(`${lowerDescription} `)) return name;
  return `${info.description} (${name})`;
}

// ---------------------------------------------------------------------------------------------
// Ranking

interface Scored {
  candidate: Omit<CandidateAddress, 'rank'>;
  keys: (number | string)[];
}

const CLASS_ORDER: Record<InterfaceClass, number> = { physical: 0, unknown: 1, virtual: 2, vpn: 3, loopback: 4 };

function normaliseFamily(family: string | number): 'IPv4' | 'IPv6' | undefined {
  if (family === 'IPv4' || family === 4) return 'IPv4';
  if (family === 'IPv6' || family === 6) return 'IPv6';
  return undefined;
}

/**
 * Lists this machine's addresses, classified, labelled and ranked for a user choosing one.
 *
 * Order (rank 0 first):
 * 0. a private IPv4 address on the default-route interface;
 * 1. other private IPv4 addresses on physical-looking interfaces (en*, eth*, wlan*, "Wi-Fi", …);
 * 2. private IPv4 on interfaces with unrecognised names (br0, bond0, a localised Windows name);
 * 3. public IPv4;
 * 4. IPv6 ULA, then global (IPv4 is first because every FTP client and phone app handles it,
 *    while many mishandle bracketed IPv6 URLs; global IPv6 may be a rotating temporary address);
 * 5. virtual adapters (Docker, VMs, WSL, Bluetooth, hotspot);
 * 6. VPNs (a CGNAT 100.64/10 address counts as VPN on a VPN interface, as LAN elsewhere);
 * 7. link-local (169.254/16, fe80::/10);
 * 8. loopback.
 * Within a tier the default-route interface comes first, then IPv4, then by interface name.
 *
 * A default route through a VPN gets no bonus (a full-tunnel VPN is exactly the "wrong address"
 * case). A default route through an interface whose name looks virtual does: that is a bridge to a
 * real network (a Hyper-V external switch, a Linux host bridging its VMs), so it counts as LAN.
 * Unusable addresses (multicast, unspecified) are left out.
 *
 * `interfaces` defaults to `os.networkInterfaces()` (an empty list if that throws, as it can in
 * some sandboxes).
 */
export function listCandidateAddresses(
  interfaces: InterfaceMap = readNetworkInterfaces(),
  defaultRouteInterface?: string,
): CandidateAddress[] {
  const scored: Scored[] = [];
  const seen = new Set<string>();
  for (const [name, entries] of Object.entries(interfaces)) {
    if (!entries) continue;
    for (const entry of entries) {
      const family = normaliseFamily(entry.family);
      if (!family) continue;
      const address = entry.address.split('%')[0] ?? entry.address;
      const addressClass = classifyAddress(address, family);
      if (addressClass === 'unusable') continue;
      const dedupeKey = `${name}\u0000${address}`;
      if (seen.has(dedupeKey)) continue;
      seen.add(dedupeKey);

      const info = classifyInterface(name, entry.mac);
      const isDefaultRoute = defaultRouteInterface !== undefined && name === defaultRouteInterface;
      let cls = info.cls;
      if (cls === 'virtual' && isDefaultRoute) cls = 'physical';

      let kind: AddressKind;
      if (entry.internal || addressClass === 'loopback' || cls === 'loopback') kind = 'loopback';
      else if (addressClass === 'link-local') kind = 'link-local';
      else if (cls === 'vpn') kind = 'vpn';
      else if (cls === 'virtual') kind = 'virtual';
      else if (addressClass === 'global') kind = 'public';
      else kind = 'lan';

      let tier: number;
      if (kind === 'loopback') tier = 8;
      else if (kind === 'link-local') tier = 7;
      else if (kind === 'vpn') tier = 6;
      else if (kind === 'virtual') tier = 5;
      else if (family === 'IPv6') tier = 4;
      else if (kind === 'public') tier = 3;
      else if (isDefaultRoute) tier = 0;
      else if (cls === 'physical') tier = 1;
      else tier = 2;

      const candidate: Omit<CandidateAddress, 'rank'> = {
        address,
        family,
        interfaceName: name,
        kind,
        label: labelFor(name, info),
      };
      if (family === 'IPv6' && addressClass === 'link-local' && entry.scopeid) {
        candidate.scopeId = entry.scopeid;
      }
      scored.push({
        candidate,
        keys: [
          tier,
          isDefaultRoute ? 0 : 1,
          family === 'IPv4' ? 0 : 1,
          CLASS_ORDER[cls],
          addressClass === 'ula' ? 0 : 1,
          name,
          address,
        ],
      });
    }
  }
  scored.sort((a, b) => compareKeys(a.keys, b.keys));
  return scored.map((s, rank) => ({ ...s.candidate, rank }));
}

function readNetworkInterfaces(): InterfaceMap {
  try {
    return os.networkInterfaces();
  } catch {
    return {};
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compareKeys(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
    if (d !== 0) return d;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Default route

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

/** The name of the interface that holds `address`, if any. */
export function interfaceNameForAddress(interfaces: InterfaceMap, address: string): string | undefined {
  for (const [name, entries] of Object.entries(interfaces)) {
    if (entries?.some((e) => e.address === address)) return name;
  }
  return undefined;
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
      const interfaces = options.interfaces ?? os.networkInterfaces();
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

// ---------------------------------------------------------------------------------------------
// Watching

/** Options of {@link watchAddresses}; both exist so tests can feed data instead of a network. */
export interface WatchAddressesOptions {
  /** Defaults to `os.networkInterfaces`. */
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
  const readInterfaces = options.readInterfaces ?? (() => os.networkInterfaces());
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
      return; // os.networkInterfaces() can throw in sandboxes; try again next tick
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

// ---------------------------------------------------------------------------------------------
// URLs

/** Options of {@link ftpUrl}. */
export interface FtpUrlOptions {
  /** Implicit FTPS gets `ftps://`; explicit FTPS (AUTH TLS) is negotiated on an `ftp://` URL. */
  implicitTls?: boolean;
  /** Put in the URL as `user@` (percent-encoded) so clients pre-fill it; never a password. */
  username?: string;
}

/**
 * Builds the URL a client opens: `ftp://host:port/`, or `ftps://host:port/` for implicit TLS.
 *
 * IPv6 hosts are bracketed. A zone id (`fe80::1%en0`) is kept and its `%` encoded as `%25`, per
 * RFC 6874. Note that a zone id names an interface *of the machine that uses the URL*: the
 * server's own zone (its `scopeId`) means nothing to a phone, so callers building a URL for a
 * client should pass a link-local address without one (and prefer a non-link-local address).
 * WHATWG URL parsers (browsers, Node's `URL`) reject zone ids altogether.
 * Explicit FTPS has no standard scheme (FileZilla's `ftpes://` is unknown to most clients), so it
 * uses `ftp://`. The port is always written, since ours is rarely 21.
 *
 * @throws RangeError when `port` is not an integer in 1–65535.
 */
export function ftpUrl(host: string, port: number, options: FtpUrlOptions = {}): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Port must be between 1 and 65535, got ${port}`);
  }
  let h = host.trim();
  const bracketed = h.startsWith('[') && h.endsWith(']');
  if (bracketed) h = h.slice(1, -1);
  if (h.includes(':')) {
    const percent = h.indexOf('%');
    if (percent >= 0) {
      // A bracketed host is URL syntax, its zone already encoded ("%25en0"); a bare one is an OS
      // address whose zone is raw ("%en0", or Windows' numeric "%25", which is zone 25).
      const zone = h.slice(percent + 1);
      const rawZone = bracketed ? decodeURIComponentSafe(zone.replace(/^25/, '')) : zone;
      h = `${h.slice(0, percent)}%25${encodeURIComponent(rawZone)}`;
    }
    h = `[${h}]`;
  }
  const scheme = options.implicitTls ? 'ftps' : 'ftp';
  const user = options.username ? `${encodeURIComponent(options.username)}@` : '';
  return `${scheme}://${user}${h}:${port}/`;
}

/** A candidate address with the URL a client opens for it. */
export interface CandidateUrl {
  url: string;
  address: string;
  label: string;
  kind: AddressKind;
}

/**
 * The URL of each candidate, in the candidates' order (best first). A link-local address gets no
 * zone: the server's zone id means nothing to the client, so its kind says "link-local" instead.
 * Addresses {@link ftpUrl} refuses are left out.
 */
export function candidateUrls(candidates: readonly CandidateAddress[], port: number, options: FtpUrlOptions = {}): CandidateUrl[] {
  const urls: CandidateUrl[] = [];
  for (const c of candidates) {
    try {
      urls.push({ url: ftpUrl(c.address, port, options), address: c.address, label: c.label, kind: c.kind });
    } catch {
      // Not an address to show.
    }
  }
  return urls;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
