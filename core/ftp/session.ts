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

/**
 * The session of each control socket (raw and TLS), for the socket listeners below: one function
 * per event shared by every session instead of a closure each, which an idle session would hold
 * (with their contexts, ~0.3-0.6 KiB per session).
 */
const sessionOfSocket = new WeakMap<net.Socket, Session>();

function ignoreError(): void {
  // 'close' follows; the session ends there.
}

export type TransferType = 'A' | 'I';

/**
 * One control connection: reads commands, keeps the login, directory, transfer parameters and TLS
 * state, and runs commands one at a time; those whose spec says `duringTransfer` also while a
 * transfer runs.
 */
export class Session {
  readonly remotePort: number;
  readonly openedAt = Date.now();

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
  /** Made on first use (most sessions idle, many never transfer): see `data`. */
  private dataChannel?: DataChannel;
  private ownAddress?: string;
  /** Lines that arrived while a command ran (a command arriving at an idle session runs at once). */
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
  private sleepers?: Set<() => void>;
  /** Reading is paused by us (queue full or replies unsent), see `updateReading`. */
  private readingHeld = false;
  /** Command-rate token bucket: tokens left and when they were last topped up (performance.now()). */
  private commandTokens: number;
  private commandTokensAt = performance.now();

  /** `remoteAddress` is the socket's, normalized (the server has it already for its per-address count). */
  constructor(
    readonly id: string,
    readonly server: ServerContext,
    socket: net.Socket,
    readonly remoteAddress: string = normalizeAddress(socket.remoteAddress),
  ) {
    this.rawSocket = socket;
    this.socket = socket;
    this.remotePort = socket.remotePort ?? 0;
    this.splitter = new LineSplitter(server.limits.maxCommandLineBytes);
    this.commandTokens = Math.max(1, server.limits.commandBurst);
    socket.setNoDelay(true);
    this.listenTo(socket);
  }

  /** The data connection of PASV/PORT and transfers. Made on first use; one made after close is disposed. */
  get data(): DataChannel {
    if (this.dataChannel) return this.dataChannel;
    const server = this.server;
    this.dataChannel = new DataChannel({
      peerAddress: this.remoteAddress,
      sameAddressOnly: server.limits.passiveModeSameAddressOnly,
      timeoutMs: server.limits.dataConnectionTimeoutMs,
      passivePorts: server.passivePorts,
      protection: () => (this.protectData && server.tls ? server.tls : undefined),
    });
    if (this.closed) this.dataChannel.dispose();
    return this.dataChannel;
  }

  /** This machine's address the client connected to (what PASV announces). Asked of the socket on first use. */
  get localAddress(): string {
    return (this.ownAddress ??= normalizeAddress(this.rawSocket.localAddress));
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
      this.socket.on('data', Session.onSocketData);
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
    this.pump();
  }

  /** Resolves after `ms`, or at once when the session closes (callers check `isClosed`). */
  wait(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    const sleepers = (this.sleepers ??= new Set());
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
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
    if (this.server.observed('reply')) {
      this.server.emit('reply', { sessionId: this.id, code, text: typeof text === 'string' ? text : text.join(' / ') });
    }
    if (this.socket.writableLength > MAX_UNSENT_REPLY_BYTES) this.updateReading();
  }

  /**
   * Pauses reading while commands pile up or replies go unread, resumes once both drained: the
   * client's own TCP window then holds what it sends, not our memory.
   */
  private updateReading(): void {
    if (this.closed) return;
    const hold = this.queue.length >= MAX_QUEUED_LINES || this.socket.writableLength > MAX_UNSENT_REPLY_BYTES;
    if (hold && !this.readingHeld) {
      this.readingHeld = true;
      this.socket.pause();
    } else if (!hold && this.readingHeld && this.queue.length < MAX_QUEUED_LINES / 2) {
      this.readingHeld = false;
      this.socket.resume();
    }
  }

  /** Listens to a control socket (the raw one, then the TLS one) through the shared listeners below. */
  private listenTo(socket: net.Socket): void {
    sessionOfSocket.set(socket, this);
    socket.on('error', ignoreError);
    socket.on('close', Session.onSocketClose);
    socket.on('drain', Session.onSocketDrain);
  }

  private static onSocketData(this: net.Socket, chunk: Buffer): void {
    sessionOfSocket.get(this)?.onData(chunk);
  }

  private static onSocketDrain(this: net.Socket): void {
    sessionOfSocket.get(this)?.updateReading();
  }

  private static onSocketClose(this: net.Socket): void {
    sessionOfSocket.get(this)?.close('connection closed');
  }

  private static onIdleTimeout(session: Session): void {
    // The idle timer never ends a session while bytes move; it waits a whole timeout again.
    if (session.transfer) {
      session.idleTimer?.refresh();
      return;
    }
    session.replyAndClose(421, 'Idle timeout, closing control connection', 'idle timeout');
  }

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
    if (this.sleepers) for (const wake of [...this.sleepers]) wake();
    this.transfer?.cancel(reason);
    // dispose, not reset: a PASV still binding when the client vanished closes its listener too.
    this.dataChannel?.dispose();
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
    this.dataChannel?.reset();
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
    this.socket.off('data', Session.onSocketData);
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
    this.listenTo(secure);
    secure.once('secure', () => {
      // Mutual TLS: Node leaves the certificate check to us on hand-made TLSSockets.
      const refused = settings.rejectUnauthorized ? peerCertificateError(secure) : undefined;
      if (refused) this.close(`TLS client certificate not accepted (${refused})`);
      else this.changed();
    });
    secure.on('data', Session.onSocketData);
    this.splitter = new LineSplitter(this.server.limits.maxCommandLineBytes);
    this.socket = secure;
    return secure;
  }

  /**
   * Called by transfer commands. The idle timer stays armed (one timer object for the session's
   * life, not one per transfer) but never closes the session while a transfer runs.
   */
  transferStarted(transfer: ActiveTransfer): void {
    this.transfer = transfer;
  }

  transferEnded(): void {
    this.transfer = undefined;
    this.restartIdleTimer();
  }

  private restartIdleTimer(): void {
    if (this.closed) return;
    // Every command lands here: re-arming the one timer costs less than a new one each time.
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    // A shared callback with the session as its argument: no closure held per idle session.
    this.idleTimer = setTimeout(Session.onIdleTimeout, this.server.limits.idleTimeoutMs, this);
    this.idleTimer.unref();
  }

  private onData(chunk: Buffer): void {
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
  }

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
    if (!this.running && this.queue.length === 0) return this.pump(command);
    this.queue.push(command);
    if (this.queue.length >= MAX_QUEUED_LINES) this.updateReading();
    if (!this.running) this.pump();
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

  /**
   * Runs `first` (or the first queued command) and those queued behind it, one at a time, until
   * the queue is empty. Commands that answer synchronously (most) run in this call, with no
   * promise or microtask; at the first that returns a promise, the rest waits for it.
   */
  private pump(first?: CommandLine): void {
    this.running = true;
    let next = first ?? this.queue.shift();
    while (next !== undefined && !this.closed && !this.quitting) {
      if (this.readingHeld) this.updateReading();
      const pending = this.execute(next);
      if (pending) {
        // execute never rejects: a handler's failure is answered with 451 there.
        void pending.then(() => this.pump());
        return;
      }
      next = this.queue.shift();
    }
    this.running = false;
  }

  /** Runs one command; returns a promise only when it did not finish synchronously. Never rejects. */
  private execute(command: CommandLine): Promise<void> | undefined {
    this.restartIdleTimer();
    if (this.server.observed('command')) {
      this.server.emit('command', {
        sessionId: this.id,
        command: command.verb,
        argument: command.verb === 'PASS' ? '***' : command.argument,
      });
    }
    // An address that failed to log in too often waits before every reply until it logs in
    // (see LoginThrottle); a logged-in session has proved its password and is not slowed.
    if (!this.grant) {
      const delay = this.server.replyDelayMs(this.remoteAddress);
      if (delay > 0) return this.wait(delay).then(() => (this.closed ? undefined : this.dispatch(command)));
    }
    return this.dispatch(command);
  }

  private dispatch(command: CommandLine): Promise<void> | undefined {
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
      const pending = spec.handler(this, command.argument, { restOffset, announcedSize, renameFrom });
      if (pending) return pending.catch((err: unknown) => this.handlerFailed(command, err));
    } catch (err) {
      this.handlerFailed(command, err);
    }
    return undefined;
  }

  private handlerFailed(command: CommandLine, err: unknown): void {
    // The client left while the command ran: nobody to answer, nothing went wrong here.
    if (this.closed) return;
    // A bug in a handler must not crash the process or leave the client waiting.
    this.server.emit('error', { code: 'command-failed', message: `${command.verb}: ${(err as Error).message}` });
    this.reply(451, 'Local error in processing');
  }
}
