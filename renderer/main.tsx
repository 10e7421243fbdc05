/**
 * Entry point: picks the transport (Electron preload or the web host's WebSocket) and renders.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createTransport } from './api.js';
import { App } from './app.js';
import './styles.css';

const transport = createTransport();
window.addEventListener('pagehide', () => transport.close());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App transport={transport} />
  </StrictMode>,
);
