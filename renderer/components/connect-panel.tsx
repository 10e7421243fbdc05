/**
 * How to connect: the web page's address and QR code first (any phone's camera opens it in the
 * browser, and the code can sign the phone in), the ftp:// address with its own QR code for FTP
 * apps, the credentials to type, the addresses (and `.local` names) of this computer to choose
 * from, and help for when nobody gets through.
 */
import { useState } from 'react';
import type { ShareState } from '../../core/share/contract.js';
import { ADDRESS_KIND_TEXT } from '../../core/net/address-types.js';
import { useActions, useLinkDown, useServer } from '../stores/context.js';
import { formatFingerprint } from '../format.js';
import { ConnectIcon, CopyIcon, GlobeIcon, RefreshIcon, WifiIcon } from './icons.js';
import { StartStopButton } from './share-status.js';
import { QrCode } from './qr-code.js';
import { TroubleshootCard, useTroubleshootOffered } from './troubleshoot-card.js';
import { Button, Card, EmptyState, IconButton, Switch } from './ui.js';


/** Whether the addresses shown (and their QR codes) use the chosen IP address or the `.local` names. */
type HostChoice = 'ip' | 'local';

export function ConnectPanel() {
  const status = useServer((s) => s.state?.status);
  const linkDown = useLinkDown();
  // The IP stays the default: not every device resolves `.local` names.
  const [hostChoice, setHostChoice] = useState<HostChoice>('ip');
  if (linkDown === 'stopped' || linkDown === 'replaced') {
    // The address of a share that is gone must not be scanned.
    return (
      <div className="panel-body">
        <Card>
          <EmptyState icon={<ConnectIcon size={32} />} title="FTP Share has stopped">
            <p>{linkDown === 'replaced' ? 'It was started again: open the new address printed in the terminal.' : 'Nothing is shared any more.'}</p>
          </EmptyState>
        </Card>
      </div>
    );
  }
  if (status !== 'running') {
    return (
      <div className="panel-body">
        <Card>
          <EmptyState icon={<ConnectIcon size={32} />} title="Start sharing to get an address">
            <p>Once sharing, this page shows the address and a QR code to scan with your phone.</p>
            <StartStopButton size="md" />
          </EmptyState>
        </Card>
      </div>
    );
  }
  return (
    <div className="panel-body">
      <TroubleshootSlot where="top" />
      <WebAddressCard hostChoice={hostChoice} />
      <FtpAddressCard hostChoice={hostChoice} />
      <AddressChoiceCard hostChoice={hostChoice} onHostChoice={setHostChoice} />
      <TroubleshootSlot where="bottom" />
      <HelpCard />
    </div>
  );
}

/** The Troubleshoot card: first in the panel once it is offered (nobody connected for a while), else near the end. */
function TroubleshootSlot({ where }: { where: 'top' | 'bottom' }) {
  const offered = useTroubleshootOffered();
  return offered === (where === 'top') ? <TroubleshootCard /> : null;
}

/** `url` with its host replaced by `host` (a `.local` name), or unchanged when it can't be parsed. */
function withHost(url: string, host: string): string {
  try {
    const u = new URL(url);
    u.hostname = host;
    return u.href;
  } catch {
    return url;
  }
}

/** `url` with the host and port of `like`: the sign-in link at the address shown. */
function atHostOf(url: string, like: string): string {
  try {
    const u = new URL(url);
    u.host = new URL(like).host;
    return u.href;
  } catch {
    return url;
  }
}

/** The address chosen in the picker: the saved one, else the best-ranked. */
function useChosenAddress(): string | undefined {
  return useServer((s) => s.settings?.advertisedAddress ?? s.state?.urls[0]?.address);
}

/** The web page's address and sign-in link as shown, following the address and name choices. */
function useWebTarget(hostChoice: HostChoice): { url: string; signInUrl?: string } | undefined {
  const web = useServer((s) => s.state?.web);
  const localName = useServer((s) => s.state?.localNames?.web);
  const chosen = useChosenAddress();
  if (!web) return undefined;
  const base = web.urls.find((u) => u.address === chosen) ?? web.urls[0];
  if (!base) return undefined;
  const url = hostChoice === 'local' && localName ? withHost(base.url, localName) : base.url;
  return web.signInUrl ? { url, signInUrl: atHostOf(web.signInUrl, url) } : { url };
}

/** The ftp:// address as shown, following the address and name choices. */
function useFtpUrl(hostChoice: HostChoice): string | undefined {
  const url = useServer((s) => s.state?.url ?? s.state?.urls[0]?.url);
  const localName = useServer((s) => s.state?.localNames?.ftp);
  if (!url) return undefined;
  return hostChoice === 'local' && localName ? withHost(url, localName) : url;
}

function CopyRow({ label, value, what, mono = true }: { label: string; value: string; what: string; mono?: boolean }) {
  const actions = useActions();
  return (
    <div className="copy-row">
      <dt className="copy-label">{label}</dt>
      <dd className="copy-value-wrap">
        <span className={mono ? 'copy-value mono' : 'copy-value'}>{value}</span>
        <IconButton label={`Copy ${what.toLowerCase()}`} icon={<CopyIcon />} onClick={() => void actions.copy(value, what)} />
      </dd>
    </div>
  );
}

/** The user name and password to type (the first account's), or that anyone gets in. */
function CredentialRows() {
  const access = useServer((s) => s.settings?.access);
  return access?.mode === 'password' ? (
    <>
      <CopyRow label="User name" value={access.username} what="User name" />
      <CopyRow label="Password" value={access.password} what="Password" />
    </>
  ) : (
    <div className="copy-row">
      <dt className="copy-label">Sign-in</dt>
      <dd className="copy-value-wrap">
        <span className="copy-value">Anonymous — any user name, no password</span>
      </dd>
    </div>
  );
}

function NoAddressCard() {
  return (
    <Card>
      <EmptyState icon={<WifiIcon size={32} />} title="No network address">
        <p>This computer has no address others can reach. Connect it to Wi-Fi or a network cable.</p>
      </EmptyState>
    </Card>
  );
}

/** The web page: its address, the QR code phones scan, and what that code lets people do. */
function WebAddressCard({ hostChoice }: { hostChoice: HostChoice }) {
  const actions = useActions();
  const target = useWebTarget(hostChoice);
  const secure = useServer((s) => s.state?.web?.secure ?? false);
  const fingerprint = useServer((s) => s.state?.tls?.fingerprint256);
  const readOnly = useServer((s) => s.settings?.readOnly ?? true);
  const access = useServer((s) => s.settings?.access);
  const web = useServer((s) => s.settings?.web);
  const [renewing, setRenewing] = useState(false);
  const hasWeb = useServer((s) => s.state?.web !== undefined);
  if (!hasWeb) return null;
  if (!target) return <NoAddressCard />;
  const withPassword = access?.mode === 'password';
  const qrText = target.signInUrl ?? target.url;
  return (
    <section className="card connect-card" aria-labelledby="connect-web-title">
      <div className="connect-qr">
        <QrCode text={qrText} label={`QR code of ${target.url}`} />
        <p className="hint center">Scan with the phone’s camera: the share opens in its browser.</p>
      </div>
      <div className="connect-details">
        <h2 id="connect-web-title" className="card-title">
          <GlobeIcon size={18} className="title-icon" /> Open on a phone or in a browser
        </h2>
        <p className="card-description">
          Any browser on the same network opens this address{readOnly ? '. Files are read-only.' : '. People can upload and change files.'}
        </p>
        <p className="big-url web-url mono">{target.url}</p>
        {target.signInUrl ? (
          <div className="signin-note" role="note">
            <p>
              <strong>Anyone who scans this code can get in</strong>
              {access?.mode === 'password' && access.otherAccounts === undefined ? <> as {access.username}</> : null}, without a password.
              Show it only to people you trust; a new code stops the old one working.
            </p>
            <div className="button-row">
              <Button
                size="sm"
                icon={<RefreshIcon />}
                busy={renewing}
                onClick={async () => {
                  setRenewing(true);
                  await actions.newSignInCode();
                  setRenewing(false);
                }}
              >
                New code
              </Button>
            </div>
            <details className="signin-link">
              <summary>Sign-in link</summary>
              <p className="hint">The same link as the QR code, to send to a device that can’t scan.</p>
              <dl className="copy-list">
                <CopyRow label="Link" value={target.signInUrl} what="Sign-in link" />
              </dl>
            </details>
          </div>
        ) : withPassword ? (
          <p className="hint">The code holds only the address: people sign in with the user name and password below.</p>
        ) : null}
        {withPassword && web && (
          <Switch
            label="QR code signs in"
            description="Off: the code holds only the address, and everyone types the password."
            checked={web.qrSignIn}
            onChange={(qrSignIn) => void actions.updateSettings({ web: { ...web, qrSignIn } })}
          />
        )}
        <dl className="copy-list">
          <CopyRow label="Address" value={target.url} what="Web address" />
          <CredentialRows />
        </dl>
        {secure && fingerprint && (
          <p className="hint">
            The browser warns that the certificate is not trusted: continue once its fingerprint starts with{' '}
            <span className="mono">{formatFingerprint(fingerprint).slice(0, 23)}</span>.
          </p>
        )}
      </div>
    </section>
  );
}

/** The ftp:// address for FTP apps, with its own QR code; leads the panel when the web page is off. */
function FtpAddressCard({ hostChoice }: { hostChoice: HostChoice }) {
  const url = useFtpUrl(hostChoice);
  const tls = useServer((s) => s.state?.tls);
  const readOnly = useServer((s) => s.settings?.readOnly ?? true);
  const web = useServer((s) => s.state?.web !== undefined);
  if (!url) return web ? null : <NoAddressCard />;
  return (
    <section className={web ? 'card connect-card connect-card-secondary' : 'card connect-card'} aria-labelledby="connect-ftp-title">
      <div className="connect-qr">
        <QrCode text={url} size={web ? 128 : 184} label={`QR code of ${url}`} />
        <p className="hint center">{web ? 'For FTP apps on a phone.' : 'Scan with the phone’s camera or file manager app.'}</p>
      </div>
      <div className="connect-details">
        <h2 id="connect-ftp-title" className="card-title">
          {web ? 'In an FTP app' : 'Connect from another device'}
        </h2>
        <p className="card-description">
          {web
            ? 'FileZilla, WinSCP, file managers and other FTP apps open this address.'
            : `In a file manager or FTP app, open this address${readOnly ? '. Files are read-only.' : '. People can upload and change files.'}`}
        </p>
        <p className={web ? 'ftp-url mono' : 'big-url ftp-url mono'}>{url}</p>
        <dl className="copy-list">
          <CopyRow label="Address" value={url} what={web ? 'FTP address' : 'Address'} />
          {!web && <CredentialRows />}
        </dl>
        {web && <p className="hint">Same user name and password as above.</p>}
        {tls && (
          <p className="hint">
            {tls.mode === 'explicit' ? 'Choose “FTP over explicit TLS” in the app. ' : 'Choose “FTPS (implicit TLS)” in the app. '}
            When asked to trust the certificate, check its fingerprint starts with{' '}
            <span className="mono">{formatFingerprint(tls.fingerprint256).slice(0, 23)}</span>.
          </p>
        )}
      </div>
    </section>
  );
}

/** One address's URLs as the picker shows them: the web page's, else the FTP one. */
function urlsOf(address: string, state: ShareState | null): string {
  const web = state?.web?.urls.find((u) => u.address === address)?.url;
  const ftp = state?.urls.find((u) => u.address === address)?.url;
  return [web, ftp].filter(Boolean).join('  ·  ');
}

function AddressChoiceCard({ hostChoice, onHostChoice }: { hostChoice: HostChoice; onHostChoice: (choice: HostChoice) => void }) {
  const actions = useActions();
  const state = useServer((s) => s.state);
  const chosen = useChosenAddress();
  const urls = state?.urls;
  const names = state?.localNames;
  const localName = names?.web ?? names?.ftp;
  const several = urls !== undefined && urls.length >= 2;
  if (!several && !localName) return null;
  return (
    <Card
      title="Addresses of this computer"
      description="Pick the one on the same network as the other device. Both QR codes follow your choice."
    >
      {several && (
        <fieldset className="address-list">
          <legend className="visually-hidden">Address to show</legend>
          {urls.map((u) => (
            <label key={u.url} className={u.address === chosen ? 'address-option selected' : 'address-option'}>
              <input
                type="radio"
                name="advertised-address"
                value={u.address}
                checked={u.address === chosen}
                onChange={() => void actions.chooseAddress(u.address)}
              />
              <span className="address-text">
                <span className="address-label">{u.label}</span>
                <span className="address-url mono">{urlsOf(u.address, state)}</span>
              </span>
              <span className={`kind-badge kind-${u.kind}`}>{ADDRESS_KIND_TEXT[u.kind]}</span>
            </label>
          ))}
        </fieldset>
      )}
      {localName && (
        <fieldset className="address-list host-choice">
          <legend className="host-choice-legend">Show the address as</legend>
          <p className="hint host-choice-hint" id="local-name-hint">
            A .local name keeps working when the IP address changes, but not every device resolves .local names (many Android phones
            don’t), so the QR codes use the IP address unless you choose the name.
          </p>
          <label className={hostChoice === 'ip' ? 'address-option selected' : 'address-option'}>
            <input type="radio" name="host-choice" value="ip" checked={hostChoice === 'ip'} onChange={() => onHostChoice('ip')} />
            <span className="address-text">
              <span className="address-label">IP address</span>
              <span className="address-url mono">{chosen}</span>
            </span>
            <span className="kind-badge kind-lan">Works everywhere</span>
          </label>
          <label className={hostChoice === 'local' ? 'address-option selected' : 'address-option'}>
            <input
              type="radio"
              name="host-choice"
              value="local"
              checked={hostChoice === 'local'}
              aria-describedby="local-name-hint"
              onChange={() => onHostChoice('local')}
            />
            <span className="address-text">
              <span className="address-label">.local name</span>
              <span className="address-url mono">{localName}</span>
            </span>
          </label>
        </fieldset>
      )}
    </Card>
  );
}

function HelpCard() {
  const nobody = useServer((s) => (s.state?.sessionCount ?? 0) === 0);
  const items = (
    <ul className="help-list">
      <li>
        <strong>Same network.</strong> The other device must be on the same Wi-Fi or wired network as this computer — not on mobile
        data or a VPN.
      </li>
      <li>
        <strong>Windows firewall.</strong> Allow FTP Share when Windows asks. If the network is set to “Public”, Windows blocks others:
        switch it to “Private” in Settings › Network &amp; internet.
      </li>
      <li>
        <strong>Guest Wi-Fi.</strong> Guest, hotel and office networks often keep devices apart (“client isolation”). Use your main
        network, or the phone’s hotspot.
      </li>
      <li>
        <strong>Another address.</strong> VPNs and virtual adapters add addresses others can’t reach — try another one above.
      </li>
    </ul>
  );
  if (nobody) {
    return (
      <Card title="Nobody can connect?" className="help-card">
        {items}
      </Card>
    );
  }
  return (
    <details className="card help-details">
      <summary>Trouble connecting?</summary>
      {items}
    </details>
  );
}
