/**
 * The share's lifecycle at a glance: what is happening, the one big Start/Stop button, and — when
 * starting failed — what went wrong with the fix as one click (e.g. "Use port 2122 and start").
 * While the window has no link to FTP Share it says so instead of the last state it heard: a
 * stale "Sharing" would be a lie once the process is gone.
 */
import { useActions, useLinkDown, useServer } from '../stores/context.js';
import { formatShortTime } from '../format.js';
import { AlertIcon, PlayIcon, StopIcon } from './icons.js';
import { Button } from './ui.js';

/** The big button: Start sharing / Stop sharing, busy while a request is in flight. */
export function StartStopButton({ size = 'lg', quiet = false }: { size?: 'md' | 'lg'; quiet?: boolean }) {
  const actions = useActions();
  const status = useServer((s) => s.state?.status);
  const busy = useServer((s) => s.busy);
  const noFolders = useServer((s) => (s.settings ? s.settings.folders.length === 0 : false));
  if (status === 'running' || status === 'stopping') {
    return (
      <Button variant="secondary" size={size} icon={<StopIcon />} busy={busy === 'stop' || status === 'stopping'} onClick={() => void actions.stop()}>
        {status === 'stopping' ? 'Stopping…' : 'Stop sharing'}
      </Button>
    );
  }
  const starting = busy === 'start' || status === 'starting';
  return (
    <Button
      variant={quiet ? 'secondary' : 'primary'}
      size={size}
      icon={<PlayIcon />}
      busy={starting}
      disabled={noFolders || status === undefined}
      title={noFolders ? 'Add a folder to share first' : undefined}
      onClick={() => void actions.start()}
    >
      {starting ? 'Starting…' : status === 'error' ? 'Try again' : 'Start sharing'}
    </Button>
  );
}

const STATUS_TEXT = {
  stopped: 'Not sharing',
  starting: 'Starting…',
  running: 'Sharing',
  stopping: 'Stopping…',
  error: "Couldn't start sharing",
} as const;

/** What the card says while the link is down, by why it is down. */
const LINK_DOWN = {
  lost: { title: 'Not connected', detail: 'Reconnecting to FTP Share… Until then this window may be out of date.' },
  stopped: { title: 'FTP Share has stopped', detail: 'Nothing is shared any more. Start ftp-share --ui again to share.' },
  replaced: { title: 'FTP Share has stopped', detail: 'It was started again: open the new address printed in the terminal.' },
} as const;

/** The card at the top of the Share panel. */
export function ShareStatusCard() {
  const linkDown = useLinkDown();
  if (linkDown) {
    const text = LINK_DOWN[linkDown];
    return (
      <section className="status-card tone-stopped" aria-labelledby="share-status-title">
        <div className="status-card-main">
          <span className="status-orb orb-stopped" aria-hidden="true" />
          <div className="status-card-text">
            <h2 id="share-status-title" className="status-title">
              {text.title}
            </h2>
            <p className="status-detail">{text.detail}</p>
          </div>
        </div>
      </section>
    );
  }
  return <LinkedStatusCard />;
}

function LinkedStatusCard() {
  const actions = useActions();
  const state = useServer((s) => s.state);
  const actionError = useServer((s) => s.actionError);
  const folderCount = useServer((s) => s.settings?.folders.length ?? 0);
  const port = useServer((s) => s.settings?.port);
  const status = state?.status ?? 'stopped';
  // The state's error has the fix; a failed request without one still deserves a message.
  const error = state?.status === 'error' && state.error ? state.error : actionError && status !== 'running' ? actionError : null;
  const fix = state?.status === 'error' ? state.error?.fix : undefined;
  const suggestedPort = state?.status === 'error' ? state.error?.suggestedPort : undefined;
  const tone = error ? 'error' : status;

  let detail: string;
  if (!state) detail = 'Connecting to FTP Share…';
  else if (status === 'running') {
    const folders = `${folderCount} folder${folderCount === 1 ? '' : 's'}`;
    detail = `${folders} on ${state.url ?? `port ${state.port}`}${state.startedAt ? ` · since ${formatShortTime(state.startedAt)}` : ''}`;
  } else if (status === 'starting') detail = `Opening port ${port ?? ''}…`;
  else if (folderCount === 0) detail = 'Add a folder below, then start sharing.';
  else detail = `${folderCount} folder${folderCount === 1 ? '' : 's'} ready on port ${port}.`;

  return (
    <section className={`status-card tone-${tone}`} aria-labelledby="share-status-title">
      <div className="status-card-main">
        <span className={`status-orb orb-${tone}`} aria-hidden="true" />
        <div className="status-card-text">
          <h2 id="share-status-title" className="status-title">
            {!state ? 'Connecting…' : error && status !== 'error' ? "Couldn't complete that" : STATUS_TEXT[status]}
          </h2>
          <p className="status-detail">{detail}</p>
          {state?.autoStopAt && status === 'running' && (
            <p className="status-detail subtle">Stops by itself at {formatShortTime(state.autoStopAt)} if nobody is connected.</p>
          )}
        </div>
        <div className="status-card-action">
          {/* With a one-click fix below, that fix is the primary action. */}
          <StartStopButton quiet={error?.code === 'port-in-use'} />
        </div>
      </div>
      {error && (
        <div className="status-error" role="alert">
          <AlertIcon className="status-error-icon" />
          <div className="status-error-text">
            <p className="status-error-message">{error.message}</p>
            {fix && <p className="status-error-fix">{fix}</p>}
          </div>
          {error.code === 'port-in-use' && (
            <Button variant="primary" size="sm" onClick={() => void actions.usePortAndStart(suggestedPort)}>
              {suggestedPort ? `Use port ${suggestedPort} and start` : 'Use a free port and start'}
            </Button>
          )}
        </div>
      )}
    </section>
  );
}
