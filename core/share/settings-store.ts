/**
 * Reads and writes `settings.json`, safely: writes are atomic, a bad file is moved aside instead
 * of being overwritten or crashing the app, and the password is encrypted with the OS keychain
 * when the host provides one.
 *
 * On disk the password never sits in the `access` object as `password`. It is either
 * `passwordEncrypted` (base64 of the {@link SecretEncryptor}'s output; Electron's `safeStorage`
 * uses the macOS Keychain, Windows DPAPI or the Linux secret service), or, without a keychain
 * (plain Node, the CLI, Linux without a secret service), `passwordObfuscated`: base64 of the UTF-8
 * text, next to a `passwordNote` that says plainly it is not encrypted. The file is mode 0600.
 * Every account is stored the same way: the first at the top of `access`, the others in
 * `access.otherAccounts`, and the accounts kept while access is anonymous in `access.account`.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TextDecoder } from 'node:util';
import {
  generatePassword,
  defaultSettings,
  validateSettings,
  type AccountList,
  type AccountSettings,
  type SettingsFieldError,
  type ShareSettings,
} from './settings.js';

/**
 * Encrypts short secrets with a key the OS keeps for the user (the Electron shell passes
 * `safeStorage`: `isEncryptionAvailable`, `encryptString`, `decryptString`).
 */
export interface SecretEncryptor {
  /** False when no keychain is usable; the store then falls back to the obfuscated form. */
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  /** Throws when the data was encrypted with another key (keychain reset, another user). */
  decrypt(data: Buffer): string;
}

/** Where the store keeps its file, and how it protects the password. */
export interface SettingsStoreOptions {
  /** Directory of `settings.json`; created (mode 0700) on first save. See {@link defaultConfigDir}. */
  dir: string;
  encryptor?: SecretEncryptor;
}

/** Why {@link SettingsStore.load} did not return the saved settings as they were. */
export interface SettingsRecovery {
  /** A copy of the file as it was, next to it: `settings.json.corrupt-<timestamp>`. */
  backupPath: string;
  /** For the user, e.g. "The settings file is not valid JSON." Never contains the password. */
  reason: string;
  /**
   * Only the saved password was lost (it could not be decrypted): the other settings were kept,
   * and a new password replaced it, which devices set up before don't know.
   */
  lostPassword?: true;
}

/** Result of {@link SettingsStore.load}. */
export interface LoadedSettings {
  settings: ShareSettings;
  /** Present when the file was bad (defaults are used) or its password undecryptable (a new one is). */
  recovered?: SettingsRecovery;
}

/** Thrown by {@link SettingsStore.save} for settings that {@link validateSettings} refuses. */
export class SettingsValidationError extends Error {
  override readonly name = 'SettingsValidationError';
  constructor(readonly errors: SettingsFieldError[]) {
    super(`Invalid settings: ${errors.map((e) => e.message).join('; ')}`);
  }
}

/** Name of the settings file inside the config directory. */
export const SETTINGS_FILE_NAME = 'settings.json';

/** What `passwordNote` says next to an obfuscated password. */
export const PASSWORD_NOTE = 'not encrypted: no OS keychain available';

/** A settings file larger than this is not ours (ours is well under 10 KB), and not read. */
const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

/** Windows: attempts to rename over a file an antivirus or indexer holds open for a moment. */
const RENAME_ATTEMPTS = 6;

export { defaultConfigDir } from '../config-dir.js';

/** Thrown inside load() for a file that must be moved aside; carries the user-facing reason. */
class BadFile extends Error {}

interface Decoded {
  /** The file's content with the password in clear, ready for validation. */
  candidate: Record<string, unknown>;
  /** Set when the stored password could not be decrypted; a new one has been put in its place. */
  lostPassword?: string;
  /** The stored password is weaker than what this store would write now. */
  upgradeStorage: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Persists {@link ShareSettings} in `<dir>/settings.json`.
 *
 * Loads and saves run one at a time, in call order, so the last `save` called is the one on disk.
 * Nothing here logs; the password never appears in errors or in `recovered.reason`.
 */
export class SettingsStore {
  /** The directory holding the file. */
  readonly dir: string;
  /** Full path of `settings.json`. */
  readonly filePath: string;
  readonly #encryptor: SecretEncryptor | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SettingsStoreOptions) {
    this.dir = options.dir;
    this.filePath = path.join(options.dir, SETTINGS_FILE_NAME);
    this.#encryptor = options.encryptor;
  }

  /**
   * Reads the settings, never losing what was there.
   *
   * - No file: defaults (first run).
   * - Unreadable, not JSON, too large, or invalid values: the file is renamed to
   *   `settings.json.corrupt-<timestamp>`, defaults are used, and `recovered` says why.
   * - Valid, but the password can't be decrypted (keychain reset, file from another machine or
   *   user, or written by the app and read by the keychain-less CLI): the file is copied aside,
   *   the other settings are kept, a new password is generated, and `recovered` says so.
   *
   * Whenever the result is not exactly the file (defaults, new password, a password stored
   * weaker than it could be now), it is saved at once, best effort: otherwise every launch would
   * generate yet another password and the user's devices would stop working.
   *
   * @throws only when a bad file can't even be moved aside (the directory is not writable), in
   *   which case nothing could be saved either.
   */
  load(): Promise<LoadedSettings> {
    return this.#enqueue(() => this.#load());
  }

  /**
   * Validates and writes the settings atomically: a temp file `settings.json.tmp-<random>`
   * (mode 0600) is written, fsync'd and renamed over `settings.json`, so a crash leaves either
   * the old file or the new one, never half of one.
   *
   * @throws SettingsValidationError for invalid settings (nothing is written); file-system errors
   *   as they come (ENOSPC, EACCES, …); an Error if the encryptor fails to encrypt (the store
   *   does not silently fall back to weaker storage when a keychain is available).
   */
  save(settings: ShareSettings): Promise<void> {
    return this.#enqueue(() => this.#save(settings));
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Whether saved passwords are encrypted with an OS keychain. False without one (plain Node, the
   * CLI, Linux without a secret service): they are then only obfuscated in the file, which the
   * window says next to the password.
   */
  get usesKeychain(): boolean {
    return this.#canEncrypt;
  }

  get #canEncrypt(): boolean {
    try {
      return this.#encryptor?.isAvailable() ?? false;
    } catch {
      return false;
    }
  }

  async #load(): Promise<LoadedSettings> {
    let text: string;
    try {
      text = await this.#readFile();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return this.#fresh();
      const reason =
        err instanceof BadFile ? err.message : `The settings file could not be read${code ? ` (${code})` : ''}.`;
      return this.#fresh({ backupPath: await this.#moveAside(), reason });
    }

    let decoded: Decoded;
    try {
      decoded = this.#decode(text);
    } catch (err) {
      if (!(err instanceof BadFile)) throw err;
      return this.#fresh({ backupPath: await this.#moveAside(), reason: err.message });
    }

    const result = validateSettings(decoded.candidate);
    if (!result.ok) {
      const details = result.errors.map((e) => e.message).join('; ');
      const reason = `The settings file has invalid values (${details}).`;
      return this.#fresh({ backupPath: await this.#moveAside(), reason });
    }

    let recovered: SettingsRecovery | undefined;
    if (decoded.lostPassword) {
      recovered = { backupPath: await this.#copyAside(), reason: decoded.lostPassword, lostPassword: true };
    }
    if (recovered || decoded.upgradeStorage) await this.#saveBestEffort(result.value);
    return recovered ? { settings: result.value, recovered } : { settings: result.value };
  }

  async #fresh(recovered?: SettingsRecovery): Promise<LoadedSettings> {
    const settings = defaultSettings();
    await this.#saveBestEffort(settings);
    return recovered ? { settings, recovered } : { settings };
  }

  async #saveBestEffort(settings: ShareSettings): Promise<void> {
    try {
      await this.#save(settings);
    } catch {
      // The settings are in use in memory; the next explicit save reports its own error.
    }
  }

  async #readFile(): Promise<string> {
    const info = await stat(this.filePath);
    if (info.isFile() && info.size > MAX_SETTINGS_FILE_BYTES) {
      throw new BadFile('The settings file is too large to be a settings file.');
    }
    const bytes = await readFile(this.filePath);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new BadFile('The settings file is not valid UTF-8 text.');
    }
  }

  #decode(text: string): Decoded {
    let parsed: unknown;
    try {
      // A BOM appears when the file was edited with Notepad.
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      // Not the parser's message: it quotes the text, which may hold a hand-typed password.
      throw new BadFile('The settings file is not valid JSON.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new BadFile('The settings file does not contain settings.');
    }
    const candidate: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
    const access = candidate['access'];
    if (!isRecord(access)) return { candidate, upgradeStorage: false };
    if (access['mode'] === 'anonymous') {
      const clear: Record<string, unknown> = { mode: 'anonymous' };
      candidate['access'] = clear;
      // The accounts kept for later: one whose password can't be read back is simply not kept
      // (nobody signs in with it now, so there is nothing to recover or report).
      const kept = isRecord(access['account']) ? this.#decodeList(access['account'], true) : undefined;
      if (kept?.list) clear['account'] = kept.list;
      return { candidate, upgradeStorage: kept?.upgrade ?? false };
    }
    if (access['mode'] !== 'password') {
      candidate['access'] = { mode: access['mode'] };
      return { candidate, upgradeStorage: false };
    }
    const decoded = this.#decodeList(access, false);
    candidate['access'] = { mode: 'password', ...decoded.list };
    return decoded.lost === undefined
      ? { candidate, upgradeStorage: decoded.upgrade }
      : { candidate, upgradeStorage: false, lostPassword: decoded.lost };
  }

  /**
   * Reads a stored account list (the first account at the top, the others in `otherAccounts`).
   * A password that can't be decrypted is replaced by a new one and `lost` says why; with
   * `dropLost` (the accounts kept while anonymous) that account is left out instead, and without
   * its first account the list is none.
   */
  #decodeList(stored: Record<string, unknown>, dropLost: boolean): { list?: Record<string, unknown>; upgrade: boolean; lost?: string } {
    const { otherAccounts, ...first } = stored;
    const others = Array.isArray(otherAccounts) ? otherAccounts : [];
    type Decoded = { account: unknown; upgrade: boolean; lost?: string };
    const decoded: Decoded[] = [first, ...others].map((account) => (isRecord(account) ? this.#decodeAccount(account) : { account, upgrade: false }));
    const upgrade = decoded.some((d) => d.upgrade);
    if (dropLost && decoded[0]!.lost !== undefined) return { upgrade };
    const [head, ...rest] = (dropLost ? decoded.filter((d) => d.lost === undefined) : decoded).map((d) => d.account);
    const list: Record<string, unknown> = { ...(head as Record<string, unknown>) };
    if (rest.length > 0) list['otherAccounts'] = rest;
    // Not a list: left as it was, for validation to report.
    else if (otherAccounts !== undefined && !Array.isArray(otherAccounts)) list['otherAccounts'] = otherAccounts;
    const lost = dropLost ? undefined : decoded.find((d) => d.lost !== undefined)?.lost;
    return lost !== undefined ? { list, upgrade, lost } : { list, upgrade };
  }

  /**
   * Reads a stored account's password, in whichever form it was saved; its other fields (user
   * name, rights, folders) go through as they are. When the password can't be decrypted, a new
   * one is put in its place and `lost` says why.
   */
  #decodeAccount(stored: Record<string, unknown>): { account: Record<string, unknown>; upgrade: boolean; lost?: string } {
    const { passwordEncrypted, passwordObfuscated, passwordNote: _note, password: typed, ...rest } = stored;
    const account = (password: unknown) => ({ ...rest, password });
    if (typeof passwordEncrypted === 'string') {
      const data = decodeBase64(passwordEncrypted);
      if (!data) throw new BadFile('The settings file has a damaged password.');
      if (!this.#encryptor || !this.#canEncrypt) {
        return {
          account: account(generatePassword()),
          upgrade: false,
          lost:
            'The saved password is encrypted with an OS keychain that is not available here; ' +
            'a new password was generated.',
        };
      }
      try {
        return { account: account(this.#encryptor.decrypt(data)), upgrade: false };
      } catch {
        return {
          account: account(generatePassword()),
          upgrade: false,
          lost:
            'The saved password could not be decrypted (the OS keychain may have changed); ' +
            'a new password was generated.',
        };
      }
    }
    if (typeof passwordObfuscated === 'string') {
      const data = decodeBase64(passwordObfuscated);
      let password: string | undefined;
      try {
        password = data && utf8.decode(data);
      } catch {
        password = undefined;
      }
      if (password === undefined) throw new BadFile('The settings file has a damaged password.');
      return { account: account(password), upgrade: this.#canEncrypt };
    }
    // A password typed into the file by hand: accepted, and re-saved in the stored form at once.
    return { account: account(typed), upgrade: typeof typed === 'string' };
  }

  async #save(settings: ShareSettings): Promise<void> {
    const result = validateSettings(settings);
    if (!result.ok) throw new SettingsValidationError(result.errors);
    const text = `${JSON.stringify(this.#toStored(result.value), null, 2)}\n`;
    await this.#writeAtomic(text);
  }

  #toStored(settings: ShareSettings): Record<string, unknown> {
    const { access, version, ...rest } = settings;
    let storedAccess: Record<string, unknown>;
    if (access.mode === 'password') {
      const { mode, ...list } = access;
      storedAccess = { mode, ...this.#storedList(list) };
    } else {
      storedAccess = { mode: 'anonymous', ...(access.account ? { account: this.#storedList(access.account) } : {}) };
    }
    // version first, so a person opening the file sees what it is.
    return { version, ...rest, access: storedAccess };
  }

  /** Accounts as saved: each password encrypted or obfuscated (see {@link #storedAccount}). */
  #storedList({ otherAccounts, ...first }: AccountList): Record<string, unknown> {
    return { ...this.#storedAccount(first), ...(otherAccounts ? { otherAccounts: otherAccounts.map((a) => this.#storedAccount(a)) } : {}) };
  }

  /** An account as saved: its password encrypted with the keychain, or obfuscated with a note. */
  #storedAccount({ username, password, ...rights }: AccountSettings): Record<string, unknown> {
    if (this.#encryptor && this.#canEncrypt) {
      let data: Buffer;
      try {
        data = this.#encryptor.encrypt(password);
      } catch {
        throw new Error('Could not encrypt the password with the OS keychain');
      }
      return { username, passwordEncrypted: data.toString('base64'), ...rights };
    }
    return { username, passwordObfuscated: Buffer.from(password, 'utf8').toString('base64'), passwordNote: PASSWORD_NOTE, ...rights };
  }

  async #writeAtomic(text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.filePath}.tmp-${randomBytes(6).toString('hex')}`;
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(tmp, 'wx', 0o600);
      await handle.writeFile(text, 'utf8');
      // Without fsync, a power cut after the rename can leave an empty file on ext4/APFS.
      await handle.sync();
      await handle.close();
      handle = undefined;
      await renameWithRetry(tmp, this.filePath);
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await syncDirectory(this.dir);
  }

  /** Renames the bad file (or directory) out of the way; returns where it went. */
  async #moveAside(): Promise<string> {
    const backupPath = await this.#backupPath();
    await rename(this.filePath, backupPath);
    return backupPath;
  }

  /** Copies the file aside, keeping it in place; returns the copy's path. */
  async #copyAside(): Promise<string> {
    const backupPath = await this.#backupPath();
    await copyFile(this.filePath, backupPath, constants.COPYFILE_EXCL);
    return backupPath;
  }

  async #backupPath(): Promise<string> {
    // No ':' in the timestamp: Windows forbids it in file names.
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const base = `${this.filePath}.corrupt-${stamp}`;
    for (let i = 0; ; i++) {
      const candidate = i === 0 ? base : `${base}-${i}`;
      if (!(await exists(candidate))) return candidate;
    }
  }
}

function decodeBase64(text: string): Buffer | undefined {
  // Buffer.from skips invalid characters silently; a damaged value must not decode to garbage.
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Windows refuses to replace a file that an antivirus scanner or the search indexer has
      // open for a moment (the reason npm's write-file-atomic and graceful-fs retry too).
      const transient =
        process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
      if (!transient || attempt >= RENAME_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable on Linux. Windows can't open a directory for this.
  if (process.platform === 'win32') return;
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: some file systems refuse fsync on directories.
  }
}
