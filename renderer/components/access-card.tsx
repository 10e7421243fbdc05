/**
 * Who may sign in and what they may do: anonymous, or a list of accounts, each with its user name,
 * password (generated, shown and copied on request), its own read-only choice and the folders it
 * sees; "Add a read-only guest" makes one in a click. The share's read-only switch applies on top
 * of every account. Turning anonymous back off restores the accounts the share kept; where no OS
 * keychain protects the saved passwords, a line says so. Removing or renaming an account that has
 * people connected asks first, since their sessions end.
 */
import { useState } from 'react';
import type { Settings } from '../stores/server.js';
import { useActions, useConfirm, useServer, useSessions } from '../stores/context.js';
import { baseName } from '../format.js';
import { AlertIcon, CopyIcon, EyeIcon, EyeOffIcon, PlusIcon, SparkleIcon, TrashIcon } from './icons.js';
import { Button, Callout, Card, CommitInput, Field, IconButton, Segmented, Switch } from './ui.js';

/** Same alphabet as the share's generator: no look-alikes, no shift key on a phone. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A password for a new account, or for switching to password mode when none was set before. */
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

/** One empty list, so a selector returns the same value while there are no settings. */
const NO_FOLDERS: readonly string[] = [];

type Access = Settings['access'];
type PasswordAccess = Extract<Access, { mode: 'password' }>;
/** One account, as the settings keep each of them. */
type Account = Omit<PasswordAccess, 'mode' | 'otherAccounts'>;

/** The accounts in order: the first one's fields sit at the top of `access`, the others after. */
function accountsOf(access: PasswordAccess): Account[] {
  const { mode: _mode, otherAccounts, ...first } = access;
  return [first, ...(otherAccounts ?? [])];
}

/** The access settings for `accounts` (at least one). */
function passwordAccess(accounts: readonly Account[]): PasswordAccess {
  const [first, ...others] = accounts;
  return { mode: 'password', ...first!, ...(others.length > 0 ? { otherAccounts: others } : {}) };
}

/** Where the share reports a field of account `index` (see SettingsFieldError). */
function fieldOf(index: number, key: keyof Account): string {
  return index === 0 ? `access.${key}` : `access.otherAccounts[${index - 1}].${key}`;
}

/** `guest`, or `guest-2`, `guest-3`… when taken (ignoring case, as the share does). */
function freeName(accounts: readonly Account[], base: string): string {
  const taken = new Set(accounts.map((a) => a.username.toLowerCase()));
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
  return name;
}

export function AccessCard() {
  const actions = useActions();
  const access = useServer((s) => s.settings?.access);
  const folders = useServer((s) => s.settings?.folders ?? NO_FOLDERS);
  const readOnly = useServer((s) => s.settings?.readOnly ?? true);
  const passwordInFile = useServer((s) => s.state?.passwordStorage === 'file');
  // The account added last, whose new password is shown at once.
  const [added, setAdded] = useState<string | null>(null);

  if (!access) return null;

  const setMode = (mode: 'anonymous' | 'password') => {
    if (mode === access.mode) return;
    if (access.mode === 'password') {
      // The share keeps these accounts while anonymous (as `access.account`).
      const { mode: _mode, ...accounts } = access;
      void actions.updateSettings({ access: { mode: 'anonymous', account: accounts } });
    } else {
      void actions.updateSettings({ access: { mode: 'password', ...(access.account ?? { username: 'ftp', password: localPassword() }) } });
    }
  };

  const accounts = access.mode === 'password' ? accountsOf(access) : [];
  const several = accounts.length > 1;
  const save = (next: readonly Account[]) => actions.updateSettings({ access: passwordAccess(next) });
  const add = (readOnlyGuest: boolean) => {
    const username = freeName(accounts, readOnlyGuest ? 'guest' : 'user');
    setAdded(username);
    void save([...accounts, { username, password: localPassword(), ...(readOnlyGuest ? { readOnly: true } : {}) }]);
  };
  const kept = access.mode === 'anonymous' && access.account ? 1 + (access.account.otherAccounts?.length ?? 0) : 0;

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
          <>
            <ul className="account-list" aria-label="Accounts">
              {accounts.map((account, index) => (
                <AccountRow
                  key={index}
                  index={index}
                  accounts={accounts}
                  folders={folders}
                  // Rights and folders matter once there is someone to tell apart, or when set.
                  detailed={several || account.readOnly === true || account.folders !== undefined}
                  reveal={account.username === added}
                  save={save}
                />
              ))}
            </ul>
            <div className="account-actions">
              <Button variant="primary" icon={<PlusIcon />} onClick={() => add(true)}>
                Add a read-only guest
              </Button>
              <Button icon={<PlusIcon />} onClick={() => add(false)}>
                Add an account
              </Button>
            </div>
            {passwordInFile && (
              <p className="hint">
                No OS keychain is available here, so the password{several ? 's are' : ' is'} saved in FTP Share’s settings file without encryption.
              </p>
            )}
          </>
        ) : (
          <p className="hint">
            People can sign in with any user name and password, or as “anonymous”.
            {kept > 1 && ` The ${kept} accounts come back when you turn sign-in on again.`}
          </p>
        )}
        <div className="divider" />
        <Switch
          label="Read-only"
          description={
            several
              ? 'Nobody can upload, rename or delete, whatever their account allows.'
              : 'People can browse and download, but not upload, rename or delete.'
          }
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

/** One account: its credentials, and (when `detailed`) what it may do and which folders it sees. */
function AccountRow({
  index,
  accounts,
  folders,
  detailed,
  reveal,
  save,
}: {
  index: number;
  accounts: readonly Account[];
  folders: readonly string[];
  detailed: boolean;
  reveal: boolean;
  save: (next: readonly Account[]) => Promise<unknown>;
}) {
  const actions = useActions();
  const ask = useConfirm((s) => s.ask);
  const account = accounts[index]!;
  const userError = useServer((s) => s.fieldErrors[fieldOf(index, 'username')]);
  const passwordError = useServer((s) => s.fieldErrors[fieldOf(index, 'password')]);
  const foldersError = useServer((s) => Object.entries(s.fieldErrors).find(([key]) => key.startsWith(fieldOf(index, 'folders')))?.[1]);
  const connected = useSessions((s) => s.ids.filter((id) => s.byId[id]?.user === account.username).length);
  const [show, setShow] = useState(reveal);
  const change = (patch: Partial<Account>) => {
    const next: Account = { ...account, ...patch };
    // Absent is the default (as the share allows; every folder), and what the settings keep.
    if (!next.readOnly) delete next.readOnly;
    if (next.folders === undefined) delete next.folders;
    return save(accounts.map((a, i) => (i === index ? next : a)));
  };
  const name = account.username;
  const label = index === 0 ? '' : ` of ${name}`;

  /** Sessions of this account end when it goes (or is renamed): ask first when there are some. */
  const mayEnd = (what: string) =>
    connected === 0
      ? Promise.resolve(true)
      : ask({
          title: `${connected === 1 ? '1 person' : `${connected} people`} signed in as “${name}” will be disconnected`,
          body: `${what} ends their ${connected === 1 ? 'session' : 'sessions'}. Everyone else stays connected.`,
          confirmLabel: 'Disconnect them',
        });

  const rename = async (username: string) => {
    if (!(await mayEnd(`Renaming “${name}”`))) return 'revert';
    return change({ username });
  };
  const remove = async () => {
    if (await mayEnd(`Removing “${name}”`)) void save(accounts.filter((_, i) => i !== index));
  };
  const setFolder = (folder: string, on: boolean) => {
    const seen = account.folders ?? folders;
    const next = on ? folders.filter((f) => f === folder || seen.includes(f)) : seen.filter((f) => f !== folder);
    void change({ folders: next });
  };
  const generate = () => (index === 0 ? void actions.generatePassword() : void change({ password: localPassword() }));

  return (
    <li className="account-row">
      <fieldset className="account-fields" aria-label={`Account ${name}`}>
        <legend className="visually-hidden">Account {name}</legend>
        <div className="field-grid">
          <Field label="User name" error={userError}>
            {({ id, describedBy, invalid }) => (
              <div className="input-row">
                <CommitInput
                  id={id}
                  className="input"
                  value={name}
                  autoComplete="off"
                  spellCheck={false}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                  onCommit={rename}
                />
                {accounts.length > 1 && (
                  <IconButton label={`Remove account ${name}`} icon={<TrashIcon />} variant="secondary" onClick={() => void remove()} />
                )}
              </div>
            )}
          </Field>
          <Field label="Password" error={passwordError}>
            {({ id, describedBy, invalid }) => (
              <div className="input-row">
                <CommitInput
                  id={id}
                  className="input mono"
                  type={show ? 'text' : 'password'}
                  value={account.password}
                  autoComplete="new-password"
                  spellCheck={false}
                  aria-describedby={describedBy}
                  aria-invalid={invalid || undefined}
                  onCommit={(password) => change({ password })}
                />
                <IconButton
                  label={show ? `Hide password${label}` : `Show password${label}`}
                  aria-pressed={show}
                  icon={show ? <EyeOffIcon /> : <EyeIcon />}
                  variant="secondary"
                  onClick={() => setShow(!show)}
                />
                <IconButton label={`Copy password${label}`} icon={<CopyIcon />} variant="secondary" onClick={() => void actions.copy(account.password, 'Password')} />
                <Button icon={<SparkleIcon />} aria-label={index === 0 ? undefined : `Generate a password${label}`} onClick={generate}>
                  Generate
                </Button>
              </div>
            )}
          </Field>
        </div>
        {detailed && (
          <div className="account-rights">
            <Segmented
              legend={`What ${name} can do`}
              hideLegend
              value={account.readOnly ? 'read' : 'write'}
              options={[
                { value: 'read', label: 'Download only' },
                { value: 'write', label: 'Download and change' },
              ]}
              onChange={(value) => void change({ readOnly: value === 'read' })}
            />
            {(folders.length > 1 || account.folders !== undefined) && (
              <fieldset className="account-folders">
                <legend className="field-label">Folders {name} sees</legend>
                <label className="check">
                  <input type="checkbox" checked={account.folders === undefined} onChange={(e) => void change({ folders: e.currentTarget.checked ? undefined : [...folders] })} />
                  <span>All, and folders shared later</span>
                </label>
                {folders.map((folder) => (
                  <label key={folder} className="check" title={folder}>
                    <input
                      type="checkbox"
                      disabled={account.folders === undefined}
                      checked={account.folders === undefined || account.folders.includes(folder)}
                      onChange={(e) => setFolder(folder, e.currentTarget.checked)}
                    />
                    <span>{baseName(folder)}</span>
                  </label>
                ))}
                {account.folders?.length === 0 && <p className="hint">{name} sees no folder: choose at least one.</p>}
                {foldersError && <p className="field-error">{foldersError}</p>}
              </fieldset>
            )}
          </div>
        )}
      </fieldset>
    </li>
  );
}
