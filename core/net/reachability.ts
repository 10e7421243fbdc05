/**
 * "Can others reach me?": what the app can check itself (the listener, the interface, the default
 * route, the ports answering on the address shown) and what the OS's firewall says, as a list of
 * findings with fixes. Reads only: it runs each OS command with execFile and a short timeout
 * (never a shell), changes no firewall rule, and connects to nothing but this machine's own
 * address. The parsers live in reachability/, one module per OS.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { CandidateAddress } from './address-types.js';
import { detectDefaultRouteInterface } from './default-route.js';
import { interfaceNameForAddress, readNetworkInterfaces, type InterfaceMap } from './interfaces.js';
import type { FirewallVerdict, ReachabilityFinding, ReachabilityReport } from './reachability/types.js';
import { parseWindowsFirewall, parseWindowsProfiles, windowsAllowCommand, windowsFirewallScript, WINDOWS_PROFILE_SCRIPT, type WindowsNetworkProfile } from './reachability/windows.js';
import { SOCKETFILTERFW, macAllowCommand, macAppOf, macFirewallVerdict, parseMacAppBlocked, parseMacBlockAll, parseMacGlobalState } from './reachability/macos.js';
import {
  firewalldAllowCommand,
  nftAllowCommand,
  parseFirewalldState,
  parseFirewalldZone,
  parseNftRuleset,
  parseUfwStatus,
  ufwAllowCommand,
} from './reachability/linux.js';

export type * from './reachability/types.js';

/** How long a firewall command may take (ms); a slow one gives "unknown", never a wait. */
export const REACHABILITY_COMMAND_TIMEOUT_MS = 4000;
/** PowerShell starts slowly, and reading firewall rules takes a few seconds on a busy machine (ms). */
export const REACHABILITY_POWERSHELL_TIMEOUT_MS = 12_000;
/** How long a TCP connect to our own address may take before the port counts as not answering (ms). */
export const REACHABILITY_CONNECT_TIMEOUT_MS = 1500;

/** A command's outcome: `ok` when it exited 0. `missing` when the program isn't installed. */
export interface CommandOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

/** Runs one command (no shell) with a timeout; never throws. */
export type CommandRunner = (file: string, args: string[], timeoutMs: number) => Promise<CommandOutput>;

/** The real runner: execFile, untranslated messages (`LC_ALL=C`), no window on Windows. */
export const execFileRunner: CommandRunner = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    try {
      execFile(
        file,
        args,
        { timeout: timeoutMs, windowsHide: true, encoding: 'utf8', maxBuffer: 8 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } },
        (err, stdout, stderr) => {
          const code = (err as NodeJS.ErrnoException | null)?.code;
          resolve({ ok: !err, stdout: String(stdout ?? ''), stderr: String(stderr ?? ''), ...(code === 'ENOENT' ? { missing: true } : {}) });
        },
      );
    } catch (err) {
      resolve({ ok: false, stdout: '', stderr: (err as Error).message });
    }
  });

/** What to check. */
export interface ReachabilityInput {
  /** The address shown to people (the QR code's); undefined when there is none. */
  address?: string;
  ports: { ftp: number; web?: number };
  /** Where the listener accepts connections (`ListeningInfo.addresses`). */
  listeningAddresses: readonly string[];
  /** The ranked candidate addresses, for each interface's kind (VPN or not). */
  candidates: readonly CandidateAddress[];
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
  /** The program the firewall should allow; defaults to `process.execPath`. */
  program?: string;
  /** For tests: runs the OS commands. */
  run?: CommandRunner;
  /** For tests: this machine's interfaces. */
  interfaces?: InterfaceMap;
  /** For tests: the default route's interface. */
  defaultRouteInterface?: () => Promise<string | undefined>;
  /** Leaves out the OS firewall checks (tests of the app's own checks). */
  skipFirewall?: boolean;
}

/** Connects to one of this machine's own addresses and closes at once: whether anything answered. */
export function portAnswers(address: string, port: number, timeoutMs = REACHABILITY_CONNECT_TIMEOUT_MS): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (result: { ok: true } | { ok: false; reason: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, reason: err.code ?? err.message }));
  });
}

function portList(ports: ReachabilityInput['ports']): number[] {
  return ports.web !== undefined ? [ports.ftp, ports.web] : [ports.ftp];
}

function describePorts(ports: readonly number[]): string {
  return ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.slice(0, -1).join(', ')} and ${ports[ports.length - 1]}`;
}

/** The app's own checks: listener, interface, default route, ports answering. */
async function ownChecks(input: ReachabilityInput, interfaces: InterfaceMap): Promise<ReachabilityFinding[]> {
  const findings: ReachabilityFinding[] = [];
  const { address } = input;
  if (address === undefined) {
    findings.push({
      id: 'address',
      status: 'problem',
      title: 'This computer has no network address others can use',
      detail: 'No Wi-Fi or wired network address was found.',
      fix: 'Connect this computer to the same Wi-Fi or wired network as the other device.',
    });
    return findings;
  }
  const bound = input.listeningAddresses.includes(address);
  findings.push({
    id: 'listener',
    status: bound ? 'ok' : 'problem',
    title: bound ? `FTP Share listens on ${address}` : `FTP Share does not listen on ${address}`,
    detail: bound ? 'The listener accepts connections on the address shown.' : `It listens on ${input.listeningAddresses.join(', ') || 'no address'}.`,
    ...(bound ? {} : { fix: 'Stop and start sharing so that it listens on the current address.' }),
  });
  const iface = interfaceNameForAddress(interfaces, address);
  findings.push({
    id: 'interface-up',
    status: iface ? 'ok' : 'problem',
    title: iface ? `${address} is on ${iface}, which is up` : `${address} is no longer on this computer`,
    detail: iface ? 'The network connection that holds the address is connected.' : 'The network it belonged to was left or turned off, or the address changed.',
    ...(iface ? {} : { fix: 'Reconnect to the network, or choose the current address in the list above.' }),
  });
  const routeIface = await (input.defaultRouteInterface ?? (() => detectDefaultRouteInterface({ interfaces })))();
  const routeKinds = new Set(input.candidates.filter((c) => c.interfaceName === routeIface).map((c) => c.kind));
  if (routeIface === undefined) {
    findings.push({ id: 'default-route', status: 'unknown', title: 'The default route could not be found', detail: 'This computer may have no connection to a router.' });
  } else if (routeKinds.has('vpn')) {
    findings.push({
      id: 'default-route',
      status: 'problem',
      title: `A VPN (${routeIface}) carries this computer’s traffic`,
      detail: 'Many VPNs block the local network while they are on, so other devices can’t get in.',
      fix: 'Turn the VPN off while sharing, or allow "local network access" in its settings.',
    });
  } else if (iface !== undefined && routeIface !== iface) {
    findings.push({
      id: 'default-route',
      status: 'unknown',
      title: `The default route goes through ${routeIface}, not ${iface}`,
      detail: `The address shown is on ${iface}. That works only for devices on ${iface}’s network.`,
      fix: `Make sure the other device is on the same network as ${iface}, or choose an address on ${routeIface}.`,
    });
  } else {
    findings.push({ id: 'default-route', status: 'ok', title: `The default route goes through ${routeIface}`, detail: 'No VPN takes the route.' });
  }
  // Only ever this machine's own address: a connect to anything else would be traffic to someone
  // else. Checked against the real interfaces, whatever map the caller passed.
  if (iface !== undefined && interfaceNameForAddress(readNetworkInterfaces(), address) !== undefined) {
    for (const [name, port] of [['FTP', input.ports.ftp], ['web page', input.ports.web]] as const) {
      if (port === undefined) continue;
      const answer = await portAnswers(address, port);
      findings.push({
        id: name === 'FTP' ? 'ftp-port' : 'web-port',
        status: answer.ok ? 'ok' : 'problem',
        title: answer.ok ? `The ${name} answers on ${address}:${port}` : `The ${name} does not answer on ${address}:${port}`,
        detail: answer.ok ? 'A connection from this computer to the address shown got through.' : `A connection from this computer failed: ${answer.reason}.`,
        ...(answer.ok ? {} : { fix: 'Stop and start sharing; if it still fails, another program (a security suite) may be in the way.' }),
      });
    }
  }
  return findings;
}

function firewallFinding(id: string, verdict: FirewallVerdict, ports: readonly number[], fix: (blocked: number[]) => string): ReachabilityFinding {
  if (verdict.blockedPorts === undefined) {
    return { id, status: 'unknown', title: 'Whether the firewall lets others in could not be read', detail: verdict.detail, fix: fix([...ports]) };
  }
  if (verdict.blockedPorts.length === 0) {
    return { id, status: 'ok', title: verdict.active === false ? 'The firewall is off' : `The firewall lets ${describePorts(ports)} in`, detail: verdict.detail };
  }
  return {
    id,
    status: 'problem',
    title: `The firewall blocks ${describePorts(verdict.blockedPorts)}`,
    detail: verdict.detail,
    fix: fix(verdict.blockedPorts),
  };
}

async function linuxChecks(input: ReachabilityInput, run: CommandRunner): Promise<ReachabilityFinding[]> {
  const ports = portList(input.ports);
  const findings: ReachabilityFinding[] = [];
  // ufw (Ubuntu): its status needs root; its config file says whether it is on.
  const ufw = await firstInstalled(run, ['/usr/sbin/ufw', 'ufw'], ['status', 'verbose']);
  if (ufw?.ok) {
    const verdict = parseUfwStatus(ufw.stdout, ports);
    if (verdict.active) findings.push(firewallFinding('linux-ufw', verdict, ports, ufwAllowCommand));
  } else if (ufw) {
    const conf = await readFile('/etc/ufw/ufw.conf', 'utf8').catch(() => '');
    if (/^\s*ENABLED\s*=\s*yes/im.test(conf)) {
      findings.push({
        id: 'linux-ufw',
        status: 'unknown',
        title: 'ufw is on; its rules can only be read as root',
        detail: 'ufw would drop the ports unless a rule allows them.',
        fix: ufwAllowCommand(ports),
      });
    }
  }
  // firewalld (Fedora): the zone of the interface, else the default zone.
  const state = await firstInstalled(run, ['/usr/bin/firewall-cmd', 'firewall-cmd'], ['--state']);
  if (state && parseFirewalldState(state.stdout) === true) {
    const zone = await run('firewall-cmd', ['--list-all'], REACHABILITY_COMMAND_TIMEOUT_MS);
    const verdict: FirewallVerdict = zone.ok ? parseFirewalldZone(zone.stdout, ports) : { active: true, detail: `firewalld is running; its zone could not be read (${zone.stderr.trim()}).` };
    findings.push(firewallFinding('linux-firewalld', verdict, ports, firewalldAllowCommand));
  }
  // A plain nftables ruleset, when neither manages the firewall (their own rules read as unknown).
  if (findings.length === 0) {
    const nft = await firstInstalled(run, ['/usr/sbin/nft', 'nft'], ['-j', 'list', 'ruleset']);
    if (nft?.ok) {
      try {
        const verdict = parseNftRuleset(nft.stdout, ports);
        if (verdict.unknownPorts.length && !verdict.blockedPorts?.length) {
          findings.push({ id: 'linux-nftables', status: 'unknown', title: 'Whether nftables lets others in could not be read', detail: `${verdict.detail} Some rules use sets or matches this check doesn't read.` });
        } else {
          findings.push(firewallFinding('linux-nftables', verdict, ports, (blocked) => (verdict.dropChain ? nftAllowCommand(verdict.dropChain, blocked) : '')));
        }
      } catch {
        findings.push({ id: 'linux-nftables', status: 'unknown', title: 'The nftables rules could not be read', detail: 'nft printed something unexpected.' });
      }
    } else if (nft) {
      findings.push({ id: 'linux-nftables', status: 'unknown', title: 'The nftables rules can only be read as root', detail: nft.stderr.trim().split('\n')[0] ?? '' });
    } else {
      findings.push({ id: 'linux-firewall', status: 'ok', title: 'No firewall found', detail: 'Neither ufw, firewalld nor nft is installed.' });
    }
  }
  return findings;
}

/** Runs the first of `files` that is installed; undefined when none is. */
async function firstInstalled(run: CommandRunner, files: string[], args: string[]): Promise<CommandOutput | undefined> {
  for (const file of files) {
    const out = await run(file, args, REACHABILITY_COMMAND_TIMEOUT_MS);
    if (!out.missing) return out;
  }
  return undefined;
}

async function macChecks(input: ReachabilityInput, run: CommandRunner, program: string): Promise<ReachabilityFinding[]> {
  const ports = portList(input.ports);
  const app = macAppOf(program);
  const global = await run(SOCKETFILTERFW, ['--getglobalstate'], REACHABILITY_COMMAND_TIMEOUT_MS);
  if (global.missing) return [];
  const state = parseMacGlobalState(global.stdout);
  const blockAll = state?.on ? parseMacBlockAll((await run(SOCKETFILTERFW, ['--getblockall'], REACHABILITY_COMMAND_TIMEOUT_MS)).stdout) : undefined;
  const appState = state?.on ? parseMacAppBlocked((await run(SOCKETFILTERFW, ['--getappblocked', app], REACHABILITY_COMMAND_TIMEOUT_MS)).stdout) : undefined;
  const verdict = macFirewallVerdict(state, appState, blockAll, ports);
  const finding = firewallFinding('macos-firewall', verdict, ports, () =>
    `System Settings › Network › Firewall › Options: allow incoming connections for FTP Share (or run: ${macAllowCommand(app)}).`,
  );
  if (appState === 'unlisted' && verdict.blockedPorts === undefined) {
    finding.title = 'The macOS firewall will ask about FTP Share';
    finding.fix = 'When macOS asks whether FTP Share may accept incoming connections, choose Allow.';
  }
  return [finding];
}

async function windowsChecks(input: ReachabilityInput, run: CommandRunner, program: string, interfaceName: string | undefined): Promise<ReachabilityFinding[]> {
  const ports = portList(input.ports);
  const ps = (script: string) => run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], REACHABILITY_POWERSHELL_TIMEOUT_MS);
  const findings: ReachabilityFinding[] = [];
  let profiles: WindowsNetworkProfile[] = [];
  const profileOut = await ps(WINDOWS_PROFILE_SCRIPT);
  try {
    if (profileOut.ok) profiles = parseWindowsProfiles(profileOut.stdout);
  } catch {
    // unreadable: unknown below
  }
  const active = profiles.find((p) => p.interfaceAlias === interfaceName) ?? (profiles.length === 1 ? profiles[0] : undefined);
  const settings = { kind: 'open-settings' as const, target: 'ms-settings:network-status', label: 'Open network settings' };
  if (!active?.category) {
    findings.push({ id: 'windows-profile', status: 'unknown', title: 'The network’s profile could not be read', detail: profileOut.stderr.trim().split('\n')[0] || 'Get-NetConnectionProfile gave no answer for this network.' });
    return findings;
  }
  if (active.category === 'Public') {
    findings.push({
      id: 'windows-profile',
      status: 'problem',
      title: `Windows treats “${active.name}” as a Public network`,
      detail: 'On Public networks Windows blocks other devices from connecting.',
      fix: `If this is your home or office network, open its properties (Settings › Network & internet › ${active.interfaceAlias}) and choose “Private network”.`,
      action: settings,
    });
  } else {
    findings.push({ id: 'windows-profile', status: 'ok', title: `“${active.name}” is a ${active.category === 'Private' ? 'Private' : 'domain'} network`, detail: 'Windows lets devices on it find and reach each other.' });
  }
  const fw = await ps(windowsFirewallScript(program, ports));
  let verdict: FirewallVerdict = { detail: fw.stderr.trim().split('\n')[0] || 'The firewall’s rules could not be read.' };
  try {
    if (fw.ok) verdict = parseWindowsFirewall(fw.stdout, { category: active.category, program, ports });
  } catch {
    // unknown
  }
  findings.push(
    firewallFinding('windows-firewall', verdict, ports, () => `Allow FTP Share when Windows asks, or run in an administrator PowerShell: ${windowsAllowCommand(program)}`),
  );
  return findings;
}

/** What the app can't see, one sentence each with the fix. */
function advice(platform: NodeJS.Platform): ReachabilityFinding[] {
  const list: ReachabilityFinding[] = [
    {
      id: 'advice-isolation',
      status: 'unknown',
      title: 'Guest and hotel Wi-Fi often keep devices apart',
      detail: 'Such networks ("client isolation") let each device reach the internet but not the others, and no app can see it.',
      fix: 'Use your main network, or this computer’s or the phone’s hotspot.',
    },
    {
      id: 'advice-mobile-data',
      status: 'unknown',
      title: 'A phone on mobile data is not on your network',
      detail: 'A phone whose Wi-Fi is off or dropped uses mobile data and can’t reach this computer.',
      fix: 'Turn on the phone’s Wi-Fi and join the same network as this computer.',
    },
  ];
  if (platform === 'darwin') {
    list.push({
      id: 'advice-local-network',
      status: 'unknown',
      title: 'macOS may need to allow FTP Share on the local network',
      detail: 'When a connection to a device on your network fails with "no route to host" (active-mode FTP, finding by name), macOS has refused FTP Share local network access.',
      fix: 'System Settings › Privacy & Security › Local Network: turn on FTP Share.',
    });
  }
  return list;
}

const ORDER = { problem: 0, unknown: 1, ok: 2 } as const;

/**
 * Runs every check for this platform and returns the findings, problems first, then the advice
 * about what the app can't see. Never throws; a check that fails says "unknown".
 */
export async function checkReachability(input: ReachabilityInput): Promise<ReachabilityReport> {
  const platform = input.platform ?? process.platform;
  const run = input.run ?? execFileRunner;
  const program = input.program ?? process.execPath;
  const interfaces = input.interfaces ?? readNetworkInterfaces();
  const own = await ownChecks(input, interfaces);
  let firewall: ReachabilityFinding[] = [];
  if (!input.skipFirewall) {
    try {
      if (platform === 'linux') firewall = await linuxChecks(input, run);
      else if (platform === 'darwin') firewall = await macChecks(input, run, program);
      else if (platform === 'win32') {
        const iface = input.address === undefined ? undefined : interfaceNameForAddress(interfaces, input.address);
        firewall = await windowsChecks(input, run, program, iface);
      }
    } catch (err) {
      firewall = [{ id: 'firewall', status: 'unknown', title: 'The firewall could not be checked', detail: (err as Error).message }];
    }
  }
  const findings = [...own, ...firewall].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const report: ReachabilityReport = { checkedAt: Date.now(), ports: { ...input.ports }, findings: [...findings, ...advice(platform)] };
  if (input.address !== undefined) report.address = input.address;
  return report;
}
