/**
 * Makes the app's {@link ShareBackend}: core's ShareService over the settings store, with the
 * desktop as its host. The one place the shell meets the service's class.
 */
import type { SettingsStore } from '../core/share/settings-store.js';
import { ShareService, type ShareHost } from '../core/share/share-service.js';
import { defaultCertificateDir } from '../core/tls/index.js';
import type { ShareBackend } from './backend.js';

/** What {@link createShareBackend} needs. */
export interface ShareBackendOptions {
  store: SettingsStore;
  host: ShareHost;
  /** Where the FTPS certificate lives; defaults to the CLI's, `<config dir>/certificates`. */
  certificateDir?: string;
}

/** Creates the service and waits until its settings are loaded. */
export async function createShareBackend(options: ShareBackendOptions): Promise<ShareBackend> {
  const service = new ShareService({
    settingsStore: options.store,
    certificateDir: options.certificateDir ?? defaultCertificateDir(),
    host: options.host,
  });
  await service.ready();
  // Typed as the shell's interface: the compiler checks the service still fits it.
  const backend: ShareBackend = service;
  return backend;
}
