/**
 * `--accounts FILE`: the accounts of a share from the command line, as a JSON list:
 *
 * ```json
 * [
 *   { "user": "me", "password": "…" },
 *   { "user": "guest", "password": "…", "readOnly": true, "folders": [0] }
 * ]
 * ```
 *
 * `folders` names the shared folders an account sees, by index (0 is the first FOLDER of the
 * command line) or by path (resolved from the current directory); absent, it sees them all.
 * The accounts are checked by the settings' own rules (checkAccounts), so the command line and the
 * window refuse the same things. The file holds passwords in clear: on POSIX its mode should be
 * 0600, and a looser one is warned about (never refused: the user may have reasons).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkAccounts } from '../share/settings.js';
import type { ShareAccount } from '../share/share-assembly.js';
import { UsageError } from './options.js';

/** Keys an entry of the file may have. */
const KEYS = ['user', 'password', 'readOnly', 'folders'] as const;

/** The accounts read from the file, and a warning to print when the file is readable by others. */
export interface AccountsFile {
  accounts: ShareAccount[];
  warning?: string;
}

/**
 * Reads and checks an accounts file against the shared `folders` (absolute, in command-line
 * order). Throws UsageError, naming the entry and field (`accounts[1].password`), for anything
 * wrong; never quotes a password.
 */
export async function readAccountsFile(file: string, folders: readonly string[], platform: NodeJS.Platform = process.platform): Promise<AccountsFile> {
  const problem = (message: string): UsageError => new UsageError(`--accounts ${file}: ${message}`);
  let text: string;
  let mode: number;
  try {
    mode = (await stat(file)).mode;
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw problem(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `can't be read (${code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // Not the parser's message: it quotes the text, which holds passwords.
    throw problem('not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw problem('must be a JSON list of accounts, like [{"user": "me", "password": "…"}]');

  const entries = parsed.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw problem(`accounts[${i}] must be an object with "user" and "password"`);
    const record = entry as Record<string, unknown>;
    const unknown = Object.keys(record).find((key) => !(KEYS as readonly string[]).includes(key));
    if (unknown !== undefined) throw problem(`accounts[${i}] has an unknown key "${unknown}" (use ${KEYS.join(', ')})`);
    const seen = record['folders'];
    return {
      username: record['user'],
      password: record['password'],
      readOnly: record['readOnly'],
      folders: Array.isArray(seen) ? seen.map((folder: unknown, j) => folderOf(folder, folders, () => problem(`accounts[${i}].folders[${j}]: no FOLDER ${String(folder)} (give 0 to ${folders.length - 1}, or a path)`))) : seen,
    };
  });
  const fieldOf = (index: number, key?: string): string => `accounts[${index}]${key ? `.${key === 'username' ? 'user' : key}` : ''}`;
  const checked = checkAccounts(entries, folders, fieldOf);
  const first = checked.errors[0];
  if (first) throw problem(`${first.field}: ${first.message}`);
  const looser = platform !== 'win32' && (mode & 0o077) !== 0;
  return {
    accounts: checked.accounts,
    ...(looser ? { warning: `${file} holds passwords but other users may read it (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${file}` } : {}),
  };
}

/** A folder given by index or path, as the absolute path of a shared folder when it is one. */
function folderOf(folder: unknown, folders: readonly string[], badIndex: () => UsageError): unknown {
  if (typeof folder === 'number') {
    if (!Number.isInteger(folder) || folder < 0 || folder >= folders.length) throw badIndex();
    return folders[folder];
  }
  // An unknown path is reported by checkAccounts ("Not a shared folder").
  return typeof folder === 'string' && folder !== '' ? path.resolve(folder) : folder;
}
