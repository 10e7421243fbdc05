/**
 * The strip at the bottom: sharing state, how many are connected, current total throughput.
 */
import { useLinkDown, useServer, useSessions, useTransfers } from '../stores/context.js';
import { formatSpeed } from '../format.js';
import { ArrowDownIcon, ArrowUpIcon } from './icons.js';

const TEXT = { stopped: 'Not sharing', starting: 'Starting…', running: 'Sharing', stopping: 'Stopping…', error: 'Error' } as const;

export function StatusBar() {
  const linkDown = useLinkDown();
  const shareStatus = useServer((s) => s.state?.status ?? 'stopped');
  // Without a link, the last status heard may be long gone.
  const status = linkDown ? 'stopped' : shareStatus;
  const url = useServer((s) => s.state?.url);
  const count = useSessions((s) => s.ids.length);
  const throughput = useTransfers((s) => s.throughput);
  return (
    <footer className="statusbar" aria-label="Status">
      <span className="statusbar-item" role="status">
        <span className={`dot dot-${status}`} aria-hidden="true" />
        {linkDown ? (linkDown === 'lost' ? 'Not connected' : 'FTP Share has stopped') : TEXT[status]}
        {status === 'running' && url && <span className="statusbar-url mono"> · {url}</span>}
      </span>
      <span className="statusbar-item">
        {count} {count === 1 ? 'session' : 'sessions'}
      </span>
      <span className="statusbar-item statusbar-speed">
        <ArrowDownIcon size={13} />
        <span className="visually-hidden">Sending</span> {formatSpeed(throughput.down)}
        <ArrowUpIcon size={13} />
        <span className="visually-hidden">Receiving</span> {formatSpeed(throughput.up)}
      </span>
    </footer>
  );
}
