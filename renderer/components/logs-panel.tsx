/**
 * The log: level filter, search, pause (hold new lines) and follow (stay at the newest), copy,
 * export as .txt, and clear — over a windowed list that stays fast at 20,000 lines.
 */
import { useDeferredValue, useMemo } from 'react';
import type { LogEntry, LogLevel } from '../../core/share/contract.js';
import { useActions, useApp, useLogs } from '../stores/context.js';
import { filterLogs } from '../stores/logs.js';
import { formatClock } from '../format.js';
import { CopyIcon, DownloadIcon, FollowIcon, PauseIcon, PlayIcon, SearchIcon, TrashIcon } from './icons.js';
import { Button } from './ui.js';
import { VirtualList } from './virtual-list.js';

/** Height of one log row, in px (also in the stylesheet as --log-row). */
export const LOG_ROW_HEIGHT = 26;

const LEVEL_CHOICES: { value: LogLevel; label: string }[] = [
  { value: 'debug', label: 'All, with debug' },
  { value: 'info', label: 'Info and above' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];

const LEVEL_TEXT: Record<LogLevel, string> = { debug: 'Debug', info: 'Info', warn: 'Warn', error: 'Error' };

/** One line of the exported text: ISO time, level, session, text. */
export function logLineText(e: LogEntry): string {
  return `${new Date(e.time).toISOString()} ${e.level.toUpperCase().padEnd(5)} ${e.sessionId ? `[${e.sessionId}] ` : ''}${e.text}`;
}

export function LogsPanel() {
  const actions = useActions();
  const { stores } = useApp();
  const entries = useLogs((s) => s.entries);
  const heldCount = useLogs((s) => s.held.length);
  const paused = useLogs((s) => s.paused);
  const follow = useLogs((s) => s.follow);
  const minLevel = useLogs((s) => s.minLevel);
  const search = useLogs((s) => s.search);
  const deferredSearch = useDeferredValue(search);
  const visible = useMemo(() => filterLogs(entries, minLevel, deferredSearch), [entries, minLevel, deferredSearch]);
  const logs = stores.logs.getState();

  const exportText = () => visible.map(logLineText).join('\n') + '\n';

  const download = () => {
    const blob = new Blob([exportText()], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `ftp-share-log-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.txt`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <div className="panel-body logs-panel">
      <div className="log-toolbar" role="toolbar" aria-label="Log tools">
        <div className="search-box">
          <SearchIcon size={16} className="search-icon" />
          <label htmlFor="log-search" className="visually-hidden">
            Search the log
          </label>
          <input
            id="log-search"
            type="search"
            className="input search-input"
            placeholder="Search"
            value={search}
            onChange={(e) => logs.setSearch(e.currentTarget.value)}
          />
        </div>
        <label htmlFor="log-level" className="visually-hidden">
          Level
        </label>
        <select id="log-level" className="input select level-select" value={minLevel} onChange={(e) => logs.setMinLevel(e.currentTarget.value as LogLevel)}>
          {LEVEL_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <div className="toolbar-group">
          <Button size="sm" variant={paused ? 'primary' : 'secondary'} aria-pressed={paused} icon={paused ? <PlayIcon size={16} /> : <PauseIcon size={16} />} onClick={() => logs.setPaused(!paused)}>
            {paused ? (heldCount > 0 ? `Resume (${heldCount} new)` : 'Resume') : 'Pause'}
          </Button>
          <Button size="sm" aria-pressed={follow} icon={<FollowIcon size={16} />} onClick={() => logs.setFollow(!follow)} className={follow ? 'is-on' : undefined}>
            Follow
          </Button>
        </div>
        <div className="toolbar-group">
          <Button size="sm" variant="ghost" icon={<CopyIcon size={16} />} disabled={visible.length === 0} onClick={() => void actions.copy(exportText(), 'Log')}>
            Copy
          </Button>
          <Button size="sm" variant="ghost" icon={<DownloadIcon size={16} />} disabled={visible.length === 0} onClick={download}>
            Export
          </Button>
          <Button size="sm" variant="ghost" icon={<TrashIcon size={16} />} disabled={entries.length === 0} onClick={() => void actions.clearLogs()}>
            Clear
          </Button>
        </div>
      </div>
      <p className="log-count" aria-live="polite">
        {visible.length === entries.length
          ? `${entries.length.toLocaleString()} line${entries.length === 1 ? '' : 's'}`
          : `Showing ${visible.length.toLocaleString()} of ${entries.length.toLocaleString()} lines`}
        {paused && ' · paused'}
      </p>
      {visible.length === 0 ? (
        <div className="log-empty">{entries.length === 0 ? 'No log lines yet.' : 'No lines match.'}</div>
      ) : (
        <VirtualList
          className="log-list"
          label="Log lines"
          items={visible}
          rowHeight={LOG_ROW_HEIGHT}
          follow={follow && !paused}
          onFollowChange={(f) => logs.setFollow(f)}
          renderRow={(e) => <LogRow key={e.id} entry={e} />}
        />
      )}
    </div>
  );
}

function LogRow({ entry }: { entry: LogEntry }) {
  return (
    <div className={`log-row level-${entry.level}`} data-log-id={entry.id}>
      <span className="log-time mono">{formatClock(entry.time)}</span>
      <span className={`log-level badge-${entry.level}`}>{LEVEL_TEXT[entry.level]}</span>
      <span className="log-session mono" title={entry.sessionId}>
        {entry.sessionId ?? ''}
      </span>
      <span className="log-text" title={entry.text}>
        {entry.text}
      </span>
    </div>
  );
}
