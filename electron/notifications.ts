/**
 * When the app shows a desktop notification, decided from the stream of share states (pure; main.ts
 * shows what it returns with Electron's `Notification`).
 *
 * Two moments matter to someone whose window is hidden in the tray: the first device connects
 * (sharing works), and sharing stops because of an error (it no longer does). Everything else is
 * in the window; more notifications would be noise.
 */
import type { ShareState } from '../core/share/contract.js';

/** A notification to show. */
export interface NotificationContent {
  title: string;
  body: string;
}

/** Follows the share's states and says when to notify. */
export class ShareNotifier {
  #previous: ShareState['status'] | undefined;
  #clientSeenThisRun = false;

  /** Feeds the next state; returns the notifications it calls for (usually none). */
  next(state: ShareState): NotificationContent[] {
    const out: NotificationContent[] = [];
    const previous = this.#previous;
    this.#previous = state.status;

    if (state.status !== 'running') {
      this.#clientSeenThisRun = false;
    } else if (state.sessionCount > 0 && !this.#clientSeenThisRun) {
      this.#clientSeenThisRun = true;
      out.push({
        title: 'A device connected',
        body: state.url ? `Someone is connected to ${state.url}.` : 'Someone is connected to your share.',
      });
    }

    if (state.status === 'error' && previous !== 'error') {
      const reason = state.error ? [state.error.message, state.error.fix].filter(Boolean).join(' ') : '';
      out.push({ title: 'Sharing stopped', body: reason || 'Sharing stopped because of an error.' });
    }
    return out;
  }
}
