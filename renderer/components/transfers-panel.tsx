/**
 * Transfers: the running ones with progress, speed and time left (one row re-renders per tick),
 * the finished ones with their result, and the totals.
 */
import { memo } from 'react';
import type { TransferRow } from '../../core/share/contract.js';
import { useActions, useTransfers } from '../stores/context.js';
import { baseName, formatBytes, formatDuration, formatShortTime, formatSpeed } from '../format.js';
import { ArrowDownIcon, ArrowUpIcon, LockIcon, TransfersIcon } from './icons.js';
import { ProtocolBadge } from './protocol-badge.js';
import { renderProbe } from './render-probe.js';
import { Button, Card, EmptyState } from './ui.js';

export function TransfersPanel() {
  return (
    <div className="panel-body">
      <Totals />
      <ActiveTransfers />
      <FinishedTransfers />
    </div>
  );
}

function Totals() {
  const totals = useTransfers((s) => s.totals);
  const throughput = useTransfers((s) => s.throughput);
  return (
    <dl className="stats" aria-label="Totals">
      <div className="stat">
        <dt>Sent</dt>
        <dd>{formatBytes(totals.downloadedBytes)}</dd>
      </div>
      <div className="stat">
        <dt>Received</dt>
        <dd>{formatBytes(totals.uploadedBytes)}</dd>
      </div>
      <div className="stat">
        <dt>Completed</dt>
        <dd>{totals.completed}</dd>
      </div>
      <div className="stat">
        <dt>Failed</dt>
        <dd className={totals.failed > 0 ? 'text-error' : undefined}>{totals.failed}</dd>
      </div>
      <div className="stat">
        <dt>Speed now</dt>
        <dd>{formatSpeed(throughput.down + throughput.up)}</dd>
      </div>
    </dl>
  );
}

function ActiveTransfers() {
  const ids = useTransfers((s) => s.active.ids);
  return (
    <Card title={ids.length === 0 ? 'In progress' : `In progress (${ids.length})`}>
      {ids.length === 0 ? (
        <p className="card-body hint">Nothing is being transferred right now.</p>
      ) : (
        <ul className="transfer-list" aria-label="Transfers in progress">
          {ids.map((id) => (
            <ActiveTransferRow key={id} id={id} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function Direction({ row }: { row: Pick<TransferRow, 'direction'> }) {
  return row.direction === 'download' ? (
    <span className="direction down" title="Download: sent to the client">
      <ArrowDownIcon size={16} />
      <span className="visually-hidden">Download</span>
    </span>
  ) : (
    <span className="direction up" title="Upload: received from the client">
      <ArrowUpIcon size={16} />
      <span className="visually-hidden">Upload</span>
    </span>
  );
}

const ActiveTransferRow = memo(function ActiveTransferRow({ id }: { id: string }) {
  const row = useTransfers((s) => s.active.byId[id]);
  renderProbe.onRender?.('transfer', id);
  if (!row) return null;
  const fraction = row.size ? Math.min(1, row.bytes / row.size) : undefined;
  const name = baseName(row.path);
  return (
    <li className="transfer-row" data-transfer-id={id}>
      <Direction row={row} />
      <div className="transfer-main">
        <div className="transfer-line">
          <span className="transfer-name" title={row.path}>
            {name}
          </span>
          {row.secure && <LockIcon size={13} className="subtle" aria-hidden="false" role="img" aria-label="Encrypted" />}
          <span className="transfer-client">
            <ProtocolBadge protocol={row.protocol} /> <span className="mono">{row.remoteAddress}</span>
          </span>
        </div>
        <div
          className={fraction === undefined ? 'progress indeterminate' : 'progress'}
          role="progressbar"
          aria-label={`${row.direction === 'download' ? 'Sending' : 'Receiving'} ${name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={fraction === undefined ? undefined : Math.floor(fraction * 100)}
        >
          <div className="progress-fill" style={{ width: fraction === undefined ? undefined : `${fraction * 100}%` }} />
        </div>
        <div className="transfer-meta">
          <span>
            {formatBytes(row.bytes)}
            {row.size !== undefined && ` of ${formatBytes(row.size)}`}
          </span>
          <span>{formatSpeed(row.bytesPerSecond)}</span>
          {row.etaMs !== undefined && <span>{row.etaMs < 1_000 ? 'Almost done' : `${formatDuration(row.etaMs)} left`}</span>}
        </div>
      </div>
    </li>
  );
});

const RESULT_TEXT = { done: 'Done', aborted: 'Cancelled', failed: 'Failed' } as const;

function FinishedTransfers() {
  const actions = useActions();
  const finished = useTransfers((s) => s.finished);
  return (
    <Card
      title="History"
      actions={
        finished.length > 0 ? (
          <Button size="sm" variant="ghost" onClick={() => void actions.clearFinishedTransfers()}>
            Clear history
          </Button>
        ) : undefined
      }
    >
      {finished.length === 0 ? (
        <EmptyState icon={<TransfersIcon size={28} />} title="No finished transfers yet" />
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Finished transfers table">
          <table className="table history-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Direction</span>
                </th>
                <th scope="col">File</th>
                <th scope="col" className="col-client">Client</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Result</th>
                <th scope="col" className="num col-finished">Finished</th>
              </tr>
            </thead>
            <tbody>
              {finished.map((row) => (
                <tr key={row.transferId} data-transfer-id={row.transferId}>
                  <td className="dir-cell">
                    <Direction row={row} />
                  </td>
                  <td className="file-cell" title={row.path}>
                    <span className="file-name">{baseName(row.path)}</span>
                    <span className="file-dir">{row.path}</span>
                  </td>
                  <td className="col-client">
                    <span className="client-cell">
                      <ProtocolBadge protocol={row.protocol} />
                      <span className="mono">{row.remoteAddress}</span>
                    </span>
                  </td>
                  <td className="num nowrap">{formatBytes(row.bytes)}</td>
                  <td>
                    <span className={`result result-${row.result ?? 'done'}`} title={row.reason}>
                      {RESULT_TEXT[row.result ?? 'done']}
                    </span>
                    {row.reason && row.result !== 'done' && (
                      <span className="result-reason" title={row.reason}>
                        {row.reason}
                      </span>
                    )}
                  </td>
                  <td className="num nowrap col-finished">{row.finishedAt ? formatShortTime(row.finishedAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
