/**
 * FTP Share's core as a library: the FTP/FTPS server, file-system backends, authorizers and
 * certificate helpers. No Electron or DOM imports live below this folder.
 */
export { FtpServer, FtpServerError, type ListeningInfo, type SessionSnapshot } from './ftp/server.js';
export type { FtpServerOptions, TlsOptions, BandwidthLimits } from './ftp/options.js';
export type { ServerEvents, ServerEventName, TransferInfo, TransferDirection, SessionSecurity } from './ftp/events.js';
export type { Authorizer, LoginContext, LoginGrant } from './auth/authorizer.js';
export { SimpleAuthorizer, MultiAccountAuthorizer, type Account } from './auth/simple-authorizer.js';
export * from './fs/index.js';
export * from './tls/index.js';
export { defaults } from './defaults.js';
