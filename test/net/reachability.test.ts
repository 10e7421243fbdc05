/**
 * The reachability runner: its own checks for real on loopback (a bound listener answers, a closed
 * port is a problem, an address not on this machine gets no connection at all), the platform
 * checks over a stand-in command runner, and the Linux nftables check for real in a network
 * namespace with an input drop rule.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { test } from 'node:test';
import { checkReachability, execFileRunner, type CommandRunner, type ReachabilityFinding } from '../../core/net/reachability.js';
import type { CandidateAddress } from '../../core/net/address-types.js';
import { readNetworkInterfaces } from '../../core/net/interfaces.js';
import { createNamespace, netnsUnavailable } from '../helpers/netns.js';
import { run } from '../helpers/processes.js';

const fixture = (name: string) => readFile(new URL(`fixtures/reachability/${name}`, import.meta.url), 'utf8');
const byId = (findings: ReachabilityFinding[], id: string) => findings.find((f) => f.id === id);

async function listen(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A runner that answers from a table and says "not installed" for anything else. */
function fakeRunner(answers: Record<string, { ok?: boolean; stdout?: string; stderr?: string }>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const answer: CommandRunner = async (file, args) => {
    const key = [file, ...args].join(' ');
    calls.push(key);
    const hit = Object.entries(answers).find(([k]) => key.startsWith(k))?.[1];
    if (!hit) return { ok: false, stdout: '', stderr: '', missing: true };
    return { ok: hit.ok ?? true, stdout: hit.stdout ?? '', stderr: hit.stderr ?? '' };
  };
  return Object.assign(answer, { calls });
}

test('own checks on loopback: the listener answers, a closed port is a problem', async () => {
  const open = await listen();
  const closed = await listen();
  const closedPort = portOf(closed);
  await close(closed);
  try {
    const report = await checkReachability({
      address: '127.0.0.1',
      ports: { ftp: portOf(open), web: closedPort },
      listeningAddresses: ['127.0.0.1'],
      candidates: [],
      defaultRouteInterface: async () => undefined,
      skipFirewall: true,
    });
    const f = report.findings;
    assert.equal(byId(f, 'listener')?.status, 'ok');
    assert.equal(byId(f, 'interface-up')?.status, 'ok');
    assert.equal(byId(f, 'ftp-port')?.status, 'ok', byId(f, 'ftp-port')?.detail);
    assert.equal(byId(f, 'web-port')?.status, 'problem');
    assert.match(byId(f, 'web-port')!.detail, /ECONNREFUSED/);
    // Problems first; the advice about what can't be seen last.
    assert.equal(f[0]!.status, 'problem');
    assert.deepEqual(f.slice(-2).map((x) => x.id), process.platform === 'darwin' ? ['advice-mobile-data', 'advice-local-network'] : ['advice-isolation', 'advice-mobile-data']);
  } finally {
    await close(open);
  }
});

test('an address no longer on this machine: a problem, and no connection is tried to it', async () => {
  const report = await checkReachability({
    address: '192.0.2.77',
    ports: { ftp: 2121 },
    listeningAddresses: ['192.0.2.77'],
    candidates: [],
    interfaces: readNetworkInterfaces(),
    defaultRouteInterface: async () => undefined,
    skipFirewall: true,
  });
  assert.equal(byId(report.findings, 'interface-up')?.status, 'problem');
  assert.equal(byId(report.findings, 'ftp-port'), undefined);
  const notBound = await checkReachability({ address: '127.0.0.1', ports: { ftp: 1 }, listeningAddresses: ['10.0.0.9'], candidates: [], defaultRouteInterface: async () => 'lo', skipFirewall: true });
  assert.equal(byId(notBound.findings, 'listener')?.status, 'problem');
});

test('a default route through a VPN is a problem', async () => {
  const vpn: CandidateAddress = { address: '10.8.0.5', family: 'IPv4', interfaceName: 'tun0', kind: 'vpn', label: 'VPN (tun0)', rank: 1 };
  const report = await checkReachability({
    address: '192.168.1.23',
    ports: { ftp: 2121 },
    listeningAddresses: ['192.168.1.23'],
    candidates: [vpn],
    interfaces: { eth0: [{ address: '192.168.1.23', family: 'IPv4', internal: false }], tun0: [{ address: '10.8.0.5', family: 'IPv4', internal: false }] },
    defaultRouteInterface: async () => 'tun0',
    skipFirewall: true,
  });
  assert.equal(byId(report.findings, 'default-route')?.status, 'problem');
  // 192.168.1.23 is on a made-up interface, not this machine's: no connection is tried to it.
  assert.equal(byId(report.findings, 'ftp-port'), undefined);
});

test('Linux over a stand-in runner: ufw denies 2121 and gives the exact command', async () => {
  const runner = fakeRunner({ '/usr/sbin/ufw status verbose': { stdout: await fixture('ubuntu-ufw-verbose.txt') } });
  const report = await checkReachability({ ports: { ftp: 2121, web: 8080 }, listeningAddresses: [], candidates: [], platform: 'linux', run: runner });
  const ufw = byId(report.findings, 'linux-ufw')!;
  assert.equal(ufw.status, 'problem');
  assert.equal(ufw.title, 'The firewall blocks port 2121');
  assert.equal(ufw.fix, 'sudo ufw allow 2121/tcp');
  // Reads only: no command that changes anything was run.
  assert.ok(runner.calls.every((c) => !/ allow|--add-|insert|--unblockapp|New-NetFirewallRule/.test(c)), runner.calls.join('\n'));
});

test('Linux over a stand-in runner: firewalld running with Fedora Server\'s zone', async () => {
  const runner = fakeRunner({
    '/usr/bin/firewall-cmd --state': { stdout: 'running\n' },
    'firewall-cmd --list-all': { stdout: await fixture('fedora-firewalld-server.txt') },
  });
  const report = await checkReachability({ ports: { ftp: 2121 }, listeningAddresses: [], candidates: [], platform: 'linux', run: runner });
  const fw = byId(report.findings, 'linux-firewalld')!;
  assert.equal(fw.status, 'problem');
  assert.equal(fw.fix, 'sudo firewall-cmd --add-port=2121/tcp && sudo firewall-cmd --permanent --add-port=2121/tcp');
  const none = await checkReachability({ ports: { ftp: 2121 }, listeningAddresses: [], candidates: [], platform: 'linux', run: fakeRunner({}) });
  assert.equal(byId(none.findings, 'linux-firewall')?.status, 'ok');
});

test('Windows over a stand-in runner: a Public network offers its Settings page', async () => {
  const profile = await fixture('windows-profile-en.json');
  const firewall = await fixture('windows-firewall-en.json');
  const runner: CommandRunner = async (_file, args) => {
    const script = args[args.length - 1]!;
    return { ok: true, stderr: '', stdout: script.includes('Get-NetConnectionProfile') ? profile : firewall };
  };
  const program = 'C:\\Users\\Ann\\AppData\\Local\\Programs\\FTP Share\\FTP Share.exe';
  const report = await checkReachability({
    address: '192.168.1.23',
    ports: { ftp: 2121 },
    listeningAddresses: ['192.168.1.23'],
    candidates: [],
    platform: 'win32',
    program,
    run: runner,
    interfaces: { 'Wi-Fi': [{ address: '192.168.1.23', family: 'IPv4', internal: false }] },
    defaultRouteInterface: async () => 'Wi-Fi',
  });
  const p = byId(report.findings, 'windows-profile')!;
  assert.equal(p.status, 'problem');
  assert.deepEqual(p.action, { kind: 'open-settings', target: 'ms-settings:network-status', label: 'Open network settings' });
  assert.equal(byId(report.findings, 'windows-firewall')?.status, 'problem');
  assert.equal(byId(report.findings, 'ftp-port'), undefined, 'no connection to an address that is not this machine\'s');
  assert.match(byId(report.findings, 'windows-firewall')!.fix!, /New-NetFirewallRule .* -Program "C:\\Users\\Ann/);
});

test('macOS over a stand-in runner: the firewall blocks the app', async () => {
  const fw = '/usr/libexec/ApplicationFirewall/socketfilterfw';
  const runner = fakeRunner({
    [`${fw} --getglobalstate`]: { stdout: await fixture('macos-global-on.txt') },
    [`${fw} --getblockall`]: { stdout: await fixture('macos-blockall-off.txt') },
    [`${fw} --getappblocked /Applications/FTP Share.app`]: { stdout: await fixture('macos-app-blocked.txt') },
  });
  const report = await checkReachability({ ports: { ftp: 2121 }, listeningAddresses: [], candidates: [], platform: 'darwin', program: '/Applications/FTP Share.app/Contents/MacOS/FTP Share', run: runner });
  assert.equal(byId(report.findings, 'macos-firewall')?.status, 'problem');
  assert.ok(byId(report.findings, 'advice-local-network'));
});

test('Linux nftables for real: an input drop rule in a network namespace drops the port', { timeout: 60_000 }, async (t) => {
  const why = await netnsUnavailable();
  if (why) return t.skip(why);
  const nft = await run('nft', ['--version'], { timeoutMs: 5000 });
  if (nft.code !== 0) return t.skip(`nft is not installed (${nft.error ?? nft.stderr.trim()})`);
  const ns = await createNamespace(`fsh-reach-${process.pid}`);
  t.after(() => ns.destroy());
  // The runner itself, with every command run inside the namespace (no ufw or firewalld there:
  // "ip netns exec" can't find them, or they read the host's config, so only nft is answered).
  const inNs: CommandRunner = async (file, args, timeoutMs) =>
    /nft$/.test(file) ? execFileRunner('ip', ['netns', 'exec', ns.name, file, ...args], timeoutMs) : { ok: false, stdout: '', stderr: '', missing: true };
  const check = async () => {
    const report = await checkReachability({ ports: { ftp: 2121, web: 8080 }, listeningAddresses: [], candidates: [], platform: 'linux', run: inNs });
    return byId(report.findings, 'linux-nftables')!;
  };

  const before = await check();
  assert.equal(before.status, 'ok', `${before.title}: ${before.detail}`);

  const rules = `table inet fsh_reach {
  chain input { type filter hook input priority 0; policy accept; iifname "lo" accept; ct state established,related accept; tcp dport 8080 accept; tcp dport 2121 drop; }
}
`;
  const added = await run('ip', ['netns', 'exec', ns.name, 'nft', '-f', '-'], { input: rules, timeoutMs: 10_000 });
  if (added.code !== 0) return t.skip(`nft can't load rules here: ${added.stderr.trim() || added.error}`);
  const after = await check();
  assert.equal(after.status, 'problem', after.detail);
  assert.equal(after.title, 'The firewall blocks port 2121');
  assert.equal(after.fix, 'sudo nft insert rule inet fsh_reach input tcp dport 2121 accept');

  // And with the allow rule the fix gives (run here, in the namespace only), it passes.
  const fixed = await run('ip', ['netns', 'exec', ns.name, 'nft', 'insert', 'rule', 'inet', 'fsh_reach', 'input', 'tcp', 'dport', '2121', 'accept'], { timeoutMs: 10_000 });
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal((await check()).status, 'ok');
});
