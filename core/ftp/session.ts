import type net from 'node:net';
import tls from 'node:tls';
import type { FileSystem } from '../fs/file-system.js';
import type { LoginGrant } from '../auth/authorizer.js';
import { LineSplitter, parseCommandLine, type CommandLine } from './parser.js';
import { formatReply } from './replies.js';
import { DataChannel } from './data-channel.js';
import { peerCertificateError } from './tls-contexts.js';
import { MLST_FACTS, type MlstFact } from './listing-format.js';
import { normalizeAddress } from './peer-address.js';
import type { ServerContext } from './server-context.js';
import type { ActiveTransfer } from './transfer-runner.js';
import { commandTable } from './commands/index.js';

/**
 * Commands waiting their turn at which reading from the client pauses (TCP backpressure), so a
 * client that pipelines faster than commands run can't grow memory; reading resumes at half.
 * A flood is told apart by its rate instead (`commandRatePerSecond`), so pipelining is no fault.
 */
const MAX_QUEUED_LINES = 64;
/** Unsent reply bytes at which reading pauses, so a client that never reads can't grow memory. */
const MAX_UNSENT_REPLY_BYTES = 1024 * 1024;

const ALL_MLST_FACTS: ReadonlySet<MlstFact> = new Set(MLST_FACTS);

export type TransferType = 'A' | 'I';

/**
 * One control connection: reads commands, keeps the login, directory, transfer parameters and TLS
 * state, and runs commands one at a time; those whose spec says `duringTransfer` also while a
 * transfer runs.
 */
export class Session {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly openedAt = Date.now();
  readonly data: DataChannel;

  /** The username given by USER, waiting for PASS. */
  pendingUser?: string;
  grant?: LoginGrant;
  cwd = '/';
  /**
   * Binary until the client asks for ASCII with TYPE A, unlike RFC 959's default: clients that
   * never send TYPE (Android apps on commons-net, Windows ftp.exe users who forget `binary`) would
   * otherwise get corrupted photos and APKs, as vsftpd's default avoids too.
   */
  type: TransferType = 'I';
  restOffset = 0;
  /** ALLO's byte count, for the next upload. */
  announcedSize?: number;
  renameFrom?: string;
  epsvAll = false;
  protectData = false;
  pbszDone = false;
  loginFailures = 0;
  /** Facts MLSD/MLST show (OPTS MLST replaces the set; the default is shared, never changed). */
  mlstFacts: ReadonlySet<MlstFact> = ALL_MLST_FACTS;
  hashAlgorithm: 'SHA-256' | 'SHA-1' | 'MD5' = 'SHA-256';
  transfer?: ActiveTransfer;
  bytesIn = 0;
  bytesOut = 0;

  private socket: net.Socket | tls.TLSSocket;
  private readonly rawSocket: net.Socket;
  private splitter: LineSplitter;
  private queue: CommandLine[] = [];
  private running = false;
  private closed = false;
  private quitting = false;
  /** Why `replyAndClose` is closing: reported instead of the 'connection closed' that follows the FIN. */
  private closingReason?: string;
  private idleTimer?: NodeJS.Timeout;
  /** The fallback close of `replyAndClose`, for a client that never reads the last reply. */
  private closeTimer?: NodeJS.Timeout;
  /** Pending `wait()`s: woken (resolved) at once when the session closes, so no timer outlives it. */
  private readonly sleepers = new Set<() => void>();
  /** Reading is paused by us (queue full or replies unsent), see `updateReading`. */
  private readingHeld = false;
  /** Command-rate token bucket: tokens left and when they were last topped up (performance.now()). */
  private commandTokens: number;
  private commandTokensAt = performance.now();

  constructor(
    readonly id: string,
    readonly server: ServerContext,
    socket: net.Socket,
  ) {
    this.rawSocket = socket;
    this.socket = socket;
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = normalizeAddress(socket.localAddress);
    this.splitter = new LineSplitter(server.limits.maxCommandLineBytes);
    this.commandTokens = Math.max(1, server.limits.commandBurst);
    this.data = new DataChannel({
      peerAddress: this.remoteAddress,
      sameAddressOnly: server.limits.passiveModeSameAddressOnly,
      timeoutMs: server.limits.dataConnectionTimeoutMs,
      passivePorts: server.passivePorts,
      protection: () => (this.protectData && server.tls ? server.tls : undefined),
    });
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // 'close' follows; the session ends there
    socket.on('close', () => this.close('connection closed'));
    socket.on('drain', this.updateReading);
  }

  /** True once TLS protects the control connection. */
  get controlSecure(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** The logged-in account's file system. Commands that need it run only after login. */
  get fs(): FileSystem {
    if (!this.grant) throw new Error('not logged in');
    return this.grant.fs;
  }

  get user(): string | undefined {
    return this.grant?.user;
  }

  /** Greets the client (after the TLS handshake in implicit mode). */
  start(): void {
    this.server.emit('session-opened', {
      sessionId: this.id,
      protocol: 'ftp',
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      secure: this.server.tls?.mode === 'implicit',
    });
    if (this.server.tls?.mode === 'implicit') {
      const secure = this.wrapControl();
      this.protectData = true;
      this.pbszDone = true;
      secure.once('secure', () => void this.greet());
      // A client that connects and never finishes the handshake would otherwise hold a
      // connection slot forever: the idle timeout runs from the first byte, not from the greeting.
      this.restartIdleTimer();
    } else {
      this.socket.on('data', this.onData);
      void this.greet();
    }
  }

  /**
   * Sends 220, late when the address is throttled for failed logins. Commands that arrive first
   * wait in the queue (`running` holds the pump), so the greeting is always the first reply.
   */
  private async greet(): Promise<void> {
    this.running = true;
    try {
      const delay = this.server.replyDelayMs(this.remoteAddress);
      if (delay > 0) await this.wait(delay);
      this.reply(220, this.server.greeting);
      this.restartIdleTimer();
    } finally {
      this.running = false;
    }
    void this.pump();
  }

  /** Resolves after `ms`, or at once when the session closes (callers check `isClosed`). */
  wait(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** True once the session is closed (after a `wait`, a command may find its client gone). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * True once the client can no longer read a reply: the session is closed, or the client's end of
   * the control connection has ended (its FIN was read; 'close' may not have followed yet).
   */
  get clientGone(): boolean {
    return this.closed || this.socket.readableEnded;
  }

  /** Sends a reply (multi-line when `text` is an array) and reports it. */
  reply(code: number, text: string | readonly string[]): void {
    // After our FIN (QUIT, a kick) nothing more can reach the client: writing would only fail.
    if (this.closed || this.socket.writableEnded) return;
    this.socket.write(formatReply(code, text));
    this.server.emit('reply', { sessionId: this.id, code, text: typeof text === 'string' ? text : text.join(' / ') });
    if (this.socket.writableLength > MAX_UNSENT_REPLY_BYTES) this.updateReading();
  }

  /**
   * Pauses reading while commands pile up or replies go unread, resumes once both drained: the
   * client's own TCP window then holds what it sends, not our memory.
   */
  private readonly updateReading = (): void => {
    if (this.closed) return;
    const hold = this.queue.length >= MAX_QUEUED_LINES || this.socket.writableLength > MAX_UNSENT_REPLY_BYTES;
    if (hold && !this.readingHeld) {
      this.readingHeld = true;
      this.socket.pause();
    } else if (!hold && this.readingHeld && this.queue.length < MAX_QUEUED_LINES / 2) {
      this.readingHeld = false;
      this.socket.resume();
    }
  };

  /** Replies, then closes the connection once the reply is flushed. */
  replyAndClose(code: number, text: string, reason: string): void {
    if (this.closed) return;
    this.reply(code, text);
    this.socket.end();
    // A client that never reads must not keep the session alive.
    this.closeTimer ??= setTimeout(() => this.close(reason), 2000);
    this.closeTimer.unref();
    this.quitting = true;
    this.closingReason ??= reason;
  }

  /** Tells the client the server is going away (421) and closes. */
  shutdown(): void {
    const goodbye = () => this.replyAndClose(421, 'Server is shutting down, closing control connection', 'server stopped');
    const transfer = this.transfer;
    if (!transfer) return goodbye();
    // No queued command may run any more; the transfer's own 426 goes out first, so that the
    // 421 is the last reply the client reads (written after end(), the 426 would be lost).
    this.quitting = true;
    transfer.cancel('server stopping');
    void transfer.done.then(goodbye);
  }

  /** Closes the session at once: kick, timeout, error, server stop. Idempotent. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    reason = this.closingReason ?? reason;
    clearTimeout(this.idleTimer);
    clearTimeout(this.closeTimer);
    for (const wake of [...this.sleepers]) wake();
    this.transfer?.cancel(reason);
    // dispose, not reset: a PASV still binding when the client vanished closes its listener too.
    this.data.dispose();
    this.queue = [];
    this.socket.destroy();
    this.rawSocket.destroy();
    if (this.grant) this.server.emit('logout', { sessionId: this.id, user: this.grant.user });
    this.server.emit('session-closed', { sessionId: this.id, reason });
    this.server.sessionEnded(this);
  }

  /** Logs in with a grant from the authorizer. */
  loggedIn(grant: LoginGrant): void {
    this.grant = grant;
    this.pendingUser = undefined;
    this.cwd = '/';
    this.server.emit('login', { sessionId: this.id, user: grant.user });
    this.changed();
  }

  /** Back to the state after the greeting (REIN, AUTH TLS). TLS on the control connection stays. */
  resetLogin(): void {
    if (this.grant) this.server.emit('logout', { sessionId: this.id, user: this.grant.user });
    this.grant = undefined;
    this.pendingUser = undefined;
    this.cwd = '/';
    this.type = 'I';
    this.restOffset = 0;
    this.announcedSize = undefined;
    this.renameFrom = undefined;
    this.epsvAll = false;
    this.data.reset();
  }

  /** Reports cwd/TLS changes for the app's session table. */
  changed(): void {
    this.server.emit('session-changed', {
      sessionId: this.id,
      cwd: this.cwd,
      security: { control: this.controlSecure, data: this.protectData },
    });
  }

  /** Starts TLS on the control connection after `234` (AUTH TLS). Buffered plaintext is discarded. */
  upgradeToTls(): void {
    this.socket.off('data', this.onData);
    // Lines sent in clear after AUTH must not run inside the TLS session (STARTTLS command injection).
    this.queue = [];
    if (this.readingHeld) {
      this.readingHeld = false;
      this.socket.resume();
    }
    this.wrapControl();
    this.resetLogin();
  }

  private wrapControl(): tls.TLSSocket {
    const settings = this.server.tls!;
    const secure = new tls.TLSSocket(this.rawSocket, {
      isServer: true,
      secureContext: settings.secureContext,
      requestCert: settings.requestCert,
      rejectUnauthorized: settings.rejectUnauthorized,
    });
    secure.on('error', () => this.close('TLS error'));
    secure.on('close', () => this.close('connection closed'));
    secure.once('secure', () => {
      // Mutual TLS: Node leaves the certificate check to us on hand-made TLSSockets.
      const refused = settings.rejectUnauthorized ? peerCertificateError(secure) : undefined;
      if (refused) this.close(`TLS client certificate not accepted (${refused})`);
      else this.changed();
    });
    secure.on('data', this.onData);
    secure.on('drain', this.updateReading);
    this.splitter = new LineSplitter(this.server.limits.maxCommandLineBytes);
    this.socket = secure;
    return secure;
  }

  /** Called by transfer commands: the idle timer never fires while bytes move. */
  transferStarted(transfer: ActiveTransfer): void {
    this.transfer = transfer;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  transferEnded(): void {
    this.transfer = undefined;
    this.restartIdleTimer();
  }

  private restartIdleTimer(): void {
    if (this.closed || this.transfer) return;
    // Every command lands here: re-arming the one timer costs less than a new one each time.
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.replyAndClose(421, 'Idle timeout, closing control connection', 'idle timeout');
    }, this.server.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.quitting) return;
    const splitter = this.splitter;
    for (const event of splitter.push(chunk)) {
      if (event.kind === 'too-long') {
        this.replyAndClose(500, 'Command line too long', 'command line too long');
        return;
      }
      this.onLine(event.line);
      // A flood, a too-long line or QUIT ended the session: the rest of the chunk is not read.
      if (this.quitting || this.closed) return;
      // AUTH TLS ran synchronously and replaced the splitter: the rest of this clear-text chunk
      // was sent before the handshake and must not run inside TLS (STARTTLS command injection,
      // CVE-2011-0411 in Postfix; RFC 4217 §4 has the client wait for 234).
      if (this.splitter !== splitter) return;
    }
  };

  private onLine(line: string): void {
    // Every line counts, empty ones too: a flood of bare CRLFs costs as much to split.
    if (!this.takeCommandToken()) {
      this.queue = [];
      this.replyAndClose(421, 'Too many commands, closing control connection', 'command flood');
      return;
    }
    const command = parseCommandLine(line);
    if (command.verb === '') return;
    if (this.running && this.transfer && commandTable[command.verb]?.duringTransfer) {
      void this.execute(command);
      return;
    }
    this.queue.push(command);
    if (this.queue.length >= MAX_QUEUED_LINES) this.updateReading();
    void this.pump();
  }

  /**
   * Token bucket of the command rate: `commandBurst` tokens, refilled at `commandRatePerSecond`.
   * Constant memory and no timer; false means the client sends faster than the limit.
   */
  private takeCommandToken(): boolean {
    const { commandRatePerSecond: rate, commandBurst: burst } = this.server.limits;
    if (!(rate > 0)) return true;
    const now = performance.now();
    this.commandTokens = Math.min(Math.max(1, burst), this.commandTokens + ((now - this.commandTokensAt) * rate) / 1000);
    this.commandTokensAt = now;
    if (this.commandTokens < 1) return false;
    this.commandTokens -= 1;
    return true;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed && !this.quitting) {
        const next = this.queue.shift()!;
        if (this.readingHeld) this.updateReading();
        await this.execute(next);
      }
    } finally {
      this.running = false;
    }
  }

  private async execute(command: CommandLine): Promise<void> {
    this.restartIdleTimer();
    this.server.emit('command', {
      sessionId: this.id,
      command: command.verb,
      argument: command.verb === 'PASS' ? '***' : command.argument,
    });
    // An address that failed to log in too often waits before every reply until it logs in
    // (see LoginThrottle); a logged-in session has proved its password and is not slowed.
    if (!this.grant) {
      const delay = this.server.replyDelayMs(this.remoteAddress);
      if (delay > 0) await this.wait(delay);
      if (this.closed) return;
    }
    const spec = commandTable[command.verb];
    if (!spec) {
      this.reply(502, `Command "${command.verb.slice(0, 16)}" not implemented`);
      return;
    }
    if (!this.grant && !spec.beforeLogin) {
      this.reply(530, 'Please log in with USER and PASS first');
      return;
    }
    if (spec.needsArgument && command.argument.trim() === '') {
      this.reply(501, `Syntax error: ${command.verb} needs an argument`);
      return;
    }
    // REST's offset and ALLO's size reach the next command that is not `keepsRestOffset` and end
    // there; RNFR's name reaches the next command only.
    const restOffset = this.restOffset;
    const announcedSize = this.announcedSize;
    const renameFrom = this.renameFrom;
    if (!spec.keepsRestOffset) {
      this.restOffset = 0;
      this.announcedSize = undefined;
    }
    this.renameFrom = undefined;
    try {
      // Most handlers answer synchronously: awaiting only a promise saves a microtask per command.
      const pending = spec.handler(this, command.argument, { restOffset, announcedSize, renameFrom });
      if (pending) await pending;
    } catch (err) {
      // The client left while the command ran: nobody to answer, nothing went wrong here.
      if (this.closed) return;
      // A bug in a handler must not crash the process or leave the client waiting.
      this.server.emit('error', { code: 'command-failed', message: `${command.verb}: ${(err as Error).message}` });
      this.reply(451, 'Local error in processing');
    }
  }
}
