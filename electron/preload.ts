/**
 * The preload of the app window. Runs sandboxed (no Node), so scripts/build-electron.mjs bundles
 * it into one self-contained CommonJS file whose only `require` is 'electron'.
 *
 * It exposes `window.ftpShare` (contract.ts's `FtpShareApi`) through the context bridge, and
 * nothing else: no `ipcRenderer`, no Node.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createFtpShareApi } from './preload-api.js';

contextBridge.exposeInMainWorld('ftpShare', createFtpShareApi(ipcRenderer));
