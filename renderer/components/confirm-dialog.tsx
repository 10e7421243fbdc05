/**
 * The question an action asks before it disconnects people ("2 people will be disconnected"):
 * a modal alert dialog with the safe choice focused, Escape for Cancel, and focus kept inside
 * until it is answered (then back where it was).
 */
import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import { useConfirm } from '../stores/context.js';
import { AlertIcon } from './icons.js';
import { Button } from './ui.js';

export function ConfirmDialog() {
  const question = useConfirm((s) => s.question);
  const answer = useConfirm((s) => s.answer);
  const id = useId();
  const dialog = useRef<HTMLDivElement>(null);

  const open = question !== null;
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // Cancel, the first button: Enter on a reflex must not disconnect anyone.
    dialog.current?.querySelector('button')?.focus();
    return () => before?.focus();
  }, [open]);

  if (!question) return null;

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      answer(false);
    } else if (e.key === 'Tab') {
      // Two buttons: Tab and Shift+Tab go from one to the other.
      const buttons = [...(dialog.current?.querySelectorAll('button') ?? [])];
      const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
      e.preventDefault();
      buttons[(at + (e.shiftKey ? buttons.length - 1 : 1)) % buttons.length]?.focus();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialog}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        onKeyDown={onKeyDown}
      >
        <div className="dialog-head">
          <AlertIcon className="dialog-icon" />
          <h2 className="dialog-title" id={`${id}-title`}>
            {question.title}
          </h2>
        </div>
        <p className="dialog-body" id={`${id}-body`}>
          {question.body}
        </p>
        <div className="dialog-actions">
          <Button onClick={() => answer(false)}>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => answer(true)}>
            {question.confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}
