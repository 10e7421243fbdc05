/**
 * LAN address discovery and ranking: which address of this machine should a phone or PC on the
 * same network type in (or scan as a QR code)?
 *
 * The classic trap of LAN-sharing apps is showing the wrong address: the VPN's, Docker's,
 * VirtualBox's host-only 192.168.56.1, WSL's vEthernet, a hotspot's. So every candidate is listed,
 * classified from the address range and the interface's name, and ranked with the private address
 * of the default-route interface first. The UI shows the list and lets the user pick.
 *
 * The ranking is pure, tested with fixtures shaped like `os.networkInterfaces()` output from each
 * OS. The default route (default-route.ts), the watcher (address-watch.ts) and the URLs (urls.ts)
 * live beside it.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { AddressKind, CandidateAddress } from './address-types.js';
import { readNetworkInterfaces, type InterfaceMap } from './interfaces.js';

export type { AddressKind, CandidateAddress } from './address-types.js';
export { ADDRESS_KIND_TEXT } from './address-types.js';

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
