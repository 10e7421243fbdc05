import { timingSafeEqual, createHash } from 'node:crypto';
import type { Authorizer, LoginContext, LoginGrant } from './authorizer.js';
import type { FileSystem } from '../fs/file-system.js';

/** Compares two secrets in constant time (hashing first so lengths don't leak either). */
export function secretsEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}

/**
 * The four single-account configurations (as the Dart server in our seeds has them):
 * no credentials (anonymous: any USER, any PASS), username + password, username only
 * (any password), password only (any username).
 */
export class SimpleAuthorizer implements Authorizer {
  constructor(
    private readonly options: { username?: string; password?: string; fs: FileSystem },
  ) {}

  /** True when neither a username nor a password is configured. */
  get anonymous(): boolean {
    return !this.options.username && !this.options.password;
  }

  async login(user: string, password: string, _context: LoginContext): Promise<LoginGrant | null> {
    const { username, password: expected } = this.options;
    // Both checks always run, so timing does not tell which one failed.
    const userOk = username ? secretsEqual(user, username) : true;
    const passOk = expected ? secretsEqual(password, expected) : true;
    if (!userOk || !passOk) return null;
    return { user: username ?? (user || 'anonymous'), fs: this.options.fs };
  }
}

/** One account of a MultiAccountAuthorizer: its password and its own view of the files. */
export interface Account {
  username: string;
  password: string;
  fs: FileSystem;
}

/** Several accounts, each with its own folders and read-only flag (ftpserverlib's AuthUser per user). */
export class MultiAccountAuthorizer implements Authorizer {
  private readonly accounts: Map<string, Account>;

  constructor(accounts: Account[]) {
    this.accounts = new Map(accounts.map((account) => [account.username, account]));
  }

  async login(user: string, password: string, _context: LoginContext): Promise<LoginGrant | null> {
    const account = this.accounts.get(user);
    // Compare against a dummy when the user is unknown, so both paths take the same time.
    const ok = secretsEqual(password, account?.password ?? '\u0000unknown-user\u0000');
    return account && ok ? { user: account.username, fs: account.fs } : null;
  }
}
