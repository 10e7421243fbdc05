/**
 * The file systems of a running share: the whole share's (every folder, the share's read-only
 * switch), which anonymous sessions get, and one per account, which shows the account's folders
 * and writes only while both the share and the account allow it (the share's read-only switch
 * applies on top of the account's own).
 *
 * Each is a SwitchableFileSystem that lasts as long as its account (its user name): a session
 * keeps the one it signed in with, and every change (the shared folders, the share's read-only
 * switch, the account's rights) replaces its backend, so connected sessions follow it from their
 * next command.
 *
 * What an account sees at `/`: with one shared folder, that folder, as everyone does; with
 * several, a virtual root holding the folders it sees, under the names everyone sees them by. A
 * guest limited to one of three folders thus sees one directory at `/`, not that folder's content:
 * its paths are the share's paths, so a path the owner reads out works for the guest, and the
 * guest's working directory stays valid when it is given more folders or fewer.
 */
import { PhysicalFileSystem } from '../fs/physical.js';
import { VirtualFileSystem, mountNames } from '../fs/virtual.js';
import { SwitchableFileSystem, type LiveFileSystem } from '../fs/switchable.js';

/** One account of a share: its password, and what it sees and may do. */
export interface ShareAccount {
  username: string;
  password: string;
  /** Only downloads, whatever the share's read-only switch says. */
  readOnly?: boolean;
  /** The shared folders it sees (absolute paths, some of the share's); absent: all of them. */
  folders?: readonly string[];
}

/** The backend for the shared folders: one folder as `/`, several under a virtual `/`. */
export function backendFor(folders: readonly string[], readOnly: boolean): LiveFileSystem {
  return folders.length === 1
    ? new PhysicalFileSystem({ root: folders[0]!, readOnly })
    : new VirtualFileSystem({ roots: [...folders], readOnly });
}

/** The backend of one account over the shared folders (see the module comment for its `/`). */
export function accountBackend(shareFolders: readonly string[], account: ShareAccount, shareReadOnly: boolean): LiveFileSystem {
  const readOnly = shareReadOnly || account.readOnly === true;
  const sees = account.folders;
  if (sees === undefined) return backendFor(shareFolders, readOnly);
  if (shareFolders.length === 1) {
    return sees.includes(shareFolders[0]!) ? backendFor(shareFolders, readOnly) : new VirtualFileSystem({ roots: [], readOnly });
  }
  const names = mountNames(shareFolders);
  const visible = shareFolders.flatMap((root, i) => (sees.includes(root) ? [{ root, name: names[i]! }] : []));
  return new VirtualFileSystem({ roots: visible.map((v) => v.root), names: visible.map((v) => v.name), readOnly });
}

function sameRights(a: ShareAccount, b: ShareAccount): boolean {
  return (a.readOnly === true) === (b.readOnly === true) && JSON.stringify(a.folders ?? null) === JSON.stringify(b.folders ?? null);
}

/** The whole share's file system and each account's; see the module comment. */
export class ShareFileSystems {
  /** Every shared folder, the share's read-only switch: what anonymous sessions get. */
  readonly whole: SwitchableFileSystem;
  #folders: readonly string[];
  readonly #accounts = new Map<string, { account: ShareAccount; fs: SwitchableFileSystem }>();

  constructor(folders: readonly string[], readOnly: boolean) {
    this.#folders = [...folders];
    this.whole = new SwitchableFileSystem(backendFor(folders, readOnly));
  }

  /** The share's read-only switch. */
  get readOnly(): boolean {
    return this.whole.readOnly;
  }

  /** The file system of `account`'s sessions, made on first use and kept while the account is. */
  of(account: ShareAccount): SwitchableFileSystem {
    let entry = this.#accounts.get(account.username);
    if (!entry) {
      entry = { account, fs: new SwitchableFileSystem(accountBackend(this.#folders, account, this.readOnly)) };
      this.#accounts.set(account.username, entry);
    }
    return entry.fs;
  }

  /** Shares `folders` (at least one) from every session's next command. */
  setFolders(folders: readonly string[]): void {
    this.#folders = [...folders];
    this.whole.replace(backendFor(folders, this.readOnly));
    for (const entry of this.#accounts.values()) entry.fs.replace(accountBackend(folders, entry.account, this.readOnly));
  }

  /** Turns the share's read-only switch; an account that is read-only by itself stays so. */
  setReadOnly(readOnly: boolean): void {
    this.whole.setReadOnly(readOnly);
    for (const entry of this.#accounts.values()) entry.fs.setReadOnly(readOnly || entry.account.readOnly === true);
  }

  /**
   * The accounts from now on: one that stays (by user name) follows its new rights from its
   * sessions' next command; the others are forgotten. Returns the user names forgotten, whose
   * sessions the caller ends.
   */
  setAccounts(accounts: readonly ShareAccount[]): string[] {
    const names = new Set(accounts.map((a) => a.username));
    const removed = [...this.#accounts.keys()].filter((name) => !names.has(name));
    for (const name of removed) this.#accounts.delete(name);
    for (const account of accounts) {
      const entry = this.#accounts.get(account.username);
      if (!entry) this.of(account);
      else {
        if (!sameRights(entry.account, account)) entry.fs.replace(accountBackend(this.#folders, account, this.readOnly));
        entry.account = account;
      }
    }
    return removed;
  }
}
