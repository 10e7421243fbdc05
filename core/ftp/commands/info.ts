import type { CommandSpec, CommandTable } from './command.js';
import type { Session } from '../session.js';
import { MLST_FACTS } from '../listing-format.js';
import { parseOptsArgument } from '../arguments.js';
import { HASH_ALGORITHMS } from './files.js';

/** SYST FEAT OPTS NOOP and HELP (RFC 959, RFC 2389). */

/** FEAT lines: exactly what this server implements (with the session's current choices starred). */
export function featureLines(session: Session): string[] {
  const mlst = MLST_FACTS.map((fact) => `${fact}${session.mlstFacts.has(fact) ? '*' : ''};`).join('');
  const hash = Object.keys(HASH_ALGORITHMS)
    .map((name) => (name === session.hashAlgorithm ? `${name}*` : name))
    .join(';');
  const lines = ['Features:'];
  if (session.server.tls?.mode === 'explicit') lines.push('AUTH TLS', 'AUTH SSL');
  if (session.server.tls) lines.push('PBSZ', 'PROT');
  lines.push('AVBL', 'EPRT', 'EPSV', `HASH ${hash}`, 'MDTM', 'MFMT', `MLST ${mlst}`, 'REST STREAM', 'SIZE', 'TVFS', 'UTF8', 'End');
  return lines;
}

export const infoCommands: CommandTable = {
  SYST: {
    help: 'SYST: system type',
    beforeLogin: true,
    handler(session) {
      // "UNIX Type: L8" makes clients expect `ls -l` listings and default to binary transfers.
      session.reply(215, 'UNIX Type: L8');
    },
  },
  FEAT: {
    help: 'FEAT: list extensions',
    beforeLogin: true,
    handler(session) {
      session.reply(211, featureLines(session));
    },
  },
  OPTS: {
    help: 'OPTS UTF8 ON | OPTS MLST facts | OPTS HASH [algorithm]',
    beforeLogin: true,
    needsArgument: true,
    handler(session, argument) {
      const opts = parseOptsArgument(argument);
      switch (opts.option) {
        case 'UTF8':
          // Paths are always UTF-8; OFF can't be honoured, so it is refused.
          if (opts.on) session.reply(200, 'Always in UTF8 mode');
          else session.reply(504, 'UTF8 can not be turned off');
          return;
        case 'MLST':
          session.mlstFacts = new Set(opts.facts);
          session.reply(200, `MLST OPTS ${opts.facts.map((fact) => `${fact};`).join('')}`);
          return;
        case 'HASH': {
          if (opts.algorithm === '') {
            session.reply(200, session.hashAlgorithm);
            return;
          }
          if (!Object.hasOwn(HASH_ALGORITHMS, opts.algorithm)) {
            session.reply(501, `Unknown algorithm; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
            return;
          }
          session.hashAlgorithm = opts.algorithm as keyof typeof HASH_ALGORITHMS;
          session.reply(200, opts.algorithm);
          return;
        }
        default:
          session.reply(501, `Option not understood`);
      }
    },
  },
  NOOP: {
    help: 'NOOP: do nothing',
    beforeLogin: true,
    duringTransfer: true,
    keepsRestOffset: true,
    handler(session) {
      session.reply(200, 'NOOP ok');
    },
  },
};

/** HELP over `table`, which it lists and describes at the time it runs (HELP itself included). */
export function helpCommand(table: Readonly<CommandTable>): CommandSpec {
  return {
    help: 'HELP [command]: this help',
    beforeLogin: true,
    handler(session, argument) {
      const verb = argument.trim().toUpperCase();
      if (verb !== '') {
        const spec = table[verb];
        if (spec) session.reply(214, `Syntax: ${spec.help}`);
        else session.reply(502, 'Unknown command');
        return;
      }
      const verbs = Object.keys(table).sort();
      const rows: string[] = [];
      for (let i = 0; i < verbs.length; i += 8) rows.push(verbs.slice(i, i + 8).map((v) => v.padEnd(5)).join(' '));
      session.reply(214, ['The following commands are recognized:', ...rows, 'Help OK']);
    },
  };
}
