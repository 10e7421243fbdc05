import type { FileSystem } from '../fs/file-system.js';

/** What the authorizer knows of the client when it decides. */
export interface LoginContext {
  /** The client's IP address as seen on the control connection. */
  remoteAddress: string;
  /** Whether the control connection is TLS-protected at the time of PASS. */
  secure: boolean;
}

/** A successful login: the account's name as shown in events, and its own view of the files. */
export interface LoginGrant {
  user: string;
  fs: FileSystem;
}

/**
 * Decides who may log in and what each account sees (ftpserverlib's AuthUser). The server always
 * answers USER with 331 when an authorizer requires credentials, so implementations must not reveal
 * through timing or replies whether a user exists.
 */
export interface Authorizer {
  /** Returns the grant, or null to refuse (530). Must not throw for wrong credentials. */
  login(user: string, password: string, context: LoginContext): Promise<LoginGrant | null>;
}
