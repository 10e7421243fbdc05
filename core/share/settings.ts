/**
 * The persisted settings of a share: their type, defaults and validation. Pure (no I/O);
 * settings-store.ts reads and writes them.
 *
 * Validation is the one gate for settings from anywhere (the UI, the CLI, a hand-edited file): it
 * fills in defaults for missing fields, so a file written by an older version upgrades by loading,
 * ignores unknown fields, and reports every problem at once with a message a user can act on.
 */
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { defaults } from '../defaults.js';
import { MAX_CONNECTION_LIMIT } from './contract.js';

import type { AccessSettings, AccountList, AccountSettings, BandwidthSettings, FtpsMode, ShareSettings, SettingsFieldError, SettingsValidation } from './settings-types.js';

export type { AccessSettings, AccountList, AccountSettings, BandwidthSettings, FtpsMode, ShareSettings, SettingsFieldError, SettingsValidation } from './settings-types.js';

/** The user name of a new installation's account. */
export const DEFAULT_USERNAME = 'ftp';

/**
 * Alphabet of generated passwords: lower-case letters and digits without look-alikes
 * (0/o, 1/l/i), so a password can be read off a screen and typed on a phone without the shift
 * key. 31 symbols: 4.95 bits each.
 */
export const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Length of generated passwords: 20 × 4.95 ≈ 99 bits, far beyond online guessing. */
export const GENERATED_PASSWORD_LENGTH = 20;

/** Longest user name or password accepted (they travel on a 4 KiB FTP command line). */
export const MAX_CREDENTIAL_LENGTH = 256;

/**
 * Longest auto-stop delay: one week. Also keeps the delay far below setTimeout's limit of
 * 2^31-1 ms (24.8 days), beyond which Node fires the timer at once.
 */
export const MAX_AUTO_STOP_MINUTES = 7 * 24 * 60;

/** Lowest passive port: lower ones need privileges on most systems. */
export const MIN_PASSIVE_PORT = 1024;

/**
 * Generates a strong password that is easy to read and type.
 *
 * Uses `crypto.randomInt` (uniform, no modulo bias) over {@link PASSWORD_ALPHABET}.
 */
export function generatePassword(length = GENERATED_PASSWORD_LENGTH): string {
  let password = '';
  for (let i = 0; i < length; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

/**
 * The settings of a new installation: nothing shared yet, port 2121, read-only, a password
 * account "ftp" with a freshly generated password, FTPS off.
 */
export function defaultSettings(): ShareSettings {
  return {
    folders: [],
    port: defaults.port,
    readOnly: true,
    web: { enabled: true, port: defaults.webPort, qrSignIn: true },
    access: { mode: 'password', username: DEFAULT_USERNAME, password: generatePassword() },
    ftps: 'off',
    requireTls: false,
    maxConnections: defaults.maxConnections,
    maxConnectionsPerAddress: defaults.maxConnectionsPerIp,
    autoStopMinutes: 0,
    launchAtLogin: false,
    mdns: true,
    notifyOnReceive: true,
    bandwidth: { downloadMBps: 0, uploadMBps: 0, perDeviceMBps: 0 },
    trayHintShown: false,
    version: 1,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Host names as RFC 1123 allows them (e.g. "my-pc.local"), for an advertised address.
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
// CR and LF would end the FTP command; NUL is refused by every server.
const FORBIDDEN_IN_CREDENTIALS = /[\r\n\0]/;

/**
 * Checks settings from any source and fills in defaults.
 *
 * Missing fields (undefined) take their defaults, so files from older versions load; unknown
 * fields are dropped; every problem is reported, each with its field and a human message. The
 * `access` object is all-or-nothing: when given in password mode, it needs both a user name and a
 * password (a UI must never end up with a password the user did not see).
 */
export function validateSettings(input: unknown): SettingsValidation {
  const errors: SettingsFieldError[] = [];
  const fail = (field: string, message: string): void => {
    errors.push({ field, message });
  };
  if (!isRecord(input)) {
    return { ok: false, errors: [{ field: '', message: 'Settings must be an object' }] };
  }
  const base = defaultSettings();

  const version = input['version'];
  if (version !== undefined && version !== 1) {
    fail('version', typeof version === 'number' && version > 1
      ? 'These settings were saved by a newer version of FTP Share'
      : 'Settings version must be 1');
  }

  const folders: string[] = [];
  const rawFolders = input['folders'];
  if (rawFolders !== undefined) {
    if (!Array.isArray(rawFolders)) {
      fail('folders', 'Folders must be a list of paths');
    } else {
      const seen = new Set<string>();
      rawFolders.forEach((folder: unknown, i) => {
        const field = `folders[${i}]`;
        if (typeof folder !== 'string' || folder === '') fail(field, 'Folder path can\'t be empty');
        else if (folder.includes('\0')) fail(field, 'Folder path can\'t contain a NUL character');
        else if (!path.isAbsolute(folder)) fail(field, `Folder path must be absolute: ${folder}`);
        else if (seen.has(folder)) fail(field, `Folder is listed twice: ${folder}`);
        else {
          seen.add(folder);
          folders.push(folder);
        }
      });
    }
  }

  const port = portField(input['port'], 'port', 'Port', 1, base.port, fail);

  const bool = (field: keyof ShareSettings & string, name: string): boolean =>
    booleanField(input[field], field, name, base[field] as boolean, fail);
  const readOnly = bool('readOnly', 'Read-only');
  const requireTls = bool('requireTls', 'Require TLS');
  const launchAtLogin = bool('launchAtLogin', 'Launch at login');
  const mdns = bool('mdns', 'Find by name');
  const web = webField(input['web'], base.web, port, fail);
  const notifyOnReceive = bool('notifyOnReceive', 'Notify when files arrive');
  const bandwidth = bandwidthField(input['bandwidth'], base.bandwidth, fail);
  const trayHintShown = bool('trayHintShown', 'Tray hint shown');

  const access = accessField(input['access'], base.access, folders, fail);

  let ftps: FtpsMode = base.ftps;
  const rawFtps = input['ftps'];
  if (rawFtps !== undefined) {
    if (rawFtps === 'off' || rawFtps === 'explicit' || rawFtps === 'implicit') ftps = rawFtps;
    else fail('ftps', 'FTPS must be off, explicit or implicit');
  }
  // Implicit FTPS is TLS from the first byte; with explicit, requireTls refuses plain logins.
  if (requireTls && ftps === 'off') fail('requireTls', 'Requiring TLS needs FTPS to be turned on');

  let passivePorts: ShareSettings['passivePorts'];
  const rawPassive = input['passivePorts'];
  if (rawPassive !== undefined && rawPassive !== null) {
    if (!isRecord(rawPassive)) {
      fail('passivePorts', 'Passive port range must have a min and a max');
    } else {
      const before = errors.length;
      const rangePort = (key: 'min' | 'max', name: string): number | undefined =>
        portField(rawPassive[key], `passivePorts.${key}`, name, MIN_PASSIVE_PORT, undefined, fail);
      const min = rangePort('min', 'Lowest passive port');
      const max = rangePort('max', 'Highest passive port');
      if (errors.length === before && min !== undefined && max !== undefined) {
        if (min > max) fail('passivePorts', 'Passive port range must have min ≤ max');
        else if (port !== undefined && port >= min && port <= max) {
          fail('passivePorts', `Passive port range can't include the control port ${port}`);
        } else passivePorts = { min, max };
      }
    }
  }

  // A device may not be allowed more connections than everyone together; only checked when both
  // limits are themselves valid, so one typo is reported once.
  const beforeLimits = errors.length;
  const connectionLimit = (key: 'maxConnections' | 'maxConnectionsPerAddress', name: string): number =>
    wholeNumberField(input[key], key, name, 1, MAX_CONNECTION_LIMIT, base[key], fail) ?? base[key];
  const maxConnections = connectionLimit('maxConnections', 'Connection limit');
  const maxConnectionsPerAddress = connectionLimit('maxConnectionsPerAddress', 'Connection limit per device');
  if (errors.length === beforeLimits && maxConnectionsPerAddress > maxConnections) {
    fail('maxConnectionsPerAddress', `Connection limit per device can't be more than the connection limit (${maxConnections})`);
  }

  let autoStopMinutes = base.autoStopMinutes;
  const rawAutoStop = input['autoStopMinutes'];
  if (rawAutoStop !== undefined) {
    if (typeof rawAutoStop !== 'number' || !Number.isInteger(rawAutoStop) || rawAutoStop < 0) {
      fail('autoStopMinutes', 'Auto-stop must be a whole number of minutes (0 = off)');
    } else if (rawAutoStop > MAX_AUTO_STOP_MINUTES) {
      fail('autoStopMinutes', `Auto-stop can be at most ${MAX_AUTO_STOP_MINUTES} minutes (one week)`);
    } else autoStopMinutes = rawAutoStop;
  }

  let advertisedAddress: string | undefined;
  const rawAdvertised = input['advertisedAddress'];
  // '' and null mean "none" (a UI clearing the field).
  if (rawAdvertised !== undefined && rawAdvertised !== null && rawAdvertised !== '') {
    if (typeof rawAdvertised !== 'string' || (isIP(rawAdvertised) === 0 && !HOSTNAME.test(rawAdvertised))) {
      fail('advertisedAddress', 'Advertised address must be an IP address or a host name');
    } else advertisedAddress = rawAdvertised;
  }

  if (errors.length > 0) return { ok: false, errors };
  const value: ShareSettings = {
    folders,
    port: port ?? base.port,
    readOnly,
    web,
    access,
    ftps,
    requireTls,
    maxConnections,
    maxConnectionsPerAddress,
    autoStopMinutes,
    launchAtLogin,
    mdns,
    notifyOnReceive,
    bandwidth,
    trayHintShown,
    version: 1,
  };
  if (passivePorts) value.passivePorts = passivePorts;
  if (advertisedAddress !== undefined) value.advertisedAddress = advertisedAddress;
  return { ok: true, value };
}

/** The highest bandwidth cap, in MB/s: 80 Gbit/s, past any LAN link (a typo guard). */
export const MAX_BANDWIDTH_MBPS = 10_000;

/** The bandwidth caps: each a finite number of MB/s from 0 (unlimited) to {@link MAX_BANDWIDTH_MBPS}; missing ones keep their value. */
function bandwidthField(raw: unknown, base: BandwidthSettings, fail: (field: string, message: string) => void): BandwidthSettings {
  if (raw === undefined) return { ...base };
  if (!isRecord(raw)) {
    fail('bandwidth', 'Bandwidth caps must be an object');
    return { ...base };
  }
  const value = { ...base };
  const names = { downloadMBps: 'Download cap', uploadMBps: 'Upload cap', perDeviceMBps: 'Per-device cap' } as const;
  for (const key of Object.keys(names) as Array<keyof BandwidthSettings>) {
    const cap = raw[key];
    if (cap === undefined) continue;
    if (typeof cap !== 'number' || !Number.isFinite(cap) || cap < 0) fail(`bandwidth.${key}`, `${names[key]} must be a number of MB/s (0 = unlimited)`);
    else if (cap > MAX_BANDWIDTH_MBPS) fail(`bandwidth.${key}`, `${names[key]} can be at most ${MAX_BANDWIDTH_MBPS.toLocaleString('en-US')} MB/s`);
    else value[key] = cap;
  }
  return value;
}

/** Bytes per second of a cap in MB/s (1 MB = 1,000,000 bytes); 0 stays 0, unlimited. */
export function bytesPerSecond(mbps: number): number {
  return Math.round(mbps * 1_000_000);
}

/** The user name of the read-only guest the window adds with one click (`guest`, `guest-2`, …). */
export const GUEST_USERNAME = 'guest';

/** Every account of password sign-in, the first one first; none while anonymous. */
export function accountsOf(access: AccessSettings): AccountSettings[] {
  if (access.mode !== 'password') return [];
  const { mode: _mode, otherAccounts, ...first } = access;
  return [first, ...(otherAccounts ?? [])];
}

/** Accounts as {@link AccessSettings} keeps them: the first one's fields, then `otherAccounts`. */
export function accountList(accounts: readonly AccountSettings[]): AccountList {
  const [first, ...others] = accounts;
  if (!first) throw new Error('an account list needs at least one account');
  return others.length > 0 ? { ...first, otherAccounts: [...others] } : { ...first };
}

/**
 * The access settings with folders that are no longer shared taken out of every account's list
 * (the kept one's too), so that a folder can stop being shared without the accounts that saw it
 * becoming invalid. An account left without folders sees none; it never falls back to all.
 */
export function withoutUnsharedFolders(access: AccessSettings, folders: readonly string[]): AccessSettings {
  const prune = (list: AccountList): AccountList => {
    const pruned = (account: AccountSettings): AccountSettings =>
      account.folders ? { ...account, folders: account.folders.filter((f) => folders.includes(f)) } : account;
    const [first, ...others] = [list, ...(list.otherAccounts ?? [])].map(pruned);
    return others.length > 0 ? { ...first!, otherAccounts: others } : first!;
  };
  if (access.mode === 'password') {
    const { mode: _mode, ...list } = access;
    return { mode: 'password', ...prune(list) };
  }
  return access.account ? { mode: 'anonymous', account: prune(access.account) } : access;
}

/** What {@link checkAccounts} found: the valid accounts, and every problem of the others. */
export interface CheckedAccounts {
  accounts: AccountSettings[];
  errors: SettingsFieldError[];
}

/**
 * Checks accounts from any source (the settings, the CLI's accounts file): each needs a user name
 * and a password, no two may have the same user name (ignoring case, which people and some
 * clients don't tell apart), `readOnly` is a boolean, and each folder is one of `folders`. Every
 * problem is reported, at `fieldOf(index, key)`. `readOnly: false` is dropped (it is the default)
 * and folders listed twice are kept once.
 */
export function checkAccounts(
  raw: readonly unknown[],
  folders: readonly string[],
  fieldOf: (index: number, key?: 'username' | 'password' | 'readOnly' | 'folders') => string,
): CheckedAccounts {
  const errors: SettingsFieldError[] = [];
  const accounts: AccountSettings[] = [];
  const names = new Set<string>();
  raw.forEach((candidate, i) => {
    const before = errors.length;
    const fail = (field: string, message: string): void => void errors.push({ field, message });
    if (!isRecord(candidate)) {
      fail(fieldOf(i), 'An account needs a user name and a password');
      return;
    }
    const { username, password, readOnly, folders: seen } = candidate;
    const usernameError = credentialError(username, 'User name', true);
    const passwordError = credentialError(password, 'Password', false);
    if (usernameError) fail(fieldOf(i, 'username'), usernameError);
    else if (names.has((username as string).toLowerCase())) fail(fieldOf(i, 'username'), 'Another account has this user name');
    else names.add((username as string).toLowerCase());
    if (passwordError) fail(fieldOf(i, 'password'), passwordError);
    if (readOnly !== undefined && typeof readOnly !== 'boolean') fail(fieldOf(i, 'readOnly'), 'Read-only must be true or false');
    let visible: string[] | undefined;
    if (seen !== undefined) {
      if (!Array.isArray(seen)) fail(fieldOf(i, 'folders'), 'Folders must be a list of shared folders');
      else {
        visible = [];
        seen.forEach((folder: unknown, j) => {
          if (typeof folder !== 'string' || !folders.includes(folder)) {
            fail(`${fieldOf(i, 'folders')}[${j}]`, typeof folder === 'string' ? `Not a shared folder: ${folder}` : 'Folders must be shared folders');
          } else if (!visible!.includes(folder)) visible!.push(folder);
        });
      }
    }
    if (errors.length > before) return;
    accounts.push({
      username: username as string,
      password: password as string,
      ...(readOnly === true ? { readOnly } : {}),
      ...(visible ? { folders: visible } : {}),
    });
  });
  return { accounts, errors };
}

/** Where a field of account `index` of an {@link AccountList} is: the first one's at the top. */
function accountField(index: number, key?: string): string {
  const account = index === 0 ? 'access' : `access.otherAccounts[${index - 1}]`;
  return key ? `${account}.${key}` : account;
}

/** The accounts of an {@link AccountList} in order, or undefined when `otherAccounts` is not a list. */
function listedAccounts(list: Record<string, unknown>): unknown[] | undefined {
  const { otherAccounts, ...first } = list;
  if (otherAccounts === undefined || otherAccounts === null) return [first];
  return Array.isArray(otherAccounts) ? [first, ...otherAccounts] : undefined;
}

/** The `access` field, checked; see {@link checkAccounts}. */
function accessField(raw: unknown, fallback: AccessSettings, folders: readonly string[], fail: (field: string, message: string) => void): AccessSettings {
  if (raw === undefined) return fallback;
  if (!isRecord(raw)) {
    fail('access', 'Access must be anonymous or password');
    return fallback;
  }
  if (raw['mode'] === 'anonymous') {
    // The kept accounts are never typed by a person: damaged ones are dropped, not reported, and
    // folders that stopped being shared meanwhile are left out.
    const kept = isRecord(raw['account']) ? listedAccounts(raw['account']) : undefined;
    if (!kept) return { mode: 'anonymous' };
    const pruned = kept.map((a) => (isRecord(a) && Array.isArray(a['folders']) ? { ...a, folders: a['folders'].filter((f) => folders.includes(f as string)) } : a));
    const checked = pruned.map((a) => checkAccounts([a], folders, accountField));
    if (checked[0]!.errors.length > 0) return { mode: 'anonymous' };
    const valid = checked.filter((c) => c.errors.length === 0).map((c) => c.accounts[0]!);
    // Two kept accounts with one name: the first stays.
    const unique = valid.filter((a, i) => valid.findIndex((b) => b.username.toLowerCase() === a.username.toLowerCase()) === i);
    return { mode: 'anonymous', account: accountList(unique) };
  }
  if (raw['mode'] === 'password') {
    const listed = listedAccounts(raw);
    if (!listed) {
      fail('access.otherAccounts', 'Other accounts must be a list');
      return fallback;
    }
    const checked = checkAccounts(listed, folders, accountField);
    for (const error of checked.errors) fail(error.field, error.message);
    return checked.errors.length === 0 ? { mode: 'password', ...accountList(checked.accounts) } : fallback;
  }
  fail('access.mode', 'Access must be anonymous or password');
  return fallback;
}

/** Why a user name or password is unacceptable, or undefined. Never quotes the value. */
function credentialError(value: unknown, name: string, isUsername: boolean): string | undefined {
  if (typeof value !== 'string' || (isUsername ? value.trim() : value) === '') return `${name} can't be empty`;
  if (value.length > MAX_CREDENTIAL_LENGTH) return `${name} must be at most ${MAX_CREDENTIAL_LENGTH} characters`;
  if (FORBIDDEN_IN_CREDENTIALS.test(value)) return `${name} can't contain line breaks`;
  // Clients and servers trim the USER argument differently; a password may have any spaces.
  if (isUsername && value !== value.trim()) return `${name} can't start or end with a space`;
  return undefined;
}

/** A port from `min` to 65535; see {@link wholeNumberField}. */
function portField(
  raw: unknown,
  field: string,
  name: string,
  min: number,
  fallback: number | undefined,
  fail: (field: string, message: string) => void,
): number | undefined {
  return wholeNumberField(raw, field, name, min, 65535, fallback, fail);
}

/** A whole number from `min` to `max`; `fallback` when missing, which without one is an error. Undefined when wrong. */
function wholeNumberField(
  raw: unknown,
  field: string,
  name: string,
  min: number,
  max: number,
  fallback: number | undefined,
  fail: (field: string, message: string) => void,
): number | undefined {
  if (raw === undefined) {
    if (fallback === undefined) fail(field, `${name} is required`);
    return fallback;
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    fail(field, `${name} must be a whole number`);
    return undefined;
  }
  if (raw < min || raw > max) {
    fail(field, `${name} must be between ${min} and ${max}`);
    return undefined;
  }
  return raw;
}

function booleanField(
  raw: unknown,
  field: string,
  name: string,
  fallback: boolean,
  fail: (field: string, message: string) => void,
): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'boolean') {
    fail(field, `${name} must be true or false`);
    return fallback;
  }
  return raw;
}

/** The web page's settings: each field checked, a missing one taken from `fallback`. */
function webField(
  raw: unknown,
  fallback: ShareSettings['web'],
  ftpPort: number | undefined,
  fail: (field: string, message: string) => void,
): ShareSettings['web'] {
  if (raw === undefined) return { ...fallback };
  if (!isRecord(raw)) {
    fail('web', 'Web page settings must be an object');
    return { ...fallback };
  }
  const port = portField(raw['port'], 'web.port', 'Web page port', 1, fallback.port, fail) ?? fallback.port;
  if (ftpPort !== undefined && port === ftpPort) fail('web.port', `The web page needs a port of its own, not the FTP port ${ftpPort}`);
  return {
    enabled: booleanField(raw['enabled'], 'web.enabled', 'Web page', fallback.enabled, fail),
    port,
    qrSignIn: booleanField(raw['qrSignIn'], 'web.qrSignIn', 'Sign-in QR code', fallback.qrSignIn, fail),
  };
}
