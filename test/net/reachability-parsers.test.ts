/**
 * The reachability probes' pure parsers, over captured command output from each OS
 * (test/net/fixtures/reachability/): Windows in English and German (JSON, so the same words),
 * macOS's socketfilterfw, Ubuntu's ufw, Fedora's firewalld and an nftables ruleset.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parseWindowsFirewall, parseWindowsProfiles, windowsFirewallScript } from '../../core/net/reachability/windows.js';
import { macAppOf, macFirewallVerdict, parseMacAppBlocked, parseMacBlockAll, parseMacGlobalState } from '../../core/net/reachability/macos.js';
import {
  firewalldAllowCommand,
  nftAllowCommand,
  parseFirewalldState,
  parseFirewalldZone,
  parseNftRuleset,
  parseUfwStatus,
  ufwAllowCommand,
} from '../../core/net/reachability/linux.js';

const fixture = (name: string) => readFile(new URL(`fixtures/reachability/${name}`, import.meta.url), 'utf8');
const PROGRAM = 'C:\\Users\\Ann\\AppData\\Local\\Programs\\FTP Share\\FTP Share.exe';

test('Windows (English): Get-NetConnectionProfile JSON with numeric enums; a Public Wi-Fi', async () => {
  const profiles = parseWindowsProfiles(await fixture('windows-profile-en.json'));
  assert.deepEqual(profiles[0], { name: 'HomeNet 5G', interfaceAlias: 'Wi-Fi', interfaceIndex: 12, category: 'Public' });
  assert.equal(profiles.length, 2);
});

test('Windows (German): one profile (an object, not an array), a BOM, enum names; a Private WLAN', async () => {
  const profiles = parseWindowsProfiles(await fixture('windows-profile-de.json'));
  assert.deepEqual(profiles, [{ name: 'FRITZ!Box 7590 XY', interfaceAlias: 'WLAN', interfaceIndex: 7, category: 'Private' }]);
  assert.deepEqual(parseWindowsProfiles(''), []);
});

test('Windows firewall (English): the app is allowed on Private, blocked on Public', async () => {
  const text = await fixture('windows-firewall-en.json');
  const priv = parseWindowsFirewall(text, { category: 'Private', program: PROGRAM.toUpperCase(), ports: [2121, 8080] });
  assert.deepEqual(priv.blockedPorts, []);
  assert.equal(priv.active, true);
  const pub = parseWindowsFirewall(text, { category: 'Public', program: PROGRAM, ports: [2121, 8080] });
  assert.deepEqual(pub.blockedPorts, [2121, 8080]);
  // Another program (the CLI's node.exe): no rule names it.
  const node = parseWindowsFirewall(text, { category: 'Private', program: 'C:\\Program Files\\nodejs\\node.exe', ports: [2121] });
  assert.deepEqual(node.blockedPorts, [2121]);
  assert.match(node.detail, /No inbound rule/);
});

test('Windows firewall (German): a port-range rule in German words allows 2121, not 8080', async () => {
  const text = await fixture('windows-firewall-de.json');
  const v = parseWindowsFirewall(text, { category: 'Private', program: PROGRAM, ports: [2121, 8080] });
  assert.deepEqual(v.blockedPorts, [8080]);
  assert.match(v.detail, /Dateifreigabe FTP/);
  const off = parseWindowsFirewall('{"profiles":[{"Name":"Private","Enabled":2,"DefaultInboundAction":0}],"rules":[]}', { category: 'Private', program: PROGRAM, ports: [2121] });
  assert.deepEqual(off, { active: false, blockedPorts: [], detail: 'Windows Defender Firewall is off for Private networks.' });
  // The script quotes the program for PowerShell and asks for JSON.
  const script = windowsFirewallScript("C:\\O'Brien\\FTP Share.exe", [2121]);
  assert.match(script, /-Program 'C:\\O''Brien\\FTP Share\.exe'/);
  assert.match(script, /ConvertTo-Json/);
});

test('macOS: socketfilterfw global state, block-all and the app', async () => {
  const on = parseMacGlobalState(await fixture('macos-global-on.txt'));
  assert.deepEqual(on, { on: true, blockAll: false });
  assert.deepEqual(parseMacGlobalState(await fixture('macos-global-off.txt')), { on: false, blockAll: false });
  assert.deepEqual(parseMacGlobalState('Firewall is blocking all non-essential connections. (State = 2)'), { on: true, blockAll: true });
  assert.equal(parseMacBlockAll(await fixture('macos-blockall-off.txt')), false);
  assert.equal(parseMacAppBlocked(await fixture('macos-app-blocked.txt')), 'blocked');
  assert.equal(parseMacAppBlocked(await fixture('macos-app-permitted.txt')), 'permitted');
  assert.equal(parseMacAppBlocked(await fixture('macos-app-unlisted.txt')), 'unlisted');
  assert.deepEqual(macFirewallVerdict(on, 'blocked', false, [2121, 8080]).blockedPorts, [2121, 8080]);
  assert.deepEqual(macFirewallVerdict(on, 'permitted', false, [2121]).blockedPorts, []);
  assert.equal(macFirewallVerdict(on, 'unlisted', false, [2121]).blockedPorts, undefined);
  assert.equal(macFirewallVerdict({ on: false, blockAll: false }, undefined, undefined, [2121]).active, false);
  assert.equal(macAppOf('/Applications/FTP Share.app/Contents/MacOS/FTP Share'), '/Applications/FTP Share.app');
});

test('Ubuntu ufw: first match wins, then the default; the exact allow command', async () => {
  const text = await fixture('ubuntu-ufw-verbose.txt');
  const v = parseUfwStatus(text, [2121, 8080, 9000]);
  assert.equal(v.active, true);
  // 2121 has a DENY rule, 8080 an ALLOW from the LAN, 9000 nothing (default deny).
  assert.deepEqual(v.blockedPorts, [2121, 9000]);
  assert.deepEqual(parseUfwStatus(await fixture('ubuntu-ufw-inactive.txt'), [2121]), { active: false, blockedPorts: [], detail: 'ufw is inactive.' });
  assert.equal(ufwAllowCommand([2121, 8080]), 'sudo ufw allow 2121/tcp && sudo ufw allow 8080/tcp');
  assert.equal(parseUfwStatus('ERROR: You need to be root to run this script', [2121]).blockedPorts, undefined);
});

test('Fedora firewalld: Workstation opens 1025-65535, Server does not; the exact command', async () => {
  assert.equal(parseFirewalldState('running\n'), true);
  assert.equal(parseFirewalldState('not running\n'), false);
  const ws = parseFirewalldZone(await fixture('fedora-firewalld-workstation.txt'), [2121, 8080]);
  assert.deepEqual(ws.blockedPorts, []);
  assert.match(ws.detail, /FedoraWorkstation/);
  const server = parseFirewalldZone(await fixture('fedora-firewalld-server.txt'), [2121, 8080]);
  assert.deepEqual(server.blockedPorts, [2121, 8080]);
  assert.equal(firewalldAllowCommand([2121]), 'sudo firewall-cmd --add-port=2121/tcp && sudo firewall-cmd --permanent --add-port=2121/tcp');
});

test('nftables JSON: an input chain with policy drop drops what no rule accepts, through a jump', async () => {
  const v = parseNftRuleset(await fixture('nft-drop.json'), [2121, 8080, 5005]);
  assert.deepEqual(v.blockedPorts, [2121]);
  assert.deepEqual(v.unknownPorts, []);
  assert.deepEqual(v.dropChain, { family: 'inet', table: 'filter', chain: 'input' });
  assert.equal(nftAllowCommand(v.dropChain!, [2121]), 'sudo nft insert rule inet filter input tcp dport 2121 accept');
  assert.deepEqual(parseNftRuleset('{"nftables":[{"metainfo":{}}]}', [2121]).blockedPorts, []);
  // A rule matching a named set can't be read: unknown, not guessed.
  const named = JSON.stringify({
    nftables: [
      { chain: { family: 'inet', table: 't', name: 'in', hook: 'input', prio: 0, policy: 'drop' } },
      { rule: { family: 'inet', table: 't', chain: 'in', expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: '@allowed' } }, { accept: null }] } },
    ],
  });
  assert.deepEqual(parseNftRuleset(named, [2121]).unknownPorts, [2121]);
});
