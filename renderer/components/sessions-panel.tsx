/**
 * Who is connected: a live table with a Disconnect button per session, each with its protocol
 * (an FTP app or a browser on the web page) and the program or device where known.
 */
import { memo, useRef } from 'react';
import { useActions, useSessions } from '../stores/context.js';
import { formatBytes } from '../format.js';
import { Elapsed } from './elapsed.js';
import { ArrowDownIcon, ArrowUpIcon, DisconnectIcon, LockIcon, UsersIcon } from './icons.js';
import { renderProbe } from './render-probe.js';
import { ProtocolBadge } from './protocol-badge.js';
import { Card, EmptyState } from './ui.js';
import { useWindowedRows } from './windowed-rows.js';

const COLUMNS = 7;

export function SessionsPanel() {
  const ids = useSessions((s) => s.ids);
  return (
    <div className="panel-body">
      <Card
        title={ids.length === 0 ? 'Connected' : `Connected (${ids.length})`}
        description="People signed in right now. Disconnecting lets them sign in again, unless you stop sharing."
      >
        {ids.length === 0 ? (
          <EmptyState icon={<UsersIcon size={32} />} title="No one is connected">
            <p>When someone opens the address from the Connect page, they show up here.</p>
          </EmptyState>
        ) : (
          <SessionsTable ids={ids} />
        )}
      </Card>
    </div>
  );
}

function SessionsTable({ ids }: { ids: string[] }) {
  const table = useRef<HTMLTableElement>(null);
  const { start, end, rowHeight } = useWindowedRows(ids.length, table);
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Sessions table">
      <table className="table sessions-table" ref={table} aria-rowcount={ids.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col">Client</th>
            <th scope="col" className="col-user">User</th>
            <th scope="col" className="col-since">Connected</th>
            <th scope="col" className="col-cwd">Folder</th>
            <th scope="col">Activity</th>
            <th scope="col" className="num col-bytes">Transferred</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {start > 0 && <Spacer height={start * rowHeight} />}
          {ids.slice(start, end).map((id, i) => (
            <SessionRowView key={id} id={id} index={start + i} />
          ))}
          {end < ids.length && <Spacer height={(ids.length - end) * rowHeight} />}
        </tbody>
      </table>
    </div>
  );
}

/** Stands in for rows outside the window, keeping the table's height. */
function Spacer({ height }: { height: number }) {
  return (
    <tr aria-hidden="true" className="spacer-row">
      <td colSpan={COLUMNS} style={{ height }} />
    </tr>
  );
}

const SessionRowView = memo(function SessionRowView({ id, index }: { id: string; index: number }) {
  const row = useSessions((s) => s.byId[id]);
  const actions = useActions();
  renderProbe.onRender?.('session', id);
  if (!row) return null;
  const encrypted = row.secureControl;
  return (
    <tr data-session-id={id} data-row aria-rowindex={index + 2}>
      <td>
        <span className="client-cell">
          {encrypted ? (
            <span className="lock" title={row.secureData ? 'Encrypted (commands and files)' : 'Encrypted (commands only)'}>
              <LockIcon size={14} aria-hidden="false" role="img" aria-label={row.secureData ? 'Encrypted' : 'Commands encrypted'} />
            </span>
          ) : null}
          <ProtocolBadge protocol={row.protocol} />
          <span className="mono" title={row.remoteAddress}>
            {row.remoteAddress}
          </span>
        </span>
        {row.client && (
          <span className="session-client-name" title={row.client}>
            {row.client}
          </span>
        )}
      </td>
      <td className="col-user">{row.user ?? <span className="subtle">—</span>}</td>
      <td className="nowrap col-since">
        <Elapsed since={row.connectedAt} />
      </td>
      <td className="col-cwd mono truncate" title={row.cwd}>
        {row.cwd}
      </td>
      <td className="truncate activity" title={row.activity}>
        {row.activity}
      </td>
      <td className="num nowrap col-bytes">
        <span className="bytes-pair">
          <span title="Downloaded by the client">
            <ArrowDownIcon size={12} /> {formatBytes(row.bytesOut)}
          </span>
          <span title="Uploaded by the client">
            <ArrowUpIcon size={12} /> {formatBytes(row.bytesIn)}
          </span>
        </span>
      </td>
      <td className="actions-cell">
        <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => void actions.kick(id)} aria-label={`Disconnect ${row.client ? `${row.client} at ` : ''}${row.remoteAddress}`}>
          <DisconnectIcon size={16} />
          <span>Disconnect</span>
        </button>
      </td>
    </tr>
  );
});
