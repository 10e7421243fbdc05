import { PassThrough } from 'node:stream';
import type { CommandTable, CarriedState } from './command.js';
import { replyRefusal, resolvePath } from './command.js';
import type { Session } from '../session.js';
import type { UploadMode } from '../../fs/file-system.js';
import { ActiveTransfer, throttleFor } from '../transfer-runner.js';
import { openToSend, sendFile } from '../../fs/file-pump.js';
import { pacer } from '../../net/throttle.js';
import { readFileStream } from '../../fs/file-stream.js';
import { LfToCrlf, CrlfToLf } from '../ascii.js';
import { parseRestOffset } from '../arguments.js';

/** RETR STOR APPE STOU REST ABOR (RFC 959, RFC 1123 for STOU, RFC 3659 for REST STREAM). */

/**
 * Checks what every data command needs before anything touches the disk: a prepared data
 * connection and, under the encryption policy, PROT P. Replies and returns false when refused.
 */
export function dataCommandAllowed(session: Session): boolean {
  const tls = session.server.tls;
  if (tls && (tls.requireEncryptedData || tls.mode === 'implicit') && !session.protectData) {
    refuseData(session, 521, 'Data connections must be encrypted: send PBSZ 0 and PROT P first');
    return false;
  }
  if (!session.data.prepared) {
    session.reply(425, 'Use PORT, PASV or EPSV first');
    return false;
  }
  return true;
}

/**
 * Refuses a data command whose data connection may already be open, and closes that connection:
 * no stray 226 follows. The reply goes first: a client that takes whichever comes first (basic-ftp)
 * would otherwise see the connection end, or reset while still in the listener's backlog, instead
 * of the refusal.
 */
export function refuseData(session: Session, code: number, text: string): void {
  session.reply(code, text);
  session.data.reset();
}

/** refuseData with the reply a file-system error maps to, reported as {@link replyRefusal} does. */
export function refuseDataCommand(session: Session, err: unknown, context: 'read' | 'write', write?: Parameters<typeof replyRefusal>[3]): void {
  replyRefusal(session, err, context, write);
  session.data.reset();
}

function modeName(session: Session): string {
  return session.type === 'A' ? 'ASCII' : 'BINARY';
}

async function retrieve(session: Session, argument: string, carried: CarriedState): Promise<void> {
  if (!dataCommandAllowed(session)) return;
  const path = resolvePath(session, argument);
  if (path === undefined) return session.data.reset();
  const start = carried.restOffset;
  const binary = session.type === 'I';
  const opened = binary ? openToSend(session.fs, path, start) : session.fs.openRead(path);
  const file = await opened.catch((err: unknown) => void refuseDataCommand(session, err, 'read'));
  if (file === undefined) return;
  // A start past the end sends nothing, as a REST beyond EOF on RETR does.
  const remaining = Math.max(0, file.size - start);
  const limits = session.server.limits;
  const limiters = session.server.limitersFor(session, 'download');
  const basics = {
    path,
    direction: 'download' as const,
    size: remaining,
    reported: true,
    openingText: `Opening ${modeName(session)} mode data connection for ${argument} (${remaining} bytes)`,
    completedText: 'Transfer complete',
  };
  const transfer = new ActiveTransfer(
    session,
    binary
      ? { ...basics, pump: (socket, count) => sendFile(file, start, socket, count, undefined, pacer(limiters)) }
      : {
          ...basics,
          connect: (socket) => {
            // Counted after the throttle, so progress follows what the client receives rather than
            // what was read ahead from disk; before the ASCII conversion, so the count stays
            // comparable with the file's size.
            const counter = new PassThrough();
            return {
              source: readFileStream(file, start),
              transforms: [...throttleFor(limiters, limits.streamHighWaterMark), counter, ...(session.type === 'A' ? [new LfToCrlf()] : [])],
              sink: socket,
              counted: counter,
            };
          },
        },
  );
  await transfer.run();
  // Not awaited: the client's next command (a PASV for the next file) need not wait for it.
  file.close().catch(() => undefined);
}

function store(kind: 'replace' | 'append' | 'unique') {
  return async (session: Session, argument: string, carried: CarriedState): Promise<void> => {
    if (!dataCommandAllowed(session)) return;
    // STOU without a name gets a generated one (RFC 1123 leaves naming to the server).
    const wanted = kind === 'unique' && argument.trim() === '' ? `upload-${Date.now()}` : argument;
    const path = resolvePath(session, wanted);
    if (path === undefined) return session.data.reset();
    const mode: UploadMode =
      kind === 'append' ? { kind: 'append' }
      : kind === 'unique' ? { kind: 'unique' }
      : carried.restOffset > 0 ? { kind: 'resume', offset: carried.restOffset }
      : { kind: 'replace' };
    const target = await session.fs.openUpload(path, mode).catch((err: unknown) => void refuseDataCommand(session, err, 'write', { operation: 'upload', path }));
    if (target === undefined) return;
    const limits = session.server.limits;
    const name = target.path.slice(target.path.lastIndexOf('/') + 1);
    const transfer = new ActiveTransfer(session, {
      path: target.path,
      direction: 'upload',
      reported: true,
      openingText: kind === 'unique' ? `FILE: ${name}` : `Ok to send data (${modeName(session)} mode)`,
      completedText: kind === 'unique' ? `Transfer complete (unique file name: ${name})` : 'Transfer complete',
      connect: (socket) => {
        return {
          source: socket,
          transforms: [
            ...(session.type === 'A' ? [new CrlfToLf()] : []),
            ...throttleFor(session.server.limitersFor(session, 'upload'), limits.streamHighWaterMark),
          ],
          sink: target.stream,
          // Counted as they arrive, by a listener beside the pipe: a pass-through stream for it
          // costs ~0.3 s of CPU per GB.
          counted: socket,
        };
      },
      ...(carried.announcedSize !== undefined ? { announcedSize: carried.announcedSize } : {}),
      finish: (confirm) => target.commit(confirm),
      fail: () => target.abort(),
    });
    await transfer.run();
  };
}

export const transferCommands: CommandTable = {
  RETR: { help: 'RETR <file>: download', needsArgument: true, handler: retrieve },
  STOR: { help: 'STOR <file>: upload (replaces when complete)', needsArgument: true, handler: store('replace') },
  APPE: { help: 'APPE <file>: append', needsArgument: true, handler: store('append') },
  STOU: { help: 'STOU [name]: upload under a unique name', handler: store('unique') },
  REST: {
    help: 'REST <offset>: restart position for RETR/STOR',
    keepsRestOffset: true,
    needsArgument: true,
    handler(session, argument) {
      const offset = parseRestOffset(argument);
      if (offset === undefined) {
        session.reply(501, 'REST needs a non-negative byte offset');
        return;
      }
      session.restOffset = offset;
      session.reply(350, `Restarting at ${argument.trim()}. Send STOR or RETR to initiate transfer`);
    },
  },
  ABOR: {
    help: 'ABOR: abort the transfer',
    duringTransfer: true,
    async handler(session) {
      if (session.transfer) {
        await session.transfer.abort();
        session.reply(226, 'ABOR successful');
        return;
      }
      session.data.reset();
      session.reply(225, 'No transfer to abort');
    },
  },
};
