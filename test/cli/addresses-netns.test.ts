/**
 * `ftp-share --json` and the app offer the same URLs, ranked the same way, for the same
 * interfaces: both run inside a network namespace of this test's own, whose made-up interfaces
 * look like a machine with a LAN card carrying the default route, a second LAN card, Docker's
 * bridge, an OpenVPN tunnel and WireGuard, plus IPv6 (ULA and link-local). The CLI's `listening`
 * line and a real ShareService's `listAddresses()` (test/cli/fixtures/app-addresses.ts) must agree
 * entry for entry, with Docker and the VPNs labelled (or left out) identically.
 *
 * Needs root on Linux (`ip netns`, veth); skipped with the reason elsewhere. The interfaces are
 * veth pairs with both ends inside the namespace, so nothing reaches the host's network; nothing
 * is advertised. The namespace is deleted after the tests and, if the process dies, at exit.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createNamespace, inNamespace, netnsUnavailable, type Namespace } from '../helpers/netns.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { cliCommand, repoRoot, startProcess } from '../helpers/processes.js';
import type { ConnectUrl } from '../../core/share/contract.js';

const APP_FIXTURE = path.join(repoRoot, 'test/cli/fixtures/app-addresses.ts');

/** The made-up machine: interface, its addresses (with prefix), and IPv6 ones added without DAD. */
const INTERFACES: { name: string; v4: string[]; v6?: string[] }[] = [
  { name: 'eth0', v4: ['192.168.77.10/24'], v6: ['fd77::10/64', 'fe80::77:10/64'] },
  // A second wired card that sorts before eth0 by name: only the default route puts eth0 first.
  { name: 'enp0s3', v4: ['10.1.2.3/24'] },
  { name: 'docker0', v4: ['172.17.0.1/16'] },
  { name: 'tun0', v4: ['10.8.0.2/24'] },
  { name: 'wg0', v4: ['10.66.66.2/24'] },
];

/** Every address the namespace has: nothing else may appear in either list. */
const NAMESPACE_ADDRESSES = new Set(['127.0.0.1', '::1', ...INTERFACES.flatMap((i) => [...i.v4, ...(i.v6 ?? [])].map((a) => a.split('/')[0]!))]);

/** The virtual and VPN addresses, what they must be called when they are listed. */
const LABELLED: { address: string; kind: ConnectUrl['kind']; label: RegExp }[] = [
  { address: '172.17.0.1', kind: 'virtual', label: /Docker/ },
  { address: '10.8.0.2', kind: 'vpn', label: /VPN/ },
  { address: '10.66.66.2', kind: 'vpn', label: /WireGuard/ },
];

const unavailable = await netnsUnavailable();

/** The URL list with the port written as PORT, so two runs on different ports compare. */
function normalise(urls: ConnectUrl[], port: number): ConnectUrl[] {
  return urls.map((u) => ({ ...u, url: u.url.replace(`:${port}/`, ':PORT/') }));
}

/**
 * Runs `ftp-share ARGS` inside the namespace until its first line (bounded), then stops it with
 * SIGTERM; resolves that line parsed and the exit code.
 */
async function cliListening(namespace: string, args: string[]): Promise<{ first: { type: string; port: number; urls: ConnectUrl[] }; code: number | null }> {
  const env = { ...process.env };
  delete env.FTP_SHARE_PASSWORD;
  // `ip netns exec` execs the command in place: the child's pid is node's, so signals reach it.
  const [node, argv] = cliCommand(args);
  const cli = startProcess('ip', ['netns', 'exec', namespace, node, ...argv], { cwd: repoRoot, env, killAfterMs: 30_000 });
  try {
    const line = await cli.waitForLine(() => true, 30_000);
    return { first: JSON.parse(line) as { type: string; port: number; urls: ConnectUrl[] }, code: await cli.stop('SIGTERM', 30_000) };
  } finally {
    await cli.stop('SIGKILL');
  }
}

/** The app's list: a real ShareService with the system's addresses, inside the namespace. */
async function appListing(namespace: string, folder: string, configDir: string): Promise<{ port: number; urls: ConnectUrl[] }> {
  const result = await inNamespace(namespace, process.execPath, ['--import', 'tsx', APP_FIXTURE, folder, configDir], 60_000);
  assert.equal(result.code, 0, `the app fixture failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n')[0]!) as { port: number; urls: ConnectUrl[] };
}

describe('ftp-share --json lists the addresses as the app does', { skip: unavailable ?? false, timeout: 180_000 }, () => {
  let ns: Namespace | undefined;
  let base: string;
  let folder: string;
  let app: ConnectUrl[];

  before(async () => {
    base = await makeTempDir('ftp-share-netns-');
    folder = path.join(base, 'shared');
    await mkdir(folder);
    ns = await createNamespace(`fsh-addr-${process.pid}`);
    for (const { name, v4, v6 = [] } of INTERFACES) {
      // Both ends stay in the namespace; neither makes IPv6 link-local addresses of its own, so
      // the lists don't change while the kernel would still be adding them.
      const peer = `${name}-peer`;
      await ns.ip('link', 'add', name, 'type', 'veth', 'peer', 'name', peer);
      for (const end of [name, peer]) await ns.ip('link', 'set', end, 'addrgenmode', 'none');
      for (const address of v4) await ns.ip('addr', 'add', address, 'dev', name);
      for (const address of v6) await ns.ip('-6', 'addr', 'add', address, 'dev', name, 'nodad');
      for (const end of [name, peer]) await ns.ip('link', 'set', end, 'up');
    }
    await ns.ip('route', 'add', 'default', 'dev', 'eth0');
    const fromApp = await appListing(ns.name, folder, path.join(base, 'config'));
    app = normalise(fromApp.urls, fromApp.port);
  });

  after(async () => {
    await ns?.destroy();
    if (base) await removeTempDir(base);
  });

  test('the app ranks the namespace\'s addresses: the default route\'s first, Docker and the VPNs labelled', () => {
    const addresses = app.map((u) => u.address);
    for (const address of addresses) assert.ok(NAMESPACE_ADDRESSES.has(address), `${address} is not the namespace's: the list came from elsewhere`);
    assert.deepEqual(app[0], { url: 'ftp://192.168.77.10:PORT/', address: '192.168.77.10', label: 'Ethernet (eth0)', kind: 'lan' });
    assert.ok(addresses.indexOf('10.1.2.3') > 0, 'the other LAN card follows the default route\'s');
    const lastLan = Math.max(...app.flatMap((u, i) => (u.kind === 'lan' ? [i] : [])));
    for (const { address, kind, label } of LABELLED) {
      const entry = app.find((u) => u.address === address);
      if (!entry) continue; // left out: allowed, if the CLI leaves it out too (next tests)
      assert.equal(entry.kind, kind, address);
      assert.match(entry.label, label, address);
      assert.ok(app.indexOf(entry) > lastLan, `${address} comes after every LAN address`);
    }
    const linkLocal = app.find((u) => u.address === 'fe80::77:10');
    if (linkLocal) {
      assert.equal(linkLocal.kind, 'link-local');
      assert.equal(linkLocal.url, 'ftp://[fe80::77:10]:PORT/', 'no zone id in the URL');
    }
  });

  for (const hostArgs of [[], ['--host', '0.0.0.0']]) {
    test(`ftp-share --json ${hostArgs.join(' ') || '(every address)'}: the same URLs, in the same order, with the same labels`, async () => {
      const { first, code } = await cliListening(ns!.name, ['--json', '--port', '0', ...hostArgs, folder]);
      assert.equal(first.type, 'listening');
      assert.equal(code, 0, 'SIGTERM ends it cleanly');
      const cli = normalise(first.urls, first.port);
      assert.deepEqual(cli, app);
      assert.equal(cli[0]?.address, '192.168.77.10');
      for (const { address } of LABELLED) {
        assert.deepEqual(
          cli.find((u) => u.address === address),
          app.find((u) => u.address === address),
          `${address} is labelled (or left out) as the app does`,
        );
      }
    });
  }
});
