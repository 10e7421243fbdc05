/**
 * What the window says when its link to FTP Share is down: reconnecting (with a countdown and Try
 * now), FTP Share has stopped, or it was started again and this page's address is no longer
 * valid. Only the web host's transport can drop; Electron's never shows it.
 */
import { useEffect, useState } from 'react';
import { useApp, useConnection } from '../stores/context.js';
import { AlertIcon } from './icons.js';

export function ConnectionBanner() {
  const { connection } = useApp();
  const status = useConnection();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (status.state !== 'lost' && status.state !== 'stopped') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status]);
  if (status.state === 'open') return null;
  // The first connection is quick and the share card already says "Connecting…".
  if (status.state === 'connecting' && status.attempt === 0) return null;
  if (status.state === 'replaced') {
    return (
      <div className="banner banner-error" role="alert">
        <AlertIcon size={16} />
        <span>
          FTP Share was started again, at a new secret address: open the new address printed in the terminal. This page can't
          reconnect.
        </span>
      </div>
    );
  }
  const seconds = status.state === 'connecting' ? 0 : Math.max(0, Math.ceil((status.retryAt - now) / 1000));
  const text =
    status.state === 'stopped'
      ? 'FTP Share has stopped. Start it again with ftp-share --ui, then open the address it prints.'
      : `Lost the connection to FTP Share. ${status.state === 'lost' && seconds > 0 ? `Reconnecting in ${seconds} s…` : 'Reconnecting…'}`;
  return (
    <div className="banner banner-error" role="alert">
      <AlertIcon size={16} />
      <span>{text}</span>
      <button type="button" className="banner-action" onClick={() => connection.retryNow()}>
        Try now
      </button>
    </div>
  );
}
