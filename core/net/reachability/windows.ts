/**
 * Windows: the active network's profile (`Get-NetConnectionProfile`) and whether Windows Defender
 * Firewall lets the share's ports in on it. Pure parsers over PowerShell's `ConvertTo-Json`
 * output, which is the same in every display language: enum values arrive as numbers (Windows
 * PowerShell 5.1) or as their English enum names (PowerShell 7 with `-EnumsAsStrings`), never as
 * translated words, so nothing here reads a localised label.
 */
import type { FirewallVerdict } from './types.js';

/** Lists every connection profile as JSON, always an array (`@()`), one object per network. */
export const WINDOWS_PROFILE_SCRIPT =
  'ConvertTo-Json -Compress -InputObject @(Get-NetConnectionProfile -ErrorAction SilentlyContinue | ' +
  'Select-Object Name,InterfaceAlias,InterfaceIndex,NetworkCategory,IPv4Connectivity)';

/** PowerShell's single-quoted string literal. */
function psQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The firewall's profiles and the enabled inbound rules that name the program or one of the TCP
 * ports, as `{ profiles: [...], rules: [...] }` JSON. Reads only; changes nothing.
 */
export function windowsFirewallScript(program: string, ports: readonly number[]): string {
  const portList = ports.map((p) => psQuote(String(p))).join(',');
  return [
    "$ErrorActionPreference='SilentlyContinue'",
    `$ports=@(${portList})`,
    '$profiles=@(Get-NetFirewallProfile | Select-Object Name,Enabled,DefaultInboundAction)',
    `$byApp=@(Get-NetFirewallApplicationFilter -Program ${psQuote(program)} | Get-NetFirewallRule)`,
    // Port filters of TCP rules with a port list (ranges like 2000-3000 are kept for the parser).
    '$byPort=@(Get-NetFirewallPortFilter -Protocol TCP | Where-Object { $_.LocalPort -ne \'Any\' } | Get-NetFirewallRule)',
    '$rules=@(($byApp + $byPort) | Where-Object { $_.Direction -eq 1 -or "$($_.Direction)" -eq \'Inbound\' } | Sort-Object -Property Name -Unique | ForEach-Object {',
    '  $pf = $_ | Get-NetFirewallPortFilter; $af = $_ | Get-NetFirewallApplicationFilter',
    '  [pscustomobject]@{ DisplayName=$_.DisplayName; Enabled=$_.Enabled; Action=$_.Action; Profile=$_.Profile; Program=$af.Program; Protocol=$pf.Protocol; LocalPort=@($pf.LocalPort) } })',
    'ConvertTo-Json -Compress -Depth 4 -InputObject @{ profiles=$profiles; rules=$rules }',
  ].join('\n');
}

/** Windows' network categories (NetworkCategory enum). */
export type WindowsCategory = 'Public' | 'Private' | 'DomainAuthenticated';

/** One network as `Get-NetConnectionProfile` reports it. */
export interface WindowsNetworkProfile {
  name: string;
  interfaceAlias: string;
  interfaceIndex?: number;
  category?: WindowsCategory;
}

const CATEGORY_BY_NUMBER: Record<number, WindowsCategory> = { 0: 'Public', 1: 'Private', 2: 'DomainAuthenticated' };

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? [] : [value];
}

function parseJson(text: string): unknown {
  // PowerShell may write a BOM; an empty answer means no profiles.
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  return JSON.parse(trimmed) as unknown;
}

/** A category from its enum number or its enum name (not localised). */
function category(value: unknown): WindowsCategory | undefined {
  if (typeof value === 'number') return CATEGORY_BY_NUMBER[value];
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return CATEGORY_BY_NUMBER[Number(value)];
    const v = value.toLowerCase();
    if (v === 'public') return 'Public';
    if (v === 'private') return 'Private';
    if (v === 'domainauthenticated') return 'DomainAuthenticated';
  }
  return undefined;
}

/** Parses {@link WINDOWS_PROFILE_SCRIPT}'s output. Throws on text that is not JSON. */
export function parseWindowsProfiles(text: string): WindowsNetworkProfile[] {
  const profiles: WindowsNetworkProfile[] = [];
  for (const item of asArray(parseJson(text))) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    const profile: WindowsNetworkProfile = { name: String(o.Name ?? ''), interfaceAlias: String(o.InterfaceAlias ?? '') };
    if (typeof o.InterfaceIndex === 'number') profile.interfaceIndex = o.InterfaceIndex;
    const c = category(o.NetworkCategory);
    if (c) profile.category = c;
    profiles.push(profile);
  }
  return profiles;
}

/** The firewall profile that applies to a network category. */
export function firewallProfileOf(c: WindowsCategory): 'Public' | 'Private' | 'Domain' {
  return c === 'DomainAuthenticated' ? 'Domain' : c;
}

// Firewall enums (Microsoft's NetSecurity module): GpoBoolean True=1 False=2; Action
// NotConfigured=0 Allow=2 Block=4; Profile flags Any=0 Domain=1 Private=2 Public=4.
const PROFILE_FLAG = { Domain: 1, Private: 2, Public: 4 } as const;

function gpoTrue(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === '1') return true;
  if (value === false || value === 2 || value === '2' || value === 0) return false;
  if (typeof value === 'string') return value.toLowerCase() === 'true' ? true : value.toLowerCase() === 'false' ? false : undefined;
  return undefined;
}

function action(value: unknown): 'allow' | 'block' | 'none' {
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  if (v === 2 || v === '2' || v === 'allow') return 'allow';
  if (v === 4 || v === '4' || v === 'block') return 'block';
  return 'none';
}

/** Whether a rule's Profile (flags as a number, or "Private, Public" / "Any") covers `profile`. */
function coversProfile(value: unknown, profile: keyof typeof PROFILE_FLAG): boolean {
  if (typeof value === 'number') return value === 0 || (value & PROFILE_FLAG[profile]) !== 0;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return coversProfile(Number(value), profile);
    const names = value.split(/[,\s]+/).map((s) => s.toLowerCase());
    return names.includes('any') || names.includes(profile.toLowerCase());
  }
  return value === undefined || value === null; // no profile restriction
}

/** Whether a LocalPort list ("2121", "2000-3000", "Any", numbers) includes `port`. */
function coversPort(value: unknown, port: number): boolean {
  for (const entry of asArray(value)) {
    const s = String(entry).trim();
    if (s.toLowerCase() === 'any') return true;
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(s);
    if (range && port >= Number(range[1]) && port <= Number(range[2])) return true;
    if (/^\d+$/.test(s) && Number(s) === port) return true;
  }
  return false;
}

function sameProgram(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.replace(/\//g, '\\').toLowerCase() === b.replace(/\//g, '\\').toLowerCase();
}

/**
 * Parses {@link windowsFirewallScript}'s output into a verdict for `ports` on the network's
 * `category`: which ports an inbound connection would be refused on. Windows lets a connection in
 * when the profile's firewall is off, its default inbound action is Allow, or an enabled inbound
 * Allow rule for that profile matches the program or the port, and no matching Block rule does
 * (Block wins). Throws on text that is not JSON.
 */
export function parseWindowsFirewall(
  text: string,
  options: { category: WindowsCategory; program: string; ports: readonly number[] },
): FirewallVerdict {
  const parsed = parseJson(text) as Record<string, unknown>;
  const profileName = firewallProfileOf(options.category);
  const profile = asArray(parsed?.profiles).find(
    (p) => p && typeof p === 'object' && String((p as Record<string, unknown>).Name).toLowerCase() === profileName.toLowerCase(),
  ) as Record<string, unknown> | undefined;
  const enabled = profile ? gpoTrue(profile.Enabled) : undefined;
  if (enabled === false) return { active: false, blockedPorts: [], detail: `Windows Defender Firewall is off for ${profileName} networks.` };
  if (profile && action(profile.DefaultInboundAction) === 'allow') {
    return { active: true, blockedPorts: [], detail: `Windows Defender Firewall lets every inbound connection in on ${profileName} networks.` };
  }
  const allowed = new Set<number>();
  const blocked = new Set<number>();
  const names: string[] = [];
  for (const item of asArray(parsed?.rules)) {
    if (!item || typeof item !== 'object') continue;
    const rule = item as Record<string, unknown>;
    if (gpoTrue(rule.Enabled) === false || !coversProfile(rule.Profile, profileName)) continue;
    const act = action(rule.Action);
    if (act === 'none') continue;
    const protocol = String(rule.Protocol ?? 'Any').toLowerCase();
    const tcp = protocol === 'tcp' || protocol === 'any' || protocol === '6';
    const byProgram = sameProgram(rule.Program, options.program);
    const programAny = rule.Program === undefined || rule.Program === null || String(rule.Program).toLowerCase() === 'any';
    for (const port of options.ports) {
      const portMatch = tcp && (rule.LocalPort === undefined || rule.LocalPort === null || coversPort(rule.LocalPort, port));
      const progMatch = byProgram || programAny;
      if (!(portMatch && progMatch)) continue;
      (act === 'allow' ? allowed : blocked).add(port);
      if (!names.includes(String(rule.DisplayName))) names.push(String(rule.DisplayName));
    }
  }
  const blockedPorts = options.ports.filter((p) => blocked.has(p) || !allowed.has(p));
  const seen = names.length ? ` Matching rules: ${names.map((n) => `“${n}”`).join(', ')}.` : ' No inbound rule allows FTP Share or its ports.';
  return {
    active: enabled ?? (profile ? true : undefined),
    blockedPorts,
    detail: `Windows Defender Firewall is on for ${profileName} networks.${seen}`,
  };
}

/** The PowerShell command (run as administrator) that allows the program in on Private networks. */
export function windowsAllowCommand(program: string): string {
  return `New-NetFirewallRule -DisplayName "FTP Share" -Direction Inbound -Action Allow -Program "${program}" -Profile Private`;
}
