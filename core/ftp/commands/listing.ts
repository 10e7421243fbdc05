import { Readable } from 'node:stream';
import type { CommandTable } from './command.js';
import { attempt, resolvePath } from './command.js';
import type { Session } from '../session.js';
import type { FileInfo } from '../../fs/file-system.js';
import { entryBatches, type EntryBatch } from '../../fs/entry-batch.js';
import { isFsError } from '../../fs/fs-error.js';
import { factsLine, factsLines, globMatcher, listLine, listLines, nameLines, type NameFilter } from '../listing-format.js';
import { splitListArguments } from '../arguments.js';
import { ActiveTransfer } from '../transfer-runner.js';
import { dataCommandAllowed, refuseData, refuseDataCommand } from './transfer.js';

/** LIST NLST MLSD MLST STAT (RFC 959, RFC 3659). */

/** Largest listing STAT sends over the control connection. */
const MAX_STAT_ENTRIES = 10_000;

/** What a listing argument names: a directory's entries, one file, or a glob's matches. */
interface ListTarget {
  /** Directory (or file's parent) whose entries are listed. */
  directory: string;
  entries: AsyncIterable<FileInfo>;
  /** The entries shown: a glob's matches; undefined for all. */
  shown: NameFilter;
  /** Prefix for NLST names when the client named a directory part with a glob (`dir/*.txt`). */
  namePrefix: string;
}

async function* only(info: FileInfo): AsyncIterable<FileInfo> {
  yield info;
}

/** Resolves a LIST/NLST/STAT argument. Throws FsError when nothing matches. */
async function listTarget(session: Session, path: string, rawPath: string): Promise<ListTarget> {
  try {
    const info = await session.fs.stat(path);
    if (info.type === 'dir') return { directory: path, entries: session.fs.list(path), shown: undefined, namePrefix: '' };
    return { directory: path, entries: only(info), shown: undefined, namePrefix: '' };
  } catch (err) {
    const slash = path.lastIndexOf('/');
    const last = path.slice(slash + 1);
    if (!isFsError(err, 'not-found') || !/[*?]/.test(last)) throw err;
    const parent = path.slice(0, slash) || '/';
    const rawSlash = rawPath.replace(/\\/g, '/').lastIndexOf('/');
    const namePrefix = rawSlash === -1 ? '' : rawPath.slice(0, rawSlash + 1);
    return { directory: parent, entries: session.fs.list(parent), shown: globMatcher(last), namePrefix };
  }
}

/** The listing's text, one chunk per batch of entries. */
async function* formatted(batches: AsyncIterable<EntryBatch>, format: (batch: EntryBatch) => string): AsyncIterable<string> {
  for await (const batch of batches) yield format(batch);
}

async function sendListing(session: Session, argument: string, kind: 'LIST' | 'NLST' | 'MLSD'): Promise<void> {
  if (!dataCommandAllowed(session)) return;
  const { path: rawPath } = kind === 'MLSD' ? { path: argument } : splitListArguments(argument);
  const path = resolvePath(session, rawPath.trim() === '' ? '.' : rawPath);
  if (path === undefined) return session.data.reset();
  let target: ListTarget;
  try {
    if (kind === 'MLSD') {
      const info = await session.fs.stat(path);
      if (info.type !== 'dir') {
        refuseData(session, 501, 'MLSD needs a directory; use MLST for a file');
        return;
      }
      target = { directory: path, entries: session.fs.list(path), shown: undefined, namePrefix: '' };
    } else {
      target = await listTarget(session, path, rawPath);
    }
  } catch (err) {
    return refuseDataCommand(session, err, 'read');
  }
  const now = Date.now();
  const { shown, namePrefix } = target;
  const format =
    kind === 'LIST' ? (batch: EntryBatch) => listLines(batch, now, shown)
    : kind === 'NLST' ? (batch: EntryBatch) => nameLines(batch, namePrefix, shown)
    : (batch: EntryBatch) => factsLines(batch, session.mlstFacts);
  const transfer = new ActiveTransfer(session, {
    path: target.directory,
    direction: 'download',
    reported: false,
    openingText: `Here comes the directory listing`,
    completedText: 'Directory send OK',
    connect: (socket) => {
      // Pulled batch by batch as the socket wants more; destroyed (a reset, ABOR), it returns the
      // generator, whose scan then closes its directory handle.
      const source = Readable.from(formatted(entryBatches(target.entries), format), { objectMode: false, highWaterMark: 64 * 1024 });
      return { source, transforms: [], sink: socket, counted: source };
    },
  });
  await transfer.run();
}

function statusLines(session: Session): string[] {
  const lines = [
    'FTP Share status:',
    `Connected to ${session.remoteAddress}`,
    session.user ? `Logged in as ${session.user}` : 'Not logged in',
    `TYPE: ${session.type === 'A' ? 'ASCII' : 'BINARY'}; STRUcture: File; transfer MODE: Stream`,
    `Control connection: ${session.controlSecure ? 'TLS' : 'plain'}; data connections: ${session.protectData ? 'TLS' : 'plain'}`,
  ];
  if (session.transfer) {
    const info = session.transfer.info();
    lines.push(`Transferring ${info.path}: ${info.bytes} bytes ${info.direction === 'download' ? 'sent' : 'received'}`);
  } else {
    lines.push('No data connection');
  }
  lines.push('End of status');
  return lines;
}

export const listingCommands: CommandTable = {
  LIST: { help: 'LIST [-la] [path]: long listing', handler: (s, a) => sendListing(s, a, 'LIST') },
  NLST: { help: 'NLST [path]: names', handler: (s, a) => sendListing(s, a, 'NLST') },
  MLSD: { help: 'MLSD [dir]: machine listing', handler: (s, a) => sendListing(s, a, 'MLSD') },
  MLST: {
    help: 'MLST [path]: facts of one entry',
    async handler(session, argument) {
      const path = resolvePath(session, argument.trim() === '' ? '.' : argument);
      if (path === undefined) return;
      const info = await attempt(session, () => session.fs.stat(path));
      if (!info) return;
      session.reply(250, [`Listing ${path}`, ' ' + factsLine(info, session.mlstFacts, path), 'End']);
    },
  },
  STAT: {
    help: 'STAT [path]: server status, or a listing over the control connection',
    duringTransfer: true,
    async handler(session, argument) {
      if (argument.trim() === '' || !session.grant) {
        session.reply(211, statusLines(session));
        return;
      }
      const { path: rawPath } = splitListArguments(argument);
      const path = resolvePath(session, rawPath);
      if (path === undefined) return;
      const lines = await attempt(session, async () => {
        const target = await listTarget(session, path, rawPath);
        const now = Date.now();
        const found = [`Status of ${path}:`];
        for await (const entry of target.entries) {
          if (found.length > MAX_STAT_ENTRIES) break;
          if (target.shown === undefined || target.shown(entry.name)) found.push(listLine(entry, now));
        }
        return found;
      });
      if (!lines) return;
      lines.push('End of status');
      session.reply(213, lines);
    },
  },
};
