/**
 * "Can others reach me?": a card in the Connect panel that runs the share's reachability check and
 * lists what it found, problems first, each with its fix (words, or a command to copy) and, where
 * the check offers one, a button that opens the OS settings page. Nothing is changed for the user.
 * When sharing has run {@link OFFER_TROUBLESHOOT_AFTER_MS} with nobody connected, a banner offers it.
 */
import { useId, useState } from 'react';
import type { ReachabilityFinding, ReachabilityReport } from '../../core/share/contract.js';
import { useActions, useClock, useServer } from '../stores/context.js';
import { Button, Callout, Card } from './ui.js';

/** How long sharing runs with no session before the window offers the check (ms). */
export const OFFER_TROUBLESHOOT_AFTER_MS = 3 * 60_000;

const STATUS_TEXT: Record<ReachabilityFinding['status'], string> = { problem: 'Problem', unknown: 'Check', ok: 'OK' };

/** Whether sharing has run long enough with nobody connected that the check should be offered. */
export function useTroubleshootOffered(): boolean {
  const startedAt = useServer((s) => (s.state?.status === 'running' ? s.state.startedAt : undefined));
  const nobody = useServer((s) => (s.state?.sessionCount ?? 0) === 0);
  const due = useClock((c) => startedAt !== undefined && c.now - startedAt >= OFFER_TROUBLESHOOT_AFTER_MS);
  return nobody && due;
}

function FindingItem({ finding }: { finding: ReachabilityFinding }) {
  const actions = useActions();
  const isCommand = finding.fix !== undefined && /^(sudo |New-NetFirewallRule )/.test(finding.fix);
  return (
    <li className={`finding finding-${finding.status}`}>
      <p className="finding-title">
        <span className={`finding-badge finding-badge-${finding.status}`}>{STATUS_TEXT[finding.status]}</span> {finding.title}
      </p>
      <p className="finding-detail">{finding.detail}</p>
      {finding.fix !== undefined &&
        (isCommand ? (
          <p className="finding-fix">
            Run: <code className="mono">{finding.fix}</code>{' '}
            <Button size="sm" variant="ghost" onClick={() => void actions.copy(finding.fix!, 'The command')}>
              Copy command
            </Button>
          </p>
        ) : (
          <p className="finding-fix">{finding.fix}</p>
        ))}
      {finding.action?.kind === 'open-settings' && (
        <Button size="sm" onClick={() => window.open(finding.action!.target)}>
          {finding.action.label}
        </Button>
      )}
    </li>
  );
}

export function TroubleshootCard() {
  const actions = useActions();
  const offered = useTroubleshootOffered();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ReachabilityReport | undefined>();
  const [error, setError] = useState<string | undefined>();
  const listId = useId();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    const r = await actions.checkReachability();
    setBusy(false);
    if (r.ok) setReport(r.value);
    else setError(r.message);
  };
  const problems = report?.findings.filter((f) => f.status === 'problem').length ?? 0;
  return (
    <Card title="Troubleshoot" description="Checks why other devices might not get through. Nothing is changed without you." className="troubleshoot-card">
      {offered && !report && (
        <Callout tone="info" title="Nobody has connected yet">
          <p>Sharing has run a few minutes with no connection. Check whether others can reach this computer.</p>
        </Callout>
      )}
      <Button variant={offered && !report ? 'primary' : 'secondary'} busy={busy} disabled={busy} onClick={() => void run()} aria-controls={listId}>
        {busy ? 'Checking…' : 'Can others reach me?'}
      </Button>
      {error !== undefined && (
        <p role="alert" className="finding-error">
          {error}
        </p>
      )}
      <div id={listId} aria-live="polite">
        {report && (
          <>
            <p className="finding-summary">
              {problems === 0 ? 'No problem found on this computer.' : `${problems} problem${problems === 1 ? '' : 's'} found.`}
              {report.address !== undefined ? ` Checked ${report.address}.` : ''}
            </p>
            <ul className="finding-list" aria-label="Findings">
              {report.findings.map((f) => (
                <FindingItem key={f.id} finding={f} />
              ))}
            </ul>
          </>
        )}
      </div>
    </Card>
  );
}
