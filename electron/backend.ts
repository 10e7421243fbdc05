/**
 * What the Electron shell needs from the ShareService (core/share/share-service.ts): the
 * contract's backend (every request and the push subscription) and a clean shutdown. Defined
 * here, minimal, so the shell depends on the contract and not on the service's class (and is
 * tested with fakes).
 */
import type { FtpShareBackend } from '../core/share/contract.js';

/** The share as the shell uses it. */
export interface ShareBackend extends FtpShareBackend {
  /** Stops sharing (closing sessions and transfers) and releases everything; resolves when done. */
  shutdown(): Promise<void>;
}
