import net from 'node:net';
import tls from 'node:tls';
import { constants as cryptoConstants, randomBytes } from 'node:crypto';
import type { TlsOptions } from './options.js';
import type { ServerEvents } from './events.js';
import type { SessionTls } from './server-context.js';
import { buildSecureContextOptions } from '../tls/tls-policy.js';

/**
 * The TLS contexts of FTPS sessions: the control connections' context, the data connections'
 * context (resumes the control sessions, issues no tickets), the probe that tells whether the TLS
 * library really issues none, and the check of a client certificate on the TLSSockets the sessions
 * make by hand.
 */

/**
 * Builds what sessions need for TLS from the server's options. `warn` hears when data connections
 * can't be kept free of session tickets (see {@link withoutDataTickets}). Throws when the
 * certificate or key can't be used.
 *
 * Control and data contexts share one session ID context: OpenSSL refuses to resume a session
 * without one when it verifies client certificates (SSL_R_SESSION_ID_CONTEXT_UNINITIALIZED, an
 * "internal error" alert), and tls.Server sets one by itself while bare TLSSockets on
 * createSecureContext don't. test/ftps/policies.test.ts ('mutual TLS') transfers with curl, which
 * resumes, under a client CA.
 */
export async function buildSessionTls(options: TlsOptions, warn: (warning: ServerEvents['warning']) => void): Promise<SessionTls> {
  const built = buildSecureContextOptions({ cert: options.cert, key: options.key, ...(options.clientCa ? { clientCa: options.clientCa } : {}) });
  const contextOptions: tls.SecureContextOptions = { ...built.contextOptions, sessionIdContext: 'ftp-share', ...options.secureContext };
  const secureContext = tls.createSecureContext(contextOptions);
  const dataSecureContext = await withoutDataTickets(createDataSecureContext(contextOptions, secureContext), contextOptions, warn);
  const implicit = options.mode === 'implicit';
  return {
    mode: options.mode,
    secureContext,
    dataSecureContext,
    requestCert: built.requestCert,
    rejectUnauthorized: built.rejectUnauthorized,
    requireTls: implicit || (options.requireTls ?? false),
    requireEncryptedData: implicit || (options.requireEncryptedData ?? false),
    requireSessionReuse: options.requireSessionReuse ?? false,
  };
}

/** Node's native secure context: the undocumented ticket-key hooks used below. */
interface NativeTicketContext {
  getTicketKeys(): Buffer;
  enableTicketKeyCallback?: () => void;
  onticketkeycallback?: (name: Buffer, iv: Buffer, encrypt: boolean) => unknown[];
}

/**
 * Builds the secure context of data connections: it resumes the control connection's TLS
 * sessions (same ticket keys) but issues no session tickets of its own.
 *
 * Why: TLS 1.3 servers send NewSessionTicket messages after the handshake. A client that only
 * writes on the data connection (an upload) never reads them, and when it closes a socket with
 * unread bytes the kernel sends a TCP reset instead of a FIN and throws away whatever it had
 * not sent yet: the upload is cut short. Go clients (rclone, jlaffaye/ftp) lose uploads this way
 * against servers that send tickets (vsftpd, pyftpdlib), which still answer 226; libuv reports
 * the reset as a clean EOF, so the server can't tell.
 *
 * Node has no `SSL_CTX_set_num_tickets`, and `SSL_OP_NO_TICKET` does not help: in TLS 1.3
 * OpenSSL then sends stateful tickets instead and refuses to resume the control session's
 * stateless ones. What works is OpenSSL's ticket-key callback: returning 0 when asked to encrypt
 * a ticket makes OpenSSL ≥ 3.0 skip the TLS 1.3 NewSessionTicket (TLS 1.2 gets an empty ticket
 * inside the handshake, which the client reads before its Finished), while decrypting with the
 * control context's keys keeps resumption working (curl, FileZilla and rclone resume; vsftpd's
 * require_ssl_reuse depends on it). A resumed handshake never sends a ticket anyway, as Node's
 * own callback does not ask for renewal.
 *
 * The callback is Node's internal `onticketkeycallback` hook (there since io.js 3, used by
 * Node's own tests); where it is missing, the data context falls back to sharing the control
 * context's keys, which resumes but sends tickets on fresh handshakes. BoringSSL (Electron)
 * ignores a 0 from this callback and still sends the ticket.
 *
 * Held by test/ftps/ticket-probe.test.ts and test/ftps/protocol.test.ts ('data connections carry
 * no TLS session tickets').
 */
export function createDataSecureContext(options: tls.SecureContextOptions, control: tls.SecureContext): tls.SecureContext {
  const data = tls.createSecureContext(options);
  const own = data.context as NativeTicketContext;
  const controlNative = control.context as NativeTicketContext;
  // Read at each handshake, so keys set later on the control context (setTicketKeys) still match.
  const controlKeys = () => {
    const keys = controlNative.getTicketKeys();
    return { name: keys.subarray(0, 16), hmac: keys.subarray(16, 32), aes: keys.subarray(32, 48) };
  };
  if (typeof own.enableTicketKeyCallback !== 'function') {
    (data.context as { setTicketKeys(keys: Buffer): void }).setTicketKeys(controlNative.getTicketKeys());
    return data;
  }
  own.enableTicketKeyCallback();
  // The array is Node's contract: [result, hmacKey, aesKey, keyName, iv] (name and iv on encrypt).
  own.onticketkeycallback = (name, _iv, encrypt) => {
    const keys = controlKeys();
    if (encrypt) return [0, keys.hmac, keys.aes, keys.name, randomBytes(16)];
    return [name.equals(keys.name) ? 1 : 0, keys.hmac, keys.aes];
  };
  return data;
}

/**
 * Makes sure data connections send no TLS session tickets (see {@link createDataSecureContext}).
 * Where the TLS library ignores the ticket callback (BoringSSL in Electron), `SSL_OP_NO_TICKET` is
 * the fallback: no tickets, at the price of data-connection resumption. If tickets still flow, a
 * warning says so instead of failing silently.
 */
async function withoutDataTickets(
  data: tls.SecureContext,
  options: tls.SecureContextOptions,
  warn: (warning: ServerEvents['warning']) => void,
): Promise<tls.SecureContext> {
  try {
    if ((await countFreshTickets(data)) === 0) return data;
    const noTickets = tls.createSecureContext({ ...options, secureOptions: (options.secureOptions ?? 0) | cryptoConstants.SSL_OP_NO_TICKET });
    if ((await countFreshTickets(noTickets)) === 0) {
      warn({ code: 'tls-no-resumption', message: 'FTPS data connections cannot resume the control session with this TLS library; clients that require resumption may refuse transfers' });
      return noTickets;
    }
  } catch {
    // A probe that can't run proves nothing either way: report it like tickets that still flow.
  }
  warn({ code: 'tls-data-tickets', message: 'FTPS data connections send TLS session tickets here; uploads from some clients (rclone) may be cut short' });
  return data;
}

/**
 * Counts the TLS session tickets a server context sends on a fresh TLS 1.3 handshake, measured
 * over a loopback connection to itself. Whether the TLS library honours the data context's
 * callback can only be known by asking it: Node's OpenSSL does, Electron's BoringSSL may not.
 */
export async function countFreshTickets(context: tls.SecureContext, timeoutMs = 3000): Promise<number> {
  const server = net.createServer((raw) => {
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
    secure.on('error', () => secure.destroy());
    secure.once('secure', () => secure.end('x'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  try {
    return await new Promise<number>((resolve, reject) => {
      let tickets = 0;
      const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
      const timer = setTimeout(() => {
        client.destroy();
        reject(new Error('TLS ticket probe timed out'));
      }, timeoutMs);
      client.on('session', () => tickets++);
      // Node reports tickets asynchronously; by the server's close they have all been counted.
      client.resume();
      client.once('close', () => {
        clearTimeout(timer);
        resolve(tickets);
      });
      client.once('error', (err) => {
        clearTimeout(timer);
        client.destroy();
        reject(err);
      });
    });
  } finally {
    server.close();
  }
}

/**
 * Why a TLS client's certificate is not accepted (OpenSSL's verify error code), or undefined
 * when it is.
 *
 * `rejectUnauthorized` is enforced by `tls.Server` only: on a TLSSocket made by hand, as the
 * sessions make them on sockets they already own, Node's verify callback lets every certificate
 * through and keeps OpenSSL's verdict in the handle. So the sessions read the verdict here, where
 * tls.Server reads it (`_handle.verifyError()`), on control and data connections alike, and refuse
 * when it can't be read. Held by test/ftps/policies.test.ts ('mutual TLS': another CA's
 * certificate is refused on the control and on the data connection).
 */
export function peerCertificateError(socket: tls.TLSSocket): string | undefined {
  const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  if (typeof handle?.verifyError !== 'function') return 'certificate verdict unavailable';
  const error = handle.verifyError();
  return error ? ((error as NodeJS.ErrnoException).code ?? error.message) : undefined;
}
