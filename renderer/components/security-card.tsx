/**
 * FTPS: off, explicit or implicit; the certificate's SHA-256 fingerprint (what a client asks the
 * user to trust), making a new one, or importing the user's own PEM files.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CertificateInfo } from '../../core/share/contract.js';
import { useActions, useServer } from '../stores/context.js';
import { formatFingerprint } from '../format.js';
import { CopyIcon, KeyIcon, RefreshIcon, ShieldIcon } from './icons.js';
import { Button, Card, Field, IconButton, Segmented, Switch } from './ui.js';

const MODE_HELP = {
  off: 'Files and passwords travel unencrypted. Fine on your home network; turn on FTPS on shared networks.',
  explicit:
    'Clients connect as usual, then switch to TLS (“FTPES”, or “Require explicit FTP over TLS” in FileZilla). Works with most apps.',
  implicit: 'TLS from the first byte (ftps:// addresses). Only for apps that ask for implicit FTPS.',
} as const;

export function SecurityCard() {
  const actions = useActions();
  const ftps = useServer((s) => s.settings?.ftps);
  const requireTls = useServer((s) => s.settings?.requireTls ?? false);
  const certificate = useServer((s) => s.certificate);
  const liveFingerprint = useServer((s) => s.state?.tls?.fingerprint256);

  // Fetch the certificate when FTPS is on, and again when the running share's one changed.
  useEffect(() => {
    if (ftps && ftps !== 'off') void actions.loadCertificate();
  }, [ftps, liveFingerprint, actions]);

  if (!ftps) return null;
  return (
    <Card title="Encryption" description="FTPS protects passwords and files on the way.">
      <div className="card-body stack">
        <Segmented
          legend="FTPS"
          value={ftps}
          options={[
            { value: 'off', label: 'Off' },
            { value: 'explicit', label: 'Explicit' },
            { value: 'implicit', label: 'Implicit' },
          ]}
          onChange={(mode) => void actions.updateSettings(mode === 'off' ? { ftps: mode, requireTls: false } : { ftps: mode })}
        />
        <p className="hint">{MODE_HELP[ftps]}</p>
        {ftps === 'explicit' && (
          <Switch
            label="Require encryption"
            description="Refuse apps that try to sign in without switching to TLS first."
            checked={requireTls}
            onChange={(checked) => void actions.updateSettings({ requireTls: checked })}
          />
        )}
        {ftps !== 'off' && <CertificateBlock certificate={certificate} />}
      </div>
    </Card>
  );
}

function CertificateBlock({ certificate }: { certificate: CertificateInfo | null | undefined }) {
  const actions = useActions();
  const [importing, setImporting] = useState(false);
  const [regenerating, setRegenerating] = useState(false);

  if (certificate === undefined) return <p className="hint">Loading the certificate…</p>;

  const fingerprint = certificate ? formatFingerprint(certificate.fingerprint256) : null;
  return (
    <div className="cert">
      <div className="cert-head">
        <ShieldIcon className="cert-icon" />
        <div>
          <p className="cert-title">{certificate ? (certificate.generated ? 'Self-signed certificate' : 'Your certificate') : 'No certificate yet'}</p>
          <p className="hint">
            {certificate
              ? `Valid until ${new Date(certificate.notAfter).toLocaleDateString()}. Apps ask once whether to trust it — check that the fingerprint matches.`
              : 'One is made when sharing starts.'}
          </p>
        </div>
      </div>
      {fingerprint && (
        <div className="fingerprint-row">
          <span className="field-label">SHA-256 fingerprint</span>
          <div className="fingerprint-box">
            <code className="fingerprint">{fingerprint}</code>
            <IconButton label="Copy fingerprint" icon={<CopyIcon />} onClick={() => void actions.copy(fingerprint, 'Fingerprint')} />
          </div>
        </div>
      )}
      <div className="button-row">
        <Button
          icon={<RefreshIcon />}
          busy={regenerating}
          onClick={async () => {
            setRegenerating(true);
            await actions.regenerateCertificate();
            setRegenerating(false);
          }}
        >
          Make a new certificate
        </Button>
        <Button icon={<KeyIcon />} variant="ghost" aria-expanded={importing} onClick={() => setImporting(!importing)}>
          Use my own…
        </Button>
      </div>
      {importing && <ImportForm onDone={() => setImporting(false)} />}
    </div>
  );
}

function ImportForm({ onDone }: { onDone: () => void }) {
  const actions = useActions();
  const [certPath, setCertPath] = useState('');
  const [keyPath, setKeyPath] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const message = await actions.importCertificate(certPath.trim(), keyPath.trim());
    setBusy(false);
    if (message) setError(message);
    else onDone();
  };
  return (
    <form className="import-form stack" onSubmit={(e) => void submit(e)}>
      <div className="field-grid">
        <Field label="Certificate file (PEM)">
          {({ id }) => (
            <input id={id} className="input mono" value={certPath} spellCheck={false} placeholder="/path/to/cert.pem" onChange={(e) => setCertPath(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Private key file (PEM)">
          {({ id }) => (
            <input id={id} className="input mono" value={keyPath} spellCheck={false} placeholder="/path/to/key.pem" onChange={(e) => setKeyPath(e.currentTarget.value)} />
          )}
        </Field>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <Button type="submit" variant="primary" busy={busy} disabled={!certPath.trim() || !keyPath.trim()}>
          Import
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
