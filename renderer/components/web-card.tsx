/**
 * The web page for phones and browsers: on or off, and its port. Both restart a running share
 * (the actions ask first when people are connected).
 */
import { useActions, useServer } from '../stores/context.js';
import { parsePortField } from '../format.js';
import { Card, Field, Switch } from './ui.js';
import { NumberInput, useTypedSetting } from './typed-setting.js';

export function WebCard() {
  const actions = useActions();
  const web = useServer((s) => s.settings?.web);
  const portError = useServer((s) => s.fieldErrors['web.port'] ?? s.fieldErrors['web']);
  const typedPort = useTypedSetting(parsePortField, (port) => actions.saveSettings({ web: { ...web!, port } }));
  if (!web) return null;

  return (
    <Card title="Web page">
      <div className="card-body stack">
        <Switch
          label="Web page for phones and browsers"
          description="Any phone or computer opens the share in its browser, with nothing to install. FTP apps keep working."
          checked={web.enabled}
          onChange={(enabled) => void actions.updateSettings({ web: { ...web, enabled } })}
        />
        {web.enabled && (
          <Field label="Web page port" error={typedPort.localError ?? portError} hint="Part of the web address. It can't be the FTP port.">
            {(field) => (
              <div className="input-row">
                <NumberInput field={field} value={web.port} onCommit={typedPort.commit} />
              </div>
            )}
          </Field>
        )}
      </div>
    </Card>
  );
}
