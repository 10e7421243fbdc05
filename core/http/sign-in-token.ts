/**
 * The QR code's sign-in token: a random secret in the web address (`/?token=…`) that signs the
 * scanning browser in with the share's account, valid while the share runs. "New code" rotates
 * it: the old token stops working and the sessions it signed in are ended.
 */
import { randomBytes } from 'node:crypto';
import type { LoginContext, LoginGrant } from '../auth/authorizer.js';
import { secretsEqual } from '../auth/simple-authorizer.js';

/** What the web server asks of a token source. */
export interface SignInTokenProvider {
  /** The grant `token` signs in with and which token it was, or null when it is not (or no longer) valid. */
  redeem(token: string, context: LoginContext): Promise<{ grant: LoginGrant; tokenId: string } | null>;
  /** Calls `listener` with the id of each revoked token; returns the unsubscribe function. */
  onRevoked(listener: (tokenId: string) => void): () => void;
}

/** One token at a time, replaced by `rotate()`. */
export class RotatingSignInToken implements SignInTokenProvider {
  #token = newToken();
  #id = 1;
  readonly #listeners = new Set<(tokenId: string) => void>();

  /** `grant` signs in as the share's account (e.g. the authorizer's login with the saved password). */
  constructor(private readonly grant: (context: LoginContext) => Promise<LoginGrant | null>) {}

  /** The token to put in the QR code's address. */
  get token(): string {
    return this.#token;
  }

  /** A new token; the old one and every session it signed in stop working. Returns the new token. */
  rotate(): string {
    const revoked = String(this.#id);
    this.#id++;
    this.#token = newToken();
    for (const listener of this.#listeners) listener(revoked);
    return this.#token;
  }

  async redeem(token: string, context: LoginContext): Promise<{ grant: LoginGrant; tokenId: string } | null> {
    if (!secretsEqual(token, this.#token)) return null;
    const tokenId = String(this.#id);
    const grant = await this.grant(context);
    return grant ? { grant, tokenId } : null;
  }

  onRevoked(listener: (tokenId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** 192 random bits, URL-safe. */
function newToken(): string {
  return randomBytes(24).toString('base64url');
}
