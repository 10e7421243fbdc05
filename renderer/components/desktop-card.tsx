/**
 * What only the desktop app does: open at login and notify when files arrive (the CLI's window
 * has neither, so the card shows in Electron only); and the notice at the top of the share panel
 * when the saved settings could not be used as they were.
 */
import { useState, type FormEvent } from 'react';
import { useActions, useServer } from '../stores/context.js';
import { AlertIcon, InfoIcon } from './icons.js';
import { Button, Callout, Card, Field, Switch } from './ui.js';

export function DesktopCard() {
  const actions = useActions();
  const desktop = useServer((s) => s.host === 'electron');
  const launchAtLogin = useServer((s) => s.settings?.launchAtLogin);
  const notifyOnReceive = useServer((s) => s.settings?.notifyOnReceive);
  if (!desktop || launchAtLogin === undefined || notifyOnReceive === undefined) return null;
  return (
    <Card title="This computer">
      <div className="card-body stack">
        <Switch
          label="Open at login"
          description="FTP Share starts in the background when you log in. The switch shows what your system will do, also when you change it in its settings."
          checked={launchAtLogin}
          onChange={(checked) => void actions.updateSettings({ launchAtLogin: checked })}
        />
        <Switch
          label="Notify me when files arrive"
          description="A notification names each file received and the device it came from, with a way to show it in its folder."
          checked={notifyOnReceive}
          onChange={(checked) => void actions.updateSettings({ notifyOnReceive: checked })}
        />
      </div>
    </Card>
  );
}

/**
 * The settings file could not be used as it was: reset to defaults (the old file kept aside), or
 * only its password lost (it could not be decrypted, e.g. after switching between `npm start`
 * and the installed app, or a keychain reset). A lost password is never replaced silently: the
 * devices set up before still use the old one, so this says so and offers to type it back in.
 */
export function RecoveredCallout() {
  const recovered = useServer((s) => s.state?.settingsRecovered);
  const access = useServer((s) => s.settings?.access);
  const actions = useActions();
  const [dismissed, setDismissed] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  if (!recovered || dismissed) return null;

  if (!recovered.lostPassword) {
    return (
      <Callout tone="warn" icon={<InfoIcon />} title="Your settings were reset">
        <p>
          The settings file could not be read ({recovered.reason}), so FTP Share started with defaults. The old file was kept at{' '}
          <span className="mono">{recovered.backupPath}</span>.
        </p>
      </Callout>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!typed || access?.mode !== 'password') return;
    setBusy(true);
    const saved = await actions.updateSettings({ access: { ...access, password: typed } });
    setBusy(false);
    if (saved) setDismissed(true);
  };
  return (
    <Callout tone="warn" icon={<AlertIcon />} title="The saved password could not be read">
      <p>
        {recovered.reason} Devices set up before still use the old password, so they can’t sign in until you type the old password
        here, or give them the new one shown under Access.
      </p>
      {access?.mode === 'password' && (
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <Field label="Old password">
            {({ id }) => (
              <input
                id={id}
                className="input mono"
                type="password"
                autoComplete="off"
                value={typed}
                onChange={(e) => setTyped(e.currentTarget.value)}
              />
            )}
          </Field>
          <div className="button-row">
            <Button type="submit" variant="primary" busy={busy} disabled={!typed}>
              Use the old password
            </Button>
            <Button variant="ghost" onClick={() => setDismissed(true)}>
              Keep the new password
            </Button>
          </div>
        </form>
      )}
      <p className="hint">
        A copy of the settings as they were is at <span className="mono">{recovered.backupPath}</span>.
      </p>
    </Callout>
  );
}
