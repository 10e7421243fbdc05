/**
 * One event stream for a share: what each protocol front-end reports (FTP, the web page), relayed
 * in the same shape, plus the share's own notices (an mDNS warning). Observers (the ShareService's
 * log and tables, the CLI) subscribe once, whatever runs.
 */
import { SERVER_EVENT_NAMES, ServerEventEmitter, type ServerEventName, type ServerEvents } from '../ftp/events.js';
import type { ServerEventSource } from './narration.js';

export class ShareEvents extends ServerEventEmitter implements ServerEventSource {
  /** Tells every observer; one that throws doesn't stop the others or the front-end. */
  override emit<K extends ServerEventName>(event: K, payload: ServerEvents[K]): void {
    super.emit(event, payload);
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
