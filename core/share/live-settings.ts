/**
 * Settings that apply to a running share without a restart: the shared folders, who may sign in,
 * read-only, advertising by name, and the bandwidth caps (which running transfers follow at once). Connected clients keep their sessions and follow the change from their next
 * command. Each function changes the share and returns what the log (and, when people are
 * affected, a notice) should say.
 */
import type { BandwidthLimits } from '../net/throttle.js';
import { accountsOf, bytesPerSecond, type AccessSettings, type BandwidthSettings } from './settings.js';
import type { RunningShare, ShareAccess } from './share-assembly.js';

/** What applying a change says: a log line, and a notice when connected people are affected. */
export interface AppliedChange {
  log: string;
  notice?: string;
}

/** The access settings as the share assembly takes them. */
export function shareAccess(access: AccessSettings): ShareAccess {
  return access.mode === 'anonymous' ? {} : { accounts: accountsOf(access) };
}

/** The shared folders for a log line: the folder, or how many. */
export function describeFolders(folders: readonly string[]): string {
  return folders.length === 1 ? folders[0]! : `${folders.length} folders`;
}

/**
 * Turning sign-in off keeps the accounts that were on, so that turning it back on restores the
 * same accounts and passwords (a request that names its own accounts keeps those).
 */
export function keepAccount(requested: unknown, current: AccessSettings): unknown {
  if (typeof requested !== 'object' || requested === null) return requested;
  const access = requested as Record<string, unknown>;
  if (access['mode'] !== 'anonymous' || access['account'] !== undefined) return requested;
  let account = current.mode === 'anonymous' ? current.account : undefined;
  if (current.mode === 'password') {
    const { mode: _mode, ...list } = current;
    account = list;
  }
  return account ? { ...access, account } : requested;
}

/**
 * Shares a new, non-empty folder list: each session sees it from its next command (see
 * SwitchableFileSystem). The live read-only state is kept, not the setting: a change of both
 * applies read-only next.
 */
export function applyFolders(share: RunningShare, folders: readonly string[]): AppliedChange {
  share.setFolders(folders);
  return { log: `Now sharing ${describeFolders(folders)}: connected clients see the change from their next command` };
}

/**
 * Sign-ins from now on need the new credentials (or none). Sessions of an account that was
 * removed (or renamed) end; the others keep going, following their account's new rights from
 * their next command, and the log and a notice say so, since the user may want to disconnect them.
 */
export function applyAccess(share: RunningShare, access: AccessSettings, connected: number): AppliedChange {
  const ended = share.setAccess(shareAccess(access));
  const accounts = accountsOf(access);
  const rule =
    access.mode === 'anonymous'
      ? 'anyone can sign in from now on'
      : accounts.length === 1
        ? `new sign-ins need user "${access.username}" and its password`
        : `new sign-ins need one of ${accounts.length} accounts (${accounts.map((a) => `"${a.username}"`).join(', ')}) and its password`;
  const endedText = ended.map(({ user, sessions }) => `Account "${user}" was removed: ${sessions === 1 ? 'its session' : `its ${sessions} sessions`} ended.`).join(' ');
  const staying = connected - ended.reduce((sum, e) => sum + e.sessions, 0);
  const parts = [endedText, staying <= 0 ? '' : staying === 1 ? 'The person already connected stays connected.' : `The ${staying} people already connected stay connected.`].filter(Boolean);
  if (parts.length === 0) return { log: `Sign-in changed: ${rule}` };
  const stays = staying > 0 ? '; disconnect in Sessions if needed' : '';
  return { log: `Sign-in changed: ${rule}. ${parts.join(' ')}`, notice: `Sign-in changed. ${parts.join(' ').replace(/\.$/, '')}${stays}.` };
}

/**
 * Switches read-only; undefined when it already is as asked. An upload already under way finishes
 * and is kept: its permission was granted at STOR, like a file already opened for writing.
 * `wasWritable`: this share allowed writes before, so they are allowed "again".
 */
export function applyReadOnly(share: RunningShare, readOnly: boolean, wasWritable: boolean): AppliedChange | undefined {
  if (share.fileSystem.readOnly === readOnly) return undefined;
  share.setReadOnly(readOnly);
  if (readOnly) return { log: 'Read-only on: uploads, deletes and renames are refused from now on' };
  return { log: `Read-only off: uploads, deletes and renames are allowed ${wasWritable ? 'again' : 'from now on'}` };
}

/** Starts or stops advertising the share by name (mDNS/DNS-SD). */
export async function applyMdns(share: RunningShare, on: boolean): Promise<AppliedChange> {
  await share.setAdvertised(on);
  return { log: on ? 'Finding this share by name on the network is on' : 'Finding this share by name on the network is off' };
}

/** The bandwidth caps of the settings (MB/s) as the share's budget takes them (bytes per second; 0 = unlimited). */
export function bandwidthLimits(bandwidth: BandwidthSettings): BandwidthLimits {
  const device = bytesPerSecond(bandwidth.perDeviceMBps);
  return { download: bytesPerSecond(bandwidth.downloadMBps), upload: bytesPerSecond(bandwidth.uploadMBps), deviceDownload: device, deviceUpload: device };
}

/** A cap for people: "4 MB/s" or "unlimited". */
export function describeCap(mbps: number): string {
  return mbps > 0 ? `${mbps} MB/s` : 'unlimited';
}

/**
 * New bandwidth caps for FTP and the web page together; transfers already running follow them
 * within a second. `extra`: caps the caller fixed besides the settings (kept where given).
 */
export function applyBandwidth(share: RunningShare, bandwidth: BandwidthSettings, extra: BandwidthLimits = {}): AppliedChange {
  share.bandwidth.setLimits({ ...bandwidthLimits(bandwidth), ...extra });
  return {
    log: `Bandwidth caps: downloads ${describeCap(bandwidth.downloadMBps)}, uploads ${describeCap(bandwidth.uploadMBps)}, each device ${describeCap(bandwidth.perDeviceMBps)}; running transfers follow now`,
  };
}
