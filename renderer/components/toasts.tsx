/**
 * Short messages in the corner: copied, saved, and pushed notices. Polite for screen readers;
 * errors are assertive.
 */
import { useNotices } from '../stores/context.js';
import { AlertIcon, CheckIcon, CloseIcon, InfoIcon } from './icons.js';

export function Toasts() {
  const notices = useNotices((s) => s.notices);
  const dismiss = useNotices((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`toast toast-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span className="toast-icon">{n.level === 'success' ? <CheckIcon size={16} /> : n.level === 'error' || n.level === 'warn' ? <AlertIcon size={16} /> : <InfoIcon size={16} />}</span>
          <span className="toast-text">{n.text}</span>
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            <CloseIcon size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
