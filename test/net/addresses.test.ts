import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep, waitFor } from '../helpers/wait.js';
import {
  detectDefaultRouteInterface,
  ftpUrl,
  interfaceNameForAddress,
  listCandidateAddresses,
  parseBsdRouteGet,
  parsePowerShellRouteAlias,
  parseProcNetIpv6Route,
  parseProcNetRoute,
  parseWindowsRoutePrint,
  watchAddresses,
  type CandidateAddress,
  type InterfaceAddressInfo,
  type InterfaceMap,
} from '../../core/net/index.js';

// Fixture builders shaped like os.networkInterfaces() entries (only the fields the ranking reads).
function v4(address: string, mac = '52:54:00:12:34:56'): InterfaceAddressInfo {
  return { address, family: 'IPv4', internal: false, mac };
}
function v6(address: string, scopeid = 0, mac = '52:54:00:12:34:56'): InterfaceAddressInfo {
  return { address, family: 'IPv6', internal: false, mac, scopeid };
}
function loopback(...addresses: string[]): InterfaceAddressInfo[] {
  return addresses.map((address) => ({
    address,
    family: address.includes(':') ? 'IPv6' : 'IPv4',
    internal: true,
    mac: '00:00:00:00:00:00',
    scopeid: 0,
  }));
}

function find(list: CandidateAddress[], address: string): CandidateAddress {
  const found = list.find((c) => c.address === address);
  assert.ok(found, `${address} is listed`);
  return found;
}

const linux: InterfaceMap = {
  lo: loopback('127.0.0.1', '::1'),
  eth0: [v4('192.168.1.20'), v6('fe80::5054:ff:fe12:3456', 2), v6('2a01:4f8:c17:1::20'), v6('fd12:3456:789a::20')],
  wlan0: [v4('10.0.0.42')],
  docker0: [v4('172.17.0.1', '02:42:ac:11:00:01')],
  'br-3f2a1b4c5d6e': [v4('172.18.0.1', '02:42:ac:12:00:01')],
  veth1a2b3c4: [v6('fe80::4c2e:1ff:fe3a:9b0c', 7)],
  virbr0: [v4('192.168.122.1')],
  tailscale0: [v4('100.101.102.103'), v6('fd7a:115c:a1e0::1')],
  wg0: [v4('10.8.0.2')],
};

const macos: InterfaceMap = {
  lo0: loopback('127.0.0.1', '::1', 'fe80::1'),
  anpi0: [v6('fe80::7c1b:3aff:fe44:1', 4)],
  en0: [v6('fe80::1c2b:8a1f:e3b0:77aa', 11), v4('192.168.0.105'), v6('2003:e1:bf0f:1200:1c2b:8a1f:e3b0:77aa')],
  en1: [v4('10.1.1.5')],
  awdl0: [v6('fe80::a8b2:c3ff:fed4:e5f6', 12)],
  llw0: [v6('fe80::a8b2:c3ff:fed4:e5f6', 13)],
  utun0: [v6('fe80::ce81:b1c:bd2c:69e', 14)],
  utun1: [v6('fe80::1dba:63c2:a1f4:e0c1', 15)],
  utun2: [v6('fe80::f2a1:2d3f:4e5f:6071', 16)],
  utun3: [v4('10.64.0.2')],
  bridge100: [v4('192.168.64.1'), v6('fe80::1ca3:4ff:fe5b:6c64', 17)],
};

const windows: InterfaceMap = {
  'Loopback Pseudo-Interface 1': loopback('::1', '127.0.0.1'),
  'Bluetooth Network Connection': [v6('fe80::9d3c:1b2a:3c4d:5e6f', 9), v4('169.254.99.1')],
  Ethernet: [v6('fe80::2c1d:4e5f:6a7b:8c9d', 5), v4('169.254.12.3')],
  'vEthernet (WSL)': [v4('172.29.64.1', '00:15:5d:aa:bb:cc')],
  'vEthernet (Default Switch)': [v4('172.20.16.1', '00:15:5d:dd:ee:ff')],
  'VirtualBox Host-Only Network': [v4('192.168.56.1', '0a:00:27:00:00:0a')],
  // VirtualBox 6+ names its host-only adapter "Ethernet 2": only the MAC gives it away.
  'Ethernet 2': [v4('192.168.57.1', '0a:00:27:00:00:0b')],
  'VMware Network Adapter VMnet8': [v4('192.168.111.1', '00:50:56:c0:00:08')],
  'Local Area Connection* 10': [v4('192.168.137.1', '9e:b6:d0:11:22:33')],
  Tailscale: [v4('100.88.1.2'), v6('fd7a:115c:a1e0::2')],
  'Wi-Fi': [v6('fe80::8d4b:1c2d:3e4f:5a6b', 12), v4('192.168.178.23', '9c:b6:d0:11:22:33')],
};

test('Linux: the default-route LAN address is first, each interface labelled and classified', () => {
  const list = listCandidateAddresses(linux, 'eth0');
  assert.deepEqual(
    list.map((c) => [c.address, c.kind, c.label]),
    [
      ['192.168.1.20', 'lan', 'Ethernet (eth0)'],
      ['10.0.0.42', 'lan', 'Wi-Fi (wlan0)'],
      ['fd12:3456:789a::20', 'lan', 'Ethernet (eth0)'],
      ['2a01:4f8:c17:1::20', 'public', 'Ethernet (eth0)'],
      ['172.18.0.1', 'virtual', 'Docker network (br-3f2a1b4c5d6e)'],
      ['172.17.0.1', 'virtual', 'Docker (docker0)'],
      ['192.168.122.1', 'virtual', 'libvirt VM network (virbr0)'],
      ['100.101.102.103', 'vpn', 'Tailscale (tailscale0)'],
      ['10.8.0.2', 'vpn', 'WireGuard (wg0)'],
      ['fd7a:115c:a1e0::1', 'vpn', 'Tailscale (tailscale0)'],
      ['fe80::5054:ff:fe12:3456', 'link-local', 'Ethernet (eth0)'],
      ['fe80::4c2e:1ff:fe3a:9b0c', 'link-local', 'Container link (veth1a2b3c4)'],
      ['127.0.0.1', 'loopback', 'Loopback'],
      ['::1', 'loopback', 'Loopback'],
    ],
  );
  assert.deepEqual(
    list.map((c) => c.rank),
    list.map((_, i) => i),
  );
  assert.equal(find(list, 'fe80::5054:ff:fe12:3456').scopeId, 2);
  assert.equal(find(list, '192.168.1.20').scopeId, undefined);
  assert.equal(find(list, '192.168.1.20').family, 'IPv4');
  assert.equal(find(list, 'fd12:3456:789a::20').family, 'IPv6');
});

test('Linux: the default route decides between two physical interfaces', () => {
  assert.equal(listCandidateAddresses(linux, 'wlan0')[0]?.address, '10.0.0.42');
  assert.equal(listCandidateAddresses(linux, 'eth0')[0]?.address, '192.168.1.20');
  // Without a known default route, physical interfaces are ordered by name.
  assert.equal(listCandidateAddresses(linux)[0]?.address, '192.168.1.20');
});

test('a full-tunnel VPN carrying the default route does not win', () => {
  assert.equal(listCandidateAddresses(linux, 'wg0')[0]?.address, '192.168.1.20');
  assert.equal(find(listCandidateAddresses(linux, 'wg0'), '10.8.0.2').kind, 'vpn');
  assert.equal(listCandidateAddresses(macos, 'utun3')[0]?.address, '192.168.0.105');
});

test('CGNAT 100.64/10 is VPN on a VPN interface and LAN elsewhere', () => {
  const list = listCandidateAddresses({ eth0: [v4('100.72.3.4')], tailscale0: [v4('100.101.1.1')] }, 'eth0');
  assert.equal(find(list, '100.72.3.4').kind, 'lan');
  assert.equal(find(list, '100.101.1.1').kind, 'vpn');
  assert.equal(list[0]?.address, '100.72.3.4');
});

test('macOS: en0 first, utun/awdl/llw/bridge/anpi classified, loopback last', () => {
  const list = listCandidateAddresses(macos, 'en0');
  assert.deepEqual(
    list.slice(0, 3).map((c) => [c.address, c.kind, c.label]),
    [
      ['192.168.0.105', 'lan', 'Wi-Fi / Ethernet (en0)'],
      ['10.1.1.5', 'lan', 'Wi-Fi / Ethernet (en1)'],
      ['2003:e1:bf0f:1200:1c2b:8a1f:e3b0:77aa', 'public', 'Wi-Fi / Ethernet (en0)'],
    ],
  );
  assert.deepEqual(
    [find(list, '192.168.64.1').kind, find(list, '192.168.64.1').label],
    ['virtual', 'Internet Sharing / VM bridge (bridge100)'],
  );
  assert.deepEqual([find(list, '10.64.0.2').kind, find(list, '10.64.0.2').label], ['vpn', 'VPN (utun3)']);
  const utun0 = find(list, 'fe80::ce81:b1c:bd2c:69e');
  assert.deepEqual([utun0.kind, utun0.label, utun0.scopeId], ['link-local', 'VPN (utun0)', 14]);
  const awdl = list.find((c) => c.interfaceName === 'awdl0');
  assert.deepEqual([awdl?.kind, awdl?.label], ['link-local', 'Apple Wireless Direct Link (awdl0)']);
  assert.equal(list.find((c) => c.interfaceName === 'llw0')?.label, 'Low-latency WLAN (llw0)');
  assert.equal(list.find((c) => c.interfaceName === 'anpi0')?.label, 'Apple private interface (anpi0)');
  // lo0's fe80::1 is loopback, not link-local: it is internal.
  const loopbacks = list.filter((c) => c.interfaceName === 'lo0');
  assert.deepEqual(
    loopbacks.map((c) => [c.kind, c.label]),
    [
      ['loopback', 'Loopback'],
      ['loopback', 'Loopback'],
      ['loopback', 'Loopback'],
    ],
  );
  assert.equal(list.at(-1)?.interfaceName, 'lo0');
  // Same link-local address on awdl0 and llw0 (macOS does this) is listed once per interface.
  assert.equal(list.filter((c) => c.address === 'fe80::a8b2:c3ff:fed4:e5f6').length, 2);
});

test('Windows: Wi-Fi first, virtual adapters recognised by name (and VirtualBox by MAC)', () => {
  for (const defaultRoute of ['Wi-Fi', undefined]) {
    const list = listCandidateAddresses(windows, defaultRoute);
    assert.deepEqual([list[0]?.address, list[0]?.kind, list[0]?.label], ['192.168.178.23', 'lan', 'Wi-Fi']);
    const expected: [string, string, string][] = [
      ['172.29.64.1', 'virtual', 'Hyper-V / WSL (vEthernet (WSL))'],
      ['172.20.16.1', 'virtual', 'Hyper-V / WSL (vEthernet (Default Switch))'],
      ['192.168.56.1', 'virtual', 'VirtualBox Host-Only Network'],
      ['192.168.57.1', 'virtual', 'VirtualBox (Ethernet 2)'],
      ['192.168.111.1', 'virtual', 'VMware Network Adapter VMnet8'],
      ['192.168.137.1', 'virtual', 'Mobile hotspot / Wi-Fi Direct (Local Area Connection* 10)'],
      ['100.88.1.2', 'vpn', 'Tailscale'],
      ['fd7a:115c:a1e0::2', 'vpn', 'Tailscale'],
      ['169.254.99.1', 'link-local', 'Bluetooth Network Connection'],
      ['169.254.12.3', 'link-local', 'Ethernet'],
      ['127.0.0.1', 'loopback', 'Loopback'],
    ];
    for (const [address, kind, label] of expected) {
      const c = find(list, address);
      assert.deepEqual([c.kind, c.label], [kind, label], address);
    }
    assert.ok(find(list, '172.29.64.1').rank < find(list, '100.88.1.2').rank, 'virtual before VPN');
    assert.ok(find(list, '100.88.1.2').rank < find(list, '169.254.12.3').rank, 'VPN before link-local');
    assert.ok(find(list, '169.254.12.3').rank < find(list, '127.0.0.1').rank, 'link-local before loopback');
  }
});

test('Windows: a Hyper-V external switch carrying the default route counts as the LAN', () => {
  const list = listCandidateAddresses(
    {
      'vEthernet (WSL)': [v4('172.29.64.1')],
      'vEthernet (External Switch)': [v4('192.168.1.50')],
      'Loopback Pseudo-Interface 1': loopback('127.0.0.1'),
    },
    'vEthernet (External Switch)',
  );
  assert.deepEqual([list[0]?.address, list[0]?.kind], ['192.168.1.50', 'lan']);
  assert.equal(find(list, '172.29.64.1').kind, 'virtual');
});

test('public IPv4 ranks after private LAN and before IPv6 and virtual', () => {
  const list = listCandidateAddresses({
    eth1: [v4('81.2.69.160'), v6('fd00::5')],
    eth0: [v4('192.168.1.2')],
    docker0: [v4('172.17.0.1')],
  });
  assert.deepEqual(
    list.map((c) => [c.address, c.kind]),
    [
      ['192.168.1.2', 'lan'],
      ['81.2.69.160', 'public'],
      ['fd00::5', 'lan'],
      ['172.17.0.1', 'virtual'],
    ],
  );
});

test('more interface names: Linux predictable names, VPN clients, containers', () => {
  const list = listCandidateAddresses({
    enp3s0: [v4('192.168.2.2')],
    wlp2s0: [v4('192.168.2.3')],
    br0: [v4('192.168.2.4')],
    tun0: [v4('10.9.0.2')],
    tap0: [v4('10.9.1.2')],
    ppp0: [v4('10.9.2.2')],
    ipsec0: [v4('10.9.3.2')],
    ztabcdef12: [v4('10.147.17.5')],
    'ZeroTier One [8056c2e21c000001]': [v4('10.147.18.5')],
    'ProtonVPN TUN': [v4('10.2.0.2')],
    vmnet1: [v4('172.16.5.1')],
    vboxnet0: [v4('192.168.56.1')],
    bnep0: [v4('192.168.44.1')],
  });
  const label = (a: string): [string, string] => [find(list, a).kind, find(list, a).label];
  assert.deepEqual(label('192.168.2.2'), ['lan', 'Ethernet (enp3s0)']);
  assert.deepEqual(label('192.168.2.3'), ['lan', 'Wi-Fi (wlp2s0)']);
  // An unrecognised name with a private address is LAN, after the recognised physical ones.
  assert.deepEqual(label('192.168.2.4'), ['lan', 'Network (br0)']);
  assert.ok(find(list, '192.168.2.4').rank > find(list, '192.168.2.3').rank);
  assert.deepEqual(label('10.9.0.2'), ['vpn', 'VPN (tun0)']);
  assert.deepEqual(label('10.9.1.2'), ['vpn', 'VPN (tap0)']);
  assert.deepEqual(label('10.9.2.2'), ['vpn', 'PPP (ppp0)']);
  assert.deepEqual(label('10.9.3.2'), ['vpn', 'IPsec VPN (ipsec0)']);
  assert.deepEqual(label('10.147.17.5'), ['vpn', 'ZeroTier (ztabcdef12)']);
  assert.deepEqual(label('10.147.18.5'), ['vpn', 'ZeroTier One [8056c2e21c000001]']);
  assert.deepEqual(label('10.2.0.2'), ['vpn', 'VPN (ProtonVPN TUN)']);
  assert.deepEqual(label('172.16.5.1'), ['virtual', 'VMware (vmnet1)']);
  assert.deepEqual(label('192.168.56.1'), ['virtual', 'VirtualBox (vboxnet0)']);
  assert.deepEqual(label('192.168.44.1'), ['virtual', 'Bluetooth (bnep0)']);
});

test('unusable addresses are left out; numeric families (Node 18.0–18.3) are understood', () => {
  const list = listCandidateAddresses({
    eth0: [
      { address: '192.168.1.9', family: 4, internal: false },
      { address: 'fd00::9', family: 6, internal: false },
      v4('0.0.0.0'),
      v4('224.0.0.251'),
      v6('ff02::fb'),
      v6('::'),
      v4('not-an-address'),
    ],
    empty: [],
    missing: undefined,
  });
  assert.deepEqual(
    list.map((c) => [c.address, c.family]),
    [
      ['192.168.1.9', 'IPv4'],
      ['fd00::9', 'IPv6'],
    ],
  );
  assert.deepEqual(listCandidateAddresses({}), []);
});

test('listCandidateAddresses reads the real interfaces by default', () => {
  const list = listCandidateAddresses();
  assert.ok(Array.isArray(list));
  for (const c of list) assert.ok(c.label.length > 0);
});

test('parseProcNetRoute: lowest-metric up default route', () => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
    'eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
    'eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'wg0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0', // not up
    '',
  ].join('\n');
  assert.equal(parseProcNetRoute(text), 'eth0');
  assert.equal(parseProcNetRoute(text.split('\n').filter((l) => !l.startsWith('eth0')).join('\n')), 'wlan0');
  assert.equal(parseProcNetRoute('Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n'), undefined);
  assert.equal(parseProcNetRoute(''), undefined);
});

test('parseProcNetIpv6Route: default route, skipping the reject route on lo', () => {
  const zeros = '00000000000000000000000000000000';
  const text = [
    `fd123456789a00000000000000000000 40 ${zeros} 00 ${zeros} 00000100 00000001 00000000 00000001 eth0`,
    `${zeros} 00 ${zeros} 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0`,
    `${zeros} 00 ${zeros} 00 ${zeros} ffffffff 00000001 00000000 00200200 lo`,
  ].join('\n');
  assert.equal(parseProcNetIpv6Route(text), 'eth0');
  assert.equal(parseProcNetIpv6Route(text.split('\n')[2]!), undefined);
});

test('parseBsdRouteGet: the interface line of `route -n get default`', () => {
  const text = `   route to: default
destination: default
       mask: default
    gateway: 192.168.0.1
  interface: en0
      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
 recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire
       0         0         0         0         0         0      1500         0
`;
  assert.equal(parseBsdRouteGet(text), 'en0');
  assert.equal(parseBsdRouteGet('route: writing to routing socket: not in table\n'), undefined);
});

test('parseWindowsRoutePrint: interface address of the lowest-metric default route', () => {
  const english = `===========================================================================
Interface List
 12...9c b6 d0 11 22 33 ......Intel(R) Wi-Fi 6 AX201 160MHz
  1...........................Software Loopback Interface 1
===========================================================================

IPv4 Route Table
===========================================================================
Active Routes:
Network Destination        Netmask          Gateway       Interface  Metric
          0.0.0.0          0.0.0.0     192.168.56.2     192.168.56.1    281
          0.0.0.0          0.0.0.0    192.168.178.1   192.168.178.23     35
===========================================================================
Persistent Routes:
  Network Address          Netmask  Gateway Address  Metric
          0.0.0.0          0.0.0.0      192.168.1.1       1
===========================================================================
`;
  assert.equal(parseWindowsRoutePrint(english), '192.168.178.23');
  const german = `IPv4-Routentabelle
===========================================================================
Aktive Routen:
     Netzwerkziel    Netzwerkmaske          Gateway    Schnittstelle Metrik
          0.0.0.0          0.0.0.0   Auf Verbindung       10.0.0.7     25
===========================================================================
Ständige Routen:
  Keine
`;
  assert.equal(parseWindowsRoutePrint(german), '10.0.0.7');
  assert.equal(parseWindowsRoutePrint('Active Routes:\r\nNone\r\n'), undefined);
  assert.equal(interfaceNameForAddress(windows, '192.168.178.23'), 'Wi-Fi');
  assert.equal(interfaceNameForAddress(windows, '10.10.10.10'), undefined);
});

test('parsePowerShellRouteAlias: the first non-empty line', () => {
  assert.equal(parsePowerShellRouteAlias('\r\nWi-Fi\r\n'), 'Wi-Fi');
  assert.equal(parsePowerShellRouteAlias('  \r\n'), undefined);
});

test('detectDefaultRouteInterface never throws, whatever the platform', async () => {
  assert.equal(await detectDefaultRouteInterface({ platform: 'aix' }), undefined);
  const here = await detectDefaultRouteInterface();
  assert.ok(here === undefined || typeof here === 'string');
  if (process.platform === 'linux') {
    // The commands of other OSes are missing or answer differently here: undefined, not a throw.
    const other = await detectDefaultRouteInterface({ platform: 'darwin' });
    assert.ok(other === undefined || typeof other === 'string');
  }
});

test('ftpUrl: IPv4, IPv6 in brackets, zone ids per RFC 6874, implicit TLS, user name', () => {
  assert.equal(ftpUrl('192.168.1.20', 2121), 'ftp://192.168.1.20:2121/');
  assert.equal(ftpUrl('192.168.1.20', 990, { implicitTls: true }), 'ftps://192.168.1.20:990/');
  assert.equal(ftpUrl('fd12:3456:789a::20', 2121), 'ftp://[fd12:3456:789a::20]:2121/');
  assert.equal(ftpUrl('[fd12::20]', 2121), 'ftp://[fd12::20]:2121/');
  assert.equal(ftpUrl('fe80::1%en0', 2121), 'ftp://[fe80::1%25en0]:2121/');
  // A bare Windows address with numeric zone 25 vs. an already-encoded bracketed host.
  assert.equal(ftpUrl('fe80::1%25', 2121), 'ftp://[fe80::1%2525]:2121/');
  assert.equal(ftpUrl('[fe80::1%25en0]', 2121), 'ftp://[fe80::1%25en0]:2121/');
  assert.equal(ftpUrl('my-pc.local', 2121), 'ftp://my-pc.local:2121/');
  assert.equal(ftpUrl('10.0.0.1', 2121, { username: 'me@home' }), 'ftp://me%40home@10.0.0.1:2121/');
  assert.equal(new URL(ftpUrl('fd12::20', 2121)).hostname, '[fd12::20]');
  // WHATWG URL (browsers, Node's URL) rejects zone ids: one more reason to keep them out of QR codes.
  assert.throws(() => new URL(ftpUrl('fe80::1%en0', 2121)));
  assert.throws(() => ftpUrl('10.0.0.1', 0), RangeError);
  assert.throws(() => ftpUrl('10.0.0.1', 65536), RangeError);
  assert.throws(() => ftpUrl('10.0.0.1', 21.5), RangeError);
});

test('watchAddresses reports a change, stays quiet otherwise, and stops on close', async () => {
  let current: InterfaceMap = { eth0: [v4('192.168.1.20')], lo: loopback('127.0.0.1') };
  let detections = 0;
  const reports: CandidateAddress[][] = [];
  const watcher = watchAddresses((list) => reports.push(list), 10, {
    readInterfaces: () => current,
    detectDefaultRoute: async () => {
      detections++;
      return 'eth0';
    },
  });
  try {
    await sleep(60);
    assert.equal(reports.length, 0, 'no report without a change (nor for the baseline)');
    assert.equal(detections, 1, 'the default route is detected only when interfaces change');

    current = { eth0: [v4('192.168.1.20')], wlan0: [v4('10.0.0.5')], lo: loopback('127.0.0.1') };
    await waitFor(() => reports.length === 1, 'the report', 2000);
    assert.deepEqual(
      reports[0]?.map((c) => c.address),
      ['192.168.1.20', '10.0.0.5', '127.0.0.1'],
    );

    // A new object with the same content is no change.
    current = { lo: loopback('127.0.0.1'), wlan0: [v4('10.0.0.5')], eth0: [v4('192.168.1.20')] };
    await sleep(60);
    assert.equal(reports.length, 1);
  } finally {
    watcher.close();
  }
  current = { eth0: [v4('192.168.1.99')] };
  await sleep(60);
  assert.equal(reports.length, 1, 'nothing after close');
  watcher.close(); // idempotent
});

test('watchAddresses survives a failing interface reader and route detection', async () => {
  let fail = true;
  const reports: CandidateAddress[][] = [];
  const watcher = watchAddresses((list) => reports.push(list), 10, {
    readInterfaces: () => {
      if (fail) throw new Error('uv_interface_addresses failed');
      return { eth0: [v4('192.168.1.20')] };
    },
    detectDefaultRoute: () => Promise.reject(new Error('no route')),
  });
  try {
    await sleep(40);
    fail = false;
    await waitFor(() => reports.length === 1, 'the report', 2000);
    assert.equal(reports[0]?.[0]?.address, '192.168.1.20');
  } finally {
    watcher.close();
  }
});
