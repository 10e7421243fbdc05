/**
 * One event stream for a share: what each protocol front-end reports (FTP and the web page),
 * relayed in the same shape, plus the share's own notices (an mDNS warning). Observers
 * (the ShareService's log and tables, the CLI) subscribe once, whatever runs.
 */
import { EventEmitter } from 'node:events';
import { SERVER_EVENT_NAMES, type ServerEventName, type ServerEvents } from '../ftp/events.js';
import type { ServerEventSource } from './narration.js';

export class ShareEvents implements ServerEventSource {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per observer and event is normal; more front-ends only add relays.
    this.#emitter.setMaxListeners(0);
  }

  on<K extends ServerEventName>(event: K, listener: (payload: ServerEvents[K]) => void): this {
    this.#emitter.on(event, listener);
    return this;
  }

  off<K extends ServerEventName>(event: K, listener: (payload: ServerEvents[K]) => void): this {
    this.#emitter.off(event, listener);
    return this;
  }

  /** Tells every observer; one that throws doesn't stop the others or the front-end. */
  emit<K extends ServerEventName>(event: K, payload: ServerEvents[K]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (p: ServerEvents[K]) => void)(payload);
      } catch {
        // An observer's fault is not the share's.
      }
    }
  }

  /** Relays every event of a front-end but `except`; returns the function that stops relaying. */
  relay(source: ServerEventSource, except: readonly ServerEventName[] = []): () => void {
    const detachers = SERVER_EVENT_NAMES.filter((event) => !except.includes(event)).map((event) => {
      const forward = (payload: ServerEvents[typeof event]): void => this.emit(event, payload);
      source.on(event, forward);
      return () => source.off(event, forward);
    });
    return () => {
      for (const detach of detachers) detach();
    };
  }
}
