/**
 * What the Electron shell needs from the ShareService (core/share/share-service.ts): the typed
 * requests, a push subscription and a clean shutdown. Defined here, minimal, so the shell
 * depends on the contract and not on the service's class (and is tested with fakes).
 */
import type { PushEventName, PushEvents, RequestFunctions } from '../core/share/contract.js';

/** Receives every pushed event of the share. */
export type PushListener = <E extends PushEventName>(event: E, payload: PushEvents[E]) => void;

/** The share as the shell uses it. */
export interface ShareBackend extends RequestFunctions {
  /** Subscribes to every pushed event; returns the unsubscribe. */
  onPush(listener: PushListener): () => void;
  /** Stops sharing (closing sessions and transfers) and releases everything; resolves when done. */
  shutdown(): Promise<void>;
}
