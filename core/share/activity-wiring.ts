/**
 * How a share's events reach the activity tables: one row a event, saying what the
 * ActivityTracker does with it and which pushed topics change. Every front-end (FTP today, the
 * web page next) reports in the same event shape, so one table serves them all.
 */
import type { ServerEventName, ServerEvents } from '../ftp/events.js';
import type { ActivityTracker } from './activity.js';
import type { ServerEventSource } from './narration.js';

/** Pushed topics an event can change. */
export type ActivityTopic = 'sessions' | 'transfers' | 'state';

interface Wiring<K extends ServerEventName> {
  /** Updates the tables; false when nothing visible changed (no push needed). */
  apply(activity: ActivityTracker, payload: ServerEvents[K]): boolean | void;
  topics: readonly ActivityTopic[];
  /** The number of sessions may have changed (auto-stop counts them). */
  sessionsCounted?: true;
}

const TRANSFER_TOPICS = ['transfers', 'sessions'] as const;

/** The events the activity tables follow. */
export const ACTIVITY_WIRING: { [K in ServerEventName]?: Wiring<K> } = {
  'session-opened': { apply: (a, e) => a.sessionOpened(e), topics: ['sessions', 'state'], sessionsCounted: true },
  'session-closed': { apply: (a, e) => a.sessionClosed(e), topics: ['sessions', 'state'], sessionsCounted: true },
  login: { apply: (a, e) => a.login(e), topics: ['sessions'] },
  logout: { apply: (a, e) => a.logout(e), topics: ['sessions'] },
  command: { apply: (a, e) => a.command(e), topics: ['sessions'] },
  reply: { apply: (a, e) => a.reply(e), topics: ['sessions'] },
  'session-changed': { apply: (a, e) => a.sessionChanged(e), topics: ['sessions'] },
  'transfer-started': { apply: (a, e) => a.transferStarted(e), topics: TRANSFER_TOPICS },
  'transfer-progress': { apply: (a, e) => a.transferProgress(e), topics: TRANSFER_TOPICS },
  'transfer-completed': { apply: (a, e) => void a.transferCompleted(e), topics: TRANSFER_TOPICS },
  'transfer-failed': { apply: (a, e) => void a.transferFailed(e), topics: TRANSFER_TOPICS },
};

/**
 * Feeds `events` into `activity` as {@link ACTIVITY_WIRING} says, marking the topics to push and
 * calling `onSessionCount` where the number of sessions may have changed. Returns the function
 * that unsubscribes it all.
 */
export function wireActivity(
  events: ServerEventSource,
  activity: ActivityTracker,
  mark: (topic: ActivityTopic) => void,
  onSessionCount: () => void,
): () => void {
  const detachers: (() => void)[] = [];
  for (const event of Object.keys(ACTIVITY_WIRING) as ServerEventName[]) {
    const wiring = ACTIVITY_WIRING[event] as Wiring<typeof event>;
    const listener = (payload: ServerEvents[typeof event]): void => {
      if (wiring.apply(activity, payload) === false) return;
      for (const topic of wiring.topics) mark(topic);
      if (wiring.sessionsCounted) onSessionCount();
    };
    events.on(event, listener);
    detachers.push(() => events.off(event, listener));
  }
  return () => {
    for (const detach of detachers) detach();
  };
}
