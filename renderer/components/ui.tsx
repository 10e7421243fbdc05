/**
 * The window's building blocks: buttons, switches, segmented choices, fields and cards. Native
 * elements underneath (button, input, fieldset), so keyboard use and screen readers come for free.
 */
import {
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
} from 'react';

type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger' | 'success';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'sm' | 'md' | 'lg';
  icon?: ReactNode;
  busy?: boolean;
}

export function Button({ variant = 'secondary', size = 'md', icon, busy, children, className, disabled, ...rest }: ButtonProps) {
  return (
    <button
      type="button"
      className={['btn', `btn-${variant}`, `btn-${size}`, className].filter(Boolean).join(' ')}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <span className="spinner" aria-hidden="true" /> : icon}
      {children !== undefined && <span>{children}</span>}
    </button>
  );
}

export interface IconButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** The accessible name, also shown as the tooltip. */
  label: string;
  icon: ReactNode;
  variant?: 'ghost' | 'secondary' | 'danger';
}

export function IconButton({ label, icon, variant = 'ghost', className, ...rest }: IconButtonProps) {
  return (
    <button type="button" className={['icon-btn', `icon-btn-${variant}`, className].filter(Boolean).join(' ')} aria-label={label} title={label} {...rest}>
      {icon}
    </button>
  );
}

/** An on/off setting: a labelled checkbox drawn as a switch. */
export function Switch({
  label,
  description,
  checked,
  onChange,
  disabled,
}: {
  label: string;
  description?: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="switch-row">
      <div className="switch-text">
        <label htmlFor={id} className="switch-label">
          {label}
        </label>
        {description && (
          <p className="hint" id={`${id}-desc`}>
            {description}
          </p>
        )}
      </div>
      <input
        id={id}
        type="checkbox"
        role="switch"
        className="switch"
        checked={checked}
        disabled={disabled}
        aria-describedby={description ? `${id}-desc` : undefined}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    </div>
  );
}

/** One-of-a-few choice, as a row of pill buttons (radio inputs underneath). */
export function Segmented<T extends string>({
  legend,
  value,
  options,
  onChange,
  hideLegend,
}: {
  legend: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  hideLegend?: boolean;
}) {
  const name = useId();
  return (
    <fieldset className="segmented-field">
      <legend className={hideLegend ? 'visually-hidden' : 'field-label'}>{legend}</legend>
      <div className="segmented">
        {options.map((o) => (
          <label key={o.value} className={o.value === value ? 'segment selected' : 'segment'}>
            <input type="radio" name={name} value={o.value} checked={o.value === value} onChange={() => onChange(o.value)} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** A label above a control, with an optional hint and error below it. */
export function Field({
  label,
  hint,
  error,
  children,
  id,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** Receives the ids for the control: its own, and its description's. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  id?: string;
}) {
  const auto = useId();
  const controlId = id ?? auto;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label className="field-label" htmlFor={controlId}>
        {label}
      </label>
      {children({ id: controlId, describedBy, invalid: Boolean(error) })}
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
      {hint && !error && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * A text input that edits a draft and commits on Enter or when focus leaves, so a half-typed
 * port or user name is not saved (and validated) at every keystroke. Escape restores the value,
 * and so does a commit that resolves `'revert'` (the change was not made after all).
 */
export function CommitInput({
  value,
  onCommit,
  ...rest
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  value: string;
  onCommit: (value: string) => void | Promise<unknown>;
}) {
  const [draft, setDraft] = useState(value);
  const editing = useRef(false);
  // The draft being saved: Enter, then the blur a confirmation dialog causes, commit it once.
  const committing = useRef<string | null>(null);
  useEffect(() => {
    if (!editing.current) setDraft(value);
  }, [value]);
  const commit = () => {
    editing.current = false;
    if (draft === value || draft === committing.current) return;
    committing.current = draft;
    void Promise.resolve(onCommit(draft)).then((result) => {
      committing.current = null;
      if (result === 'revert' && !editing.current) setDraft(value);
    });
  };
  return (
    <input
      {...rest}
      value={draft}
      onChange={(e) => {
        editing.current = true;
        setDraft(e.currentTarget.value);
      }}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        } else if (e.key === 'Escape') {
          editing.current = false;
          setDraft(value);
        }
      }}
    />
  );
}

/** A titled group of settings or content. */
export function Card({
  title,
  description,
  actions,
  children,
  className,
  titleId,
}: {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  titleId?: string;
}) {
  const auto = useId();
  const headingId = titleId ?? auto;
  return (
    <section className={['card', className].filter(Boolean).join(' ')} aria-labelledby={title ? headingId : undefined}>
      {(title || actions) && (
        <header className="card-header">
          <div className="card-titles">
            {title && (
              <h2 className="card-title" id={headingId}>
                {title}
              </h2>
            )}
            {description && <p className="card-description">{description}</p>}
          </div>
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

/** A friendly "nothing here yet" block. */
export function EmptyState({ icon, title, children }: { icon: ReactNode; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-icon">{icon}</div>
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

/** A colored note: tips, warnings, errors. */
export function Callout({ tone, icon, children, title }: { tone: 'info' | 'warn' | 'error' | 'success'; icon?: ReactNode; title?: ReactNode; children?: ReactNode }) {
  return (
    <div className={`callout callout-${tone}`}>
      {icon && <span className="callout-icon">{icon}</span>}
      <div className="callout-body">
        {title && <p className="callout-title">{title}</p>}
        {children}
      </div>
    </div>
  );
}
