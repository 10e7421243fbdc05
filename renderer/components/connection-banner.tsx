/**
 * "Lost the connection to FTP Share — reconnecting in 3 s" with a Try now button; shown only by
 * the web host's transport, whose link can drop.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useApp } from '../stores/context.js';
import { AlertIcon } from './icons.js';

export function ConnectionBanner() {
  const { connection } = useApp();
  const status = useSyncExternalStore(
    (cb) => connection.subscribe(cb),
    () => connection.get(),
  );
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (status.state !== 'lost') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status]);
  if (status.state === 'open') return null;
  // The first connection is quick and the share card already says "Connecting…".
  if (status.state === 'connecting' && status.attempt === 0) return null;
  const seconds = status.state === 'lost' ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : 0;
  return (
    <div className="banner banner-error" role="alert">
      <AlertIcon size={16} />
      <span>
        Lost the connection to FTP Share.{' '}
        {status.state === 'lost' && seconds > 0 ? `Reconnecting in ${seconds} s…` : 'Reconnecting…'}
      </span>
      <button type="button" className="banner-action" onClick={() => connection.retryNow()}>
        Try now
      </button>
    </div>
  );
}
