/**
 * The connect URLs (core/share/connect-urls.ts) that the Connect panel and the CLI's banner show:
 * the ranked candidates of core/net in their order, the address the user chose leading (labelled
 * "Chosen address (…)" when it is on no interface), ftps:// for implicit TLS, the user name in the
 * URL, and link-local addresses without the server's zone id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectUrls } from '../../core/share/connect-urls.js';
import { listCandidateAddresses } from '../../core/net/addresses.js';
import type { InterfaceMap } from '../../core/net/interfaces.js';

const PORT = 2121;

/** A Linux laptop on Wi-Fi with Docker, a WireGuard VPN, IPv6 and loopback. */
const INTERFACES: InterfaceMap = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true, scopeid: 0 },
  ],
  docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false }],
  wg0: [{ address: '10.66.66.2', family: 'IPv4', internal: false }],
  wlan0: [
    { address: '192.168.1.20', family: 'IPv4', internal: false },
    { address: 'fd00::20', family: 'IPv6', internal: false },
    { address: 'fe80::1c2b:3dff:fe4e:5f60', family: 'IPv6', internal: false, scopeid: 3 },
  ],
  eth1: [{ address: '10.0.5.9', family: 'IPv4', internal: false }],
};

const candidates = () => listCandidateAddresses(INTERFACES, 'wlan0');

test('the URLs keep the ranking of the candidates, with their labels and kinds', () => {
  const ranked = candidates();
  const urls = connectUrls(ranked, PORT, {});
  assert.deepEqual(
    urls.map((u) => u.address),
    ranked.map((c) => c.address),
  );
  assert.equal(urls[0]?.address, '192.168.1.20', 'the default route private address leads');
  assert.deepEqual(urls[0], { url: 'ftp://192.168.1.20:2121/', address: '192.168.1.20', label: 'Wi-Fi (wlan0)', kind: 'lan' });
  const docker = urls.find((u) => u.address === '172.17.0.1');
  assert.deepEqual(docker, { url: 'ftp://172.17.0.1:2121/', address: '172.17.0.1', label: 'Docker (docker0)', kind: 'virtual' });
  const vpn = urls.find((u) => u.address === '10.66.66.2');
  assert.deepEqual(vpn, { url: 'ftp://10.66.66.2:2121/', address: '10.66.66.2', label: 'WireGuard (wg0)', kind: 'vpn' });
  assert.equal(urls.find((u) => u.address === 'fd00::20')?.url, 'ftp://[fd00::20]:2121/', 'IPv6 is bracketed');
  assert.ok(urls.indexOf(docker!) < urls.indexOf(vpn!), 'virtual before VPN, as ranked');
  assert.equal(urls.length, ranked.length);
});

test('a chosen address among the candidates moves to the front; the others keep their order', () => {
  const ranked = candidates();
  const before = JSON.stringify(ranked);
  const plain = connectUrls(ranked, PORT, {});
  const chosen = connectUrls(ranked, PORT, {}, '10.0.5.9');
  assert.equal(chosen[0]?.address, '10.0.5.9');
  assert.equal(chosen[0]?.label, 'Ethernet (eth1)', 'it keeps its own label');
  assert.deepEqual(
    chosen.slice(1),
    plain.filter((u) => u.address !== '10.0.5.9'),
  );
  assert.equal(chosen.length, plain.length, 'moved, not added');
  assert.equal(JSON.stringify(ranked), before, 'the candidates are not changed');

  assert.deepEqual(connectUrls(ranked, PORT, {}, '192.168.1.20'), plain, 'choosing the first changes nothing');
  const last = plain.at(-1)!.address;
  assert.equal(connectUrls(ranked, PORT, {}, last)[0]?.address, last, 'even the last one leads when chosen');
});

test('a chosen address on no interface leads, labelled "Chosen address (…)"', () => {
  const ranked = candidates();
  const plain = connectUrls(ranked, PORT, {});
  const byName = connectUrls(ranked, PORT, {}, 'nas.example.lan');
  assert.deepEqual(byName[0], { url: 'ftp://nas.example.lan:2121/', address: 'nas.example.lan', label: 'Chosen address (nas.example.lan)', kind: 'lan' });
  assert.deepEqual(byName.slice(1), plain, 'the candidates follow, unchanged');

  const v6 = connectUrls(ranked, PORT, {}, '2001:db8::7');
  assert.equal(v6[0]?.url, 'ftp://[2001:db8::7]:2121/');
  assert.equal(v6[0]?.label, 'Chosen address (2001:db8::7)');

  assert.deepEqual(connectUrls([], PORT, {}), []);
  assert.deepEqual(
    connectUrls([], PORT, {}, '192.168.9.9').map((u) => u.url),
    ['ftp://192.168.9.9:2121/'],
  );
});

test('implicit TLS gets ftps:// everywhere, the chosen address included; explicit stays ftp://', () => {
  const ranked = candidates();
  const implicit = connectUrls(ranked, 990, { implicitTls: true }, 'nas.example.lan');
  assert.ok(implicit.length > 1);
  for (const u of implicit) assert.match(u.url, /^ftps:\/\/.+:990\/$/, u.url);
  const explicit = connectUrls(ranked, 2121, { implicitTls: false }, '10.0.5.9');
  for (const u of explicit) assert.match(u.url, /^ftp:\/\//, u.url);
});

test('the user name is in every URL, percent-encoded; no password ever', () => {
  const ranked = candidates();
  const urls = connectUrls(ranked, PORT, { username: 'ann marie@home' }, 'nas.example.lan');
  assert.equal(urls[0]?.url, 'ftp://ann%20marie%40home@nas.example.lan:2121/');
  assert.equal(urls.find((u) => u.address === '192.168.1.20')?.url, 'ftp://ann%20marie%40home@192.168.1.20:2121/');
  for (const u of urls) {
    assert.ok(u.url.includes('ann%20marie%40home@'), u.url);
    assert.equal(new URL(u.url).password, '', 'no password in the URL');
  }
  assert.equal(connectUrls(ranked, PORT, { username: '' })[0]?.url, 'ftp://192.168.1.20:2121/', 'an empty name is left out');
});

test('a link-local address gets no zone id: the server\'s zone means nothing to the client', () => {
  const ranked = candidates();
  const linkLocal = ranked.find((c) => c.kind === 'link-local');
  assert.ok(linkLocal, 'the fixture has a link-local candidate');
  assert.equal(linkLocal.scopeId, 3, 'the candidate keeps its scope for the server itself');
  const url = connectUrls(ranked, PORT, {}).find((u) => u.address === linkLocal.address);
  assert.deepEqual(url, {
    url: 'ftp://[fe80::1c2b:3dff:fe4e:5f60]:2121/',
    address: 'fe80::1c2b:3dff:fe4e:5f60',
    label: 'Wi-Fi (wlan0)',
    kind: 'link-local',
  });
  assert.doesNotMatch(url.url, /%/);
});
