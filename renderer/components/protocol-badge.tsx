/**
 * Which front-end a session or transfer came through: "Web" (a browser on the web page) or "FTP"
 * (an FTP app), as a small badge whose text is read out as it is.
 */
import type { SessionRow } from '../../core/share/contract.js';

const PROTOCOL_TEXT: Record<SessionRow['protocol'], string> = { web: 'Web', ftp: 'FTP' };

export function ProtocolBadge({ protocol }: { protocol: SessionRow['protocol'] }) {
  return (
    <span className={`protocol-badge protocol-${protocol}`} title={protocol === 'web' ? 'A browser, on the web page' : 'An FTP app'}>
      {PROTOCOL_TEXT[protocol]}
    </span>
  );
}
