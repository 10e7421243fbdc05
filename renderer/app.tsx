/**
 * The window: a sidebar of panels (Share, Connect, Sessions, Transfers, Log), the panel, a status
 * bar, the connection banner, toasts and the confirmation dialog — all over one transport's stores.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Transport } from './api.js';
import { AccessCard } from './components/access-card.js';
import { ConfirmDialog } from './components/confirm-dialog.js';
import { ConnectPanel } from './components/connect-panel.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { DesktopCard, RecoveredCallout } from './components/desktop-card.js';
import { FoldersCard } from './components/folders-card.js';
import { ConnectIcon, LogsIcon, ShareIcon, TransfersIcon, UsersIcon } from './components/icons.js';
import { LogsPanel } from './components/logs-panel.js';
import { NetworkCard } from './components/network-card.js';
import { SecurityCard } from './components/security-card.js';
import { SessionsPanel } from './components/sessions-panel.js';
import { ShareStatusCard } from './components/share-status.js';
import { StatusBar } from './components/status-bar.js';
import { Toasts } from './components/toasts.js';
import { TransfersPanel } from './components/transfers-panel.js';
import { WebCard } from './components/web-card.js';
import { bindStores, createActions, createAppStores } from './stores/app-stores.js';
import { AppProvider, useLinkDown, useServer, useSessions, useTransfers, type AppContextValue } from './stores/context.js';

export type PanelId = 'share' | 'connect' | 'sessions' | 'transfers' | 'logs';

interface PanelDef {
  id: PanelId;
  label: string;
  title: string;
  subtitle: string;
  icon: ReactNode;
}

const PANELS: PanelDef[] = [
  { id: 'share', label: 'Share', title: 'Share', subtitle: 'Choose what to share and who can get in.', icon: <ShareIcon /> },
  { id: 'connect', label: 'Connect', title: 'Connect', subtitle: 'The address to open on the other device.', icon: <ConnectIcon /> },
  { id: 'sessions', label: 'Sessions', title: 'Sessions', subtitle: 'Who is connected right now.', icon: <UsersIcon /> },
  { id: 'transfers', label: 'Transfers', title: 'Transfers', subtitle: 'Files on their way, and the ones that arrived.', icon: <TransfersIcon /> },
  { id: 'logs', label: 'Log', title: 'Log', subtitle: 'Everything the server did, line by line.', icon: <LogsIcon /> },
];

/** Creates one window's stores over `transport` and renders it. */
export function App({ transport, initialPanel = 'share' }: { transport: Transport; initialPanel?: PanelId }) {
  const [value] = useState<AppContextValue>(() => {
    const stores = createAppStores(transport);
    return { stores, actions: createActions(transport.api, stores), connection: transport.connection };
  });
  useEffect(() => bindStores(transport, value.stores, value.actions), [transport, value]);
  return (
    <AppProvider value={value}>
      <Shell initialPanel={initialPanel} />
    </AppProvider>
  );
}

function Shell({ initialPanel }: { initialPanel: PanelId }) {
  const [panel, setPanel] = useState<PanelId>(initialPanel);
  const current = PANELS.find((p) => p.id === panel)!;
  return (
    <div className="app">
      <ConnectionBanner />
      <div className="app-body">
        <Sidebar panel={panel} onSelect={setPanel} />
        <main className="main">
          <div className="tabpanel" id={`panel-${panel}`} role="tabpanel" aria-labelledby={`tab-${panel}`}>
            <header className="panel-header">
              <h1 className="panel-title">{current.title}</h1>
              <p className="panel-subtitle">{current.subtitle}</p>
            </header>
            <div className="panel-scroll">
              {panel === 'share' && <SharePanel />}
              {panel === 'connect' && <ConnectPanel />}
              {panel === 'sessions' && <SessionsPanel />}
              {panel === 'transfers' && <TransfersPanel />}
              {panel === 'logs' && <LogsPanel />}
            </div>
          </div>
        </main>
      </div>
      <StatusBar />
      <Toasts />
      <ConfirmDialog />
    </div>
  );
}

function SharePanel() {
  return (
    <div className="panel-body">
      <RecoveredCallout />
      <ShareStatusCard />
      <FoldersCard />
      <AccessCard />
      <WebCard />
      <SecurityCard />
      <NetworkCard />
      <DesktopCard />
    </div>
  );
}

function Sidebar({ panel, onSelect }: { panel: PanelId; onSelect: (id: PanelId) => void }) {
  const refs = useRef<Partial<Record<PanelId, HTMLButtonElement | null>>>({});
  const sessions = useSessions((s) => s.ids.length);
  const active = useTransfers((s) => s.active.ids.length);
  const shareStatus = useServer((s) => s.state?.status ?? 'stopped');
  const status = useLinkDown() ? 'stopped' : shareStatus;
  const badges: Partial<Record<PanelId, number>> = { sessions, transfers: active };

  // Arrow keys move between tabs (and select them), as in every OS's tab list.
  const onKeyDown = (e: KeyboardEvent) => {
    const i = PANELS.findIndex((p) => p.id === panel);
    let next = i;
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') next = (i + 1) % PANELS.length;
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') next = (i - 1 + PANELS.length) % PANELS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = PANELS.length - 1;
    else return;
    e.preventDefault();
    const id = PANELS[next]!.id;
    onSelect(id);
    refs.current[id]?.focus();
  };

  return (
    <nav className="sidebar" aria-label="FTP Share">
      <div className="brand">
        <span className={`brand-mark brand-${status}`} aria-hidden="true">
          <ShareIcon size={18} />
        </span>
        <span className="brand-name">FTP Share</span>
      </div>
      <div role="tablist" aria-orientation="vertical" aria-label="Panels" className="tabs" onKeyDown={onKeyDown}>
        {PANELS.map((p) => {
          const badge = badges[p.id];
          return (
            <button
              key={p.id}
              ref={(el) => {
                refs.current[p.id] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${p.id}`}
              aria-selected={p.id === panel}
              aria-controls={`panel-${p.id}`}
              tabIndex={p.id === panel ? 0 : -1}
              className={p.id === panel ? 'tab selected' : 'tab'}
              title={p.label}
              onClick={() => onSelect(p.id)}
            >
              <span className="tab-icon">{p.icon}</span>
              <span className="tab-label">{p.label}</span>
              {badge !== undefined && badge > 0 && (
                <span className="tab-badge">
                  {badge}
                  <span className="visually-hidden"> {p.id === 'sessions' ? 'connected' : 'active'}</span>
                </span>
              )}
            </button>
          );
        })}
      </div>
    </nav>
  );
}
