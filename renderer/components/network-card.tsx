/**
 * The port clients dial, with a one-click free port, the auto-stop delay, the bandwidth caps
 * (which running transfers follow at once), and the connection limits (which, like the port,
 * restart a running share: the actions ask first when people are connected).
 */
import { useState } from 'react';
import { MAX_CONNECTION_LIMIT } from '../../core/share/contract.js';
import type { Settings } from '../stores/server.js';
import { useActions, useServer } from '../stores/context.js';
import { parsePortField, parseWholeNumberField, type Parsed } from '../format.js';
import { NumberInput, useTypedSetting } from './typed-setting.js';
import { Button, Card, Field } from './ui.js';

const AUTO_STOP_CHOICES = [
  { minutes: 0, label: 'Never' },
  { minutes: 15, label: 'After 15 minutes' },
  { minutes: 60, label: 'After 1 hour' },
  { minutes: 240, label: 'After 4 hours' },
  { minutes: 1440, label: 'After 1 day' },
];

/** The caps offered, in MB/s (0 = unlimited); a saved value that is not one of them is listed too. */
const BANDWIDTH_PRESETS = [0, 1, 5, 10, 50];

const CAPS: Array<{ key: 'downloadMBps' | 'uploadMBps' | 'perDeviceMBps'; label: string; hint: string }> = [
  { key: 'downloadMBps', label: 'Download speed limit', hint: 'For everyone together, FTP and the web page.' },
  { key: 'uploadMBps', label: 'Upload speed limit', hint: 'For everyone together, FTP and the web page.' },
  { key: 'perDeviceMBps', label: 'Speed limit per device', hint: 'For each phone or computer, each way.' },
];

const capLabel = (mbps: number): string => (mbps === 0 ? 'Unlimited' : `${mbps} MB/s`);

type ConnectionLimit = 'maxConnections' | 'maxConnectionsPerAddress';

const CONNECTION_LIMITS: Array<{ setting: ConnectionLimit; label: string; hint: string }> = [
  { setting: 'maxConnections', label: 'Connection limit', hint: 'Connections at once, for FTP and the web page each. More are turned away until one ends.' },
  { setting: 'maxConnectionsPerAddress', label: 'Connection limit per device', hint: 'From one phone or computer. A benchmark or a sync app may need more.' },
];

export function NetworkCard() {
  const actions = useActions();
  const port = useServer((s) => s.settings?.port);
  const autoStop = useServer((s) => s.settings?.autoStopMinutes ?? 0);
  const bandwidth = useServer((s) => s.settings?.bandwidth);
  const portError = useServer((s) => s.fieldErrors['port']);
  const typedPort = useTypedSetting(parsePortField, (value) => actions.saveSettings({ port: value }));
  const [finding, setFinding] = useState(false);
  if (port === undefined) return null;

  const choices = AUTO_STOP_CHOICES.some((c) => c.minutes === autoStop)
    ? AUTO_STOP_CHOICES
    : [...AUTO_STOP_CHOICES, { minutes: autoStop, label: `After ${autoStop} minutes` }];

  return (
    <Card title="Network">
      <div className="card-body field-grid">
        <Field
          label="Port"
          error={typedPort.localError ?? portError}
          hint="Part of the address others type. Ports below 1024 need administrator rights."
        >
          {(field) => (
            <div className="input-row">
              <NumberInput field={field} value={port} onCommit={typedPort.commit} />
              <Button
                busy={finding}
                onClick={async () => {
                  setFinding(true);
                  typedPort.clearLocalError();
                  await actions.useFreePort();
                  setFinding(false);
                }}
              >
                Find a free port
              </Button>
            </div>
          )}
        </Field>
        <Field label="Stop sharing automatically" hint="Counts from when the last person disconnects.">
          {({ id, describedBy }) => (
            <select
              id={id}
              className="input select"
              value={autoStop}
              aria-describedby={describedBy}
              onChange={(e) => void actions.updateSettings({ autoStopMinutes: Number(e.currentTarget.value) })}
            >
              {choices.map((c) => (
                <option key={c.minutes} value={c.minutes}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {bandwidth &&
          CAPS.map(({ key, label, hint }) => (
            <Field key={key} label={label} hint={hint}>
              {({ id, describedBy }) => (
                <select
                  id={id}
                  className="input select"
                  value={bandwidth[key]}
                  aria-describedby={describedBy}
                  onChange={(e) => void actions.updateSettings({ bandwidth: { ...bandwidth, [key]: Number(e.currentTarget.value) } })}
                >
                  {(BANDWIDTH_PRESETS.includes(bandwidth[key]) ? BANDWIDTH_PRESETS : [...BANDWIDTH_PRESETS, bandwidth[key]]).map((mbps) => (
                    <option key={mbps} value={mbps}>
                      {capLabel(mbps)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ))}
        {CONNECTION_LIMITS.map((limit) => (
          <ConnectionLimitField key={limit.setting} {...limit} />
        ))}
      </div>
    </Card>
  );
}

/**
 * A connection limit, typed like the port and checked here first (its range, and that a device
 * gets no more than everyone together), so a value the share would refuse never asks to restart,
 * and the message is under the field that was typed in.
 */
function ConnectionLimitField({ setting, label, hint }: { setting: ConnectionLimit; label: string; hint: string }) {
  const actions = useActions();
  const total = useServer((s) => s.settings?.maxConnections);
  const perDevice = useServer((s) => s.settings?.maxConnectionsPerAddress);
  const shareError = useServer((s) => s.fieldErrors[setting]);
  const typed = useTypedSetting(
    (text): Parsed<number> => {
      const parsed = parseWholeNumberField(text, label, 1, MAX_CONNECTION_LIMIT);
      if ('error' in parsed || total === undefined || perDevice === undefined) return parsed;
      if (setting === 'maxConnections' && parsed.value < perDevice) {
        return { error: `Connection limit can't be less than the limit per device (${perDevice})` };
      }
      if (setting === 'maxConnectionsPerAddress' && parsed.value > total) {
        return { error: `Connection limit per device can't be more than the connection limit (${total})` };
      }
      return parsed;
    },
    (value) => actions.saveSettings({ [setting]: value } as Partial<Settings>),
  );
  if (total === undefined || perDevice === undefined) return null;
  const value = setting === 'maxConnections' ? total : perDevice;

  return (
    <Field label={label} error={typed.localError ?? shareError} hint={hint}>
      {(field) => <NumberInput field={field} value={value} onCommit={typed.commit} />}
    </Field>
  );
}
