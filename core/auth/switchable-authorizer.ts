import type { Authorizer, LoginContext, LoginGrant } from './authorizer.js';

/**
 * An authorizer whose rules can be replaced while the server runs, so a change of the access
 * settings (anonymous or an account, a new password) needs no restart: each login is decided by
 * the rules current at its PASS. Sessions already logged in keep their grant, as a changed
 * password does not sign out who is already in.
 */
export class SwitchableAuthorizer implements Authorizer {
  #current: Authorizer;

  constructor(initial: Authorizer) {
    this.#current = initial;
  }

  /** Decides every login from now on with `next`. */
  replace(next: Authorizer): void {
    this.#current = next;
  }

  login(user: string, password: string, context: LoginContext): Promise<LoginGrant | null> {
    return this.#current.login(user, password, context);
  }
}
