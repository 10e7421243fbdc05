/**
 * The CLI banner's pure parts (core/cli/banner.ts): addresses ranked and labelled as the window
 * shows them (a link-local address says so), and one access line per configuration.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressLines, accessLine, bannerLines } from '../../core/cli/banner.js';
import { listCandidateAddresses } from '../../core/net/addresses.js';
import type { InterfaceMap } from '../../core/net/interfaces.js';
import { candidateUrls } from '../../core/net/urls.js';

const INTERFACES: InterfaceMap = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true },
  ],
  docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false, mac: '02:42:ac:11:00:01' }],
  eth0: [
    { address: 'fe80::1c2b:3aff:fe4d:5e6f', family: 'IPv6', internal: false, scopeid: 2 },
    { address: '192.168.1.23', family: 'IPv4', internal: false },
  ],
  tailscale0: [{ address: '100.101.102.103', family: 'IPv4', internal: false }],
};

test('the addresses come best first, each with what it is; link-local says so and carries no server zone', () => {
  const urls = candidateUrls(listCandidateAddresses(INTERFACES, 'eth0'), 2121);
  const lines = addressLines(urls);
  assert.match(lines[0]!, /^ {2}ftp:\/\/192\.168\.1\.23:2121\/ +Local network: .*\(eth0\)$/);
  const linkLocal = lines.find((l) => l.includes('fe80::'));
  assert.match(linkLocal ?? '', /^ {2}ftp:\/\/\[fe80::1c2b:3aff:fe4d:5e6f\]:2121\/ +Link-local: .*\(eth0\)$/);
  assert.ok(lines.some((l) => /ftp:\/\/172\.17\.0\.1:2121\/ +Virtual adapter: Docker/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /ftp:\/\/100\.101\.102\.103:2121\/ +VPN: Tailscale/.test(l)), lines.join('\n'));
  assert.match(lines.at(-1)!, /This computer only: Loopback$/);
  // The URLs line up, so the labels form a column.
  const column = new Set(lines.map((l) => l.search(/ {2}[A-Z]/)));
  assert.equal(column.size, 1, lines.join('\n'));
});

test('an address given without a rank is printed bare; a zone id is URL-encoded', () => {
  assert.deepEqual(addressLines([{ url: 'ftp://127.0.0.1:2121/' }]), ['  ftp://127.0.0.1:2121/']);
  const [zoned] = candidateUrls([{ address: 'fe80::1%eth0', family: 'IPv6', interfaceName: 'eth0', kind: 'link-local', label: 'Ethernet (eth0)', rank: 0 }], 21);
  assert.equal(zoned?.url, 'ftp://[fe80::1%25eth0]:21/');
});

test('one access line per configuration, with the option that changes it', () => {
  assert.equal(accessLine({ password: false, writable: false }), 'Anyone on your network can download (read-only). Use --user/--password to require a login, --writable to allow uploads.');
  assert.match(accessLine({ password: false, writable: true }), /^Warning: anyone on your network can download, upload, rename and delete files, without a password\./);
  assert.equal(accessLine({ user: 'al\x1bice', password: true, writable: false }), 'Only user "al\\x1bice", with the password, can download (read-only). Use --writable to allow uploads.');
  assert.equal(accessLine({ user: 'alice', password: true, writable: true }), 'Only user "alice", with the password, can download, upload, rename and delete files.');
  const banner = bannerLines({ folders: ['/a', '/b'], urls: [{ url: 'ftp://127.0.0.1:2121/' }], access: { password: true, writable: false }, generatedPassword: 'abc' });
  assert.deepEqual(banner.slice(0, 3), ['FTP Share is sharing 2 folders (read-only)', '  /a', '  /b']);
  assert.ok(banner.includes('Password: abc (generated for this run; give it to the people you share with)'));
  assert.equal(banner.at(-1), 'Press Ctrl+C to stop.');
});
