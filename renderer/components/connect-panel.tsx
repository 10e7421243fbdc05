/**
 * How to connect: the chosen address (with a QR code), the credentials to type, the other
 * addresses of this computer to choose from, and help for when nobody gets through.
 */
import type { ConnectUrl } from '../../core/share/contract.js';
import { useActions, useLinkDown, useServer } from '../stores/context.js';
import { formatFingerprint } from '../format.js';
import { ConnectIcon, CopyIcon, WifiIcon } from './icons.js';
import { StartStopButton } from './share-status.js';
import { QrCode } from './qr-code.js';
import { Card, EmptyState, IconButton } from './ui.js';

const KIND_TEXT: Record<ConnectUrl['kind'], string> = {
  lan: 'Local network',
  loopback: 'This computer only',
  'link-local': 'Link-local',
  virtual: 'Virtual adapter',
  vpn: 'VPN',
  public: 'Public address',
};

export function ConnectPanel() {
  const status = useServer((s) => s.state?.status);
  const linkDown = useLinkDown();
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
      <AddressCard />
      <AddressChoiceCard />
      <HelpCard />
    </div>
  );
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

function AddressCard() {
  const url = useServer((s) => s.state?.url ?? s.state?.urls[0]?.url);
  const access = useServer((s) => s.settings?.access);
  const tls = useServer((s) => s.state?.tls);
  const readOnly = useServer((s) => s.settings?.readOnly ?? true);
  if (!url) {
    return (
      <Card>
        <EmptyState icon={<WifiIcon size={32} />} title="No network address">
          <p>This computer has no address others can reach. Connect it to Wi-Fi or a network cable.</p>
        </EmptyState>
      </Card>
    );
  }
  return (
    <section className="card connect-card" aria-labelledby="connect-title">
      <div className="connect-qr">
        <QrCode text={url} label={`QR code of ${url}`} />
        <p className="hint center">Scan with the phone’s camera or file manager app.</p>
      </div>
      <div className="connect-details">
        <h2 id="connect-title" className="card-title">
          Connect from another device
        </h2>
        <p className="card-description">
          In a file manager or FTP app, open this address{readOnly ? '. Files are read-only.' : '. People can upload and change files.'}
        </p>
        <p className="big-url mono">{url}</p>
        <dl className="copy-list">
          <CopyRow label="Address" value={url} what="Address" />
          {access?.mode === 'password' ? (
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
          )}
        </dl>
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

function AddressChoiceCard() {
  const actions = useActions();
  const urls = useServer((s) => s.state?.urls);
  const chosen = useServer((s) => s.settings?.advertisedAddress ?? s.state?.urls[0]?.address);
  if (!urls || urls.length < 2) return null;
  return (
    <Card title="Addresses of this computer" description="Pick the one on the same network as the other device. The QR code follows your choice.">
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
              <span className="address-url mono">{u.url}</span>
            </span>
            <span className={`kind-badge kind-${u.kind}`}>{KIND_TEXT[u.kind]}</span>
          </label>
        ))}
      </fieldset>
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
