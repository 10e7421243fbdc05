/**
 * Settings that apply to a running share without a restart: the shared folders, who may sign in,
 * read-only, and advertising by name. Connected clients keep their sessions and follow the change from their next
 * command. Each function changes the share and returns what the log (and, when people are
 * affected, a notice) should say.
 */
import type { AccessSettings } from './settings.js';
import { authorizerFor, backendFor, type RunningShare, type ShareAccess } from './share-assembly.js';

/** What applying a change says: a log line, and a notice when connected people are affected. */
export interface AppliedChange {
  log: string;
  notice?: string;
}

/** The access settings as the share assembly takes them. */
export function shareAccess(access: AccessSettings): ShareAccess {
  return access.mode === 'anonymous' ? {} : { username: access.username, password: access.password };
}

/** The shared folders for a log line: the folder, or how many. */
export function describeFolders(folders: readonly string[]): string {
  return folders.length === 1 ? folders[0]! : `${folders.length} folders`;
}

/**
 * Turning sign-in off keeps the account that was on, so that turning it back on restores the
 * same user name and password (a request that names its own account keeps that one).
 */
export function keepAccount(requested: unknown, current: AccessSettings): unknown {
  if (typeof requested !== 'object' || requested === null) return requested;
  const access = requested as Record<string, unknown>;
  if (access['mode'] !== 'anonymous' || access['account'] !== undefined) return requested;
  const account = current.mode === 'password' ? { username: current.username, password: current.password } : current.account;
  return account ? { ...access, account } : requested;
}

/**
 * Shares a new, non-empty folder list: each session sees it from its next command (see
 * SwitchableFileSystem). The live read-only state is kept, not the setting: a change of both
 * applies read-only next.
 */
export function applyFolders(share: RunningShare, folders: readonly string[]): AppliedChange {
  share.fileSystem.replace(backendFor(folders, share.fileSystem.readOnly));
  return { log: `Now sharing ${describeFolders(folders)}: connected clients see the change from their next command` };
}

/**
 * Sign-ins from now on need the new credentials (or none); sessions already signed in keep going,
 * and the log and a notice say so, since the user may want to disconnect them.
 */
export function applyAccess(share: RunningShare, access: AccessSettings, connected: number): AppliedChange {
  share.authorizer.replace(authorizerFor(shareAccess(access), share.fileSystem));
  share.accessChanged(shareAccess(access));
  const rule = access.mode === 'anonymous' ? 'anyone can sign in from now on' : `new sign-ins need user "${access.username}" and its password`;
  if (connected === 0) return { log: `Sign-in changed: ${rule}` };
  const who = connected === 1 ? 'The person already connected stays' : `The ${connected} people already connected stay`;
  return { log: `Sign-in changed: ${rule}. ${who} connected.`, notice: `Sign-in changed. ${who} connected; disconnect in Sessions if needed.` };
}

/**
 * Switches read-only; undefined when it already is as asked. An upload already under way finishes
 * and is kept: its permission was granted at STOR, like a file already opened for writing.
 * `wasWritable`: this share allowed writes before, so they are allowed "again".
 */
export function applyReadOnly(share: RunningShare, readOnly: boolean, wasWritable: boolean): AppliedChange | undefined {
  if (share.fileSystem.readOnly === readOnly) return undefined;
  share.fileSystem.setReadOnly(readOnly);
  if (readOnly) return { log: 'Read-only on: uploads, deletes and renames are refused from now on' };
  return { log: `Read-only off: uploads, deletes and renames are allowed ${wasWritable ? 'again' : 'from now on'}` };
}

/** Starts or stops advertising the share by name (mDNS/DNS-SD). */
export async function applyMdns(share: RunningShare, on: boolean): Promise<AppliedChange> {
  await share.setAdvertised(on);
  return { log: on ? 'Finding this share by name on the network is on' : 'Finding this share by name on the network is off' };
}
