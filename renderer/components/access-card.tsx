/**
 * Who may sign in and what they may do: anonymous or one account (with show, copy and generate),
 * and read-only. Turning anonymous back off restores the account the share kept; where no OS
 * keychain protects the saved password, a line says so.
 */
import { useState } from 'react';
import { useActions, useServer } from '../stores/context.js';
import { AlertIcon, CopyIcon, EyeIcon, EyeOffIcon, SparkleIcon } from './icons.js';
import { Button, Callout, Card, CommitInput, Field, IconButton, Segmented, Switch } from './ui.js';

/** Same alphabet as the share's generator: no look-alikes, no shift key on a phone. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A password for switching to password mode when none was set before (then saved at once). */
function localPassword(length = 20): string {
  const out: string[] = [];
  const bytes = new Uint8Array(1);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    // Rejection sampling: 248 = 8 × 31, so every symbol is equally likely.
    if (bytes[0]! < 248) out.push(ALPHABET[bytes[0]! % ALPHABET.length]!);
  }
  return out.join('');
}

export function AccessCard() {
  const actions = useActions();
  const access = useServer((s) => s.settings?.access);
  const readOnly = useServer((s) => s.settings?.readOnly ?? true);
  const userError = useServer((s) => s.fieldErrors['access.username']);
  const passwordError = useServer((s) => s.fieldErrors['access.password']);
  const passwordInFile = useServer((s) => s.state?.passwordStorage === 'file');
  const [show, setShow] = useState(false);

  if (!access) return null;

  const setMode = (mode: 'anonymous' | 'password') => {
    if (mode === access.mode) return;
    if (access.mode === 'password') {
      // The share keeps this account while anonymous (as `access.account`).
      void actions.updateSettings({ access: { mode: 'anonymous', account: { username: access.username, password: access.password } } });
    } else {
      void actions.updateSettings({ access: { mode: 'password', ...(access.account ?? { username: 'ftp', password: localPassword() }) } });
    }
  };

  return (
    <Card title="Access" description="Who can sign in, and what they can do with your files.">
      <div className="card-body stack">
        <Segmented
          legend="Sign-in"
          value={access.mode}
          options={[
            { value: 'password', label: 'User name and password' },
            { value: 'anonymous', label: 'Anyone (anonymous)' },
          ]}
          onChange={setMode}
        />
        {access.mode === 'password' ? (
          <div className="field-grid">
            <Field label="User name" error={userError}>
              {({ id, describedBy, invalid }) => (
                <CommitInput
                  id={id}
                  className="input"
                  value={access.username}
                  autoComplete="off"
                  spellCheck={false}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                  onCommit={(username) => actions.updateSettings({ access: { ...access, username } })}
                />
              )}
            </Field>
            <Field label="Password" error={passwordError}>
              {({ id, describedBy, invalid }) => (
                <div className="input-row">
                  <CommitInput
                    id={id}
                    className="input mono"
                    type={show ? 'text' : 'password'}
                    value={access.password}
                    autoComplete="new-password"
                    spellCheck={false}
                    aria-describedby={describedBy}
                    aria-invalid={invalid || undefined}
                    onCommit={(password) => actions.updateSettings({ access: { ...access, password } })}
                  />
                  <IconButton
                    label={show ? 'Hide password' : 'Show password'}
                    aria-pressed={show}
                    icon={show ? <EyeOffIcon /> : <EyeIcon />}
                    variant="secondary"
                    onClick={() => setShow(!show)}
                  />
                  <IconButton label="Copy password" icon={<CopyIcon />} variant="secondary" onClick={() => void actions.copy(access.password, 'Password')} />
                  <Button icon={<SparkleIcon />} onClick={() => void actions.generatePassword()}>
                    Generate
                  </Button>
                </div>
              )}
            </Field>
            {passwordInFile && (
              <p className="hint field-span">
                No OS keychain is available here, so the password is saved in FTP Share’s settings file without encryption.
              </p>
            )}
          </div>
        ) : (
          <p className="hint">People can sign in with any user name and password, or as “anonymous”.</p>
        )}
        <div className="divider" />
        <Switch
          label="Read-only"
          description="People can browse and download, but not upload, rename or delete."
          checked={readOnly}
          onChange={(checked) => void actions.updateSettings({ readOnly: checked })}
        />
        {access.mode === 'anonymous' && !readOnly && (
          <Callout tone="warn" icon={<AlertIcon />}>
            Anyone on this network can change and delete files in the shared folders.
          </Callout>
        )}
      </div>
    </Card>
  );
}
