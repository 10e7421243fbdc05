import type { CommandTable } from './command.js';
import { parseProtLevel } from '../arguments.js';

/** AUTH PBSZ PROT CCC (RFC 4217). */

export const tlsCommands: CommandTable = {
  AUTH: {
    help: 'AUTH TLS: secure the control connection',
    beforeLogin: true,
    needsArgument: true,
    handler(session, argument) {
      const mechanism = argument.trim().toUpperCase();
      if (session.server.tls?.mode !== 'explicit') {
        session.reply(502, 'TLS is not configured on this server');
        return;
      }
      if (session.controlSecure) {
        session.reply(503, 'Already using TLS');
        return;
      }
      if (mechanism !== 'TLS' && mechanism !== 'SSL' && mechanism !== 'TLS-C' && mechanism !== 'TLS-P') {
        session.reply(504, 'AUTH mechanism not supported; use AUTH TLS');
        return;
      }
      session.reply(234, `AUTH ${mechanism} successful`);
      session.upgradeToTls();
      // TLS-P and SSL imply protected data (RFC 4217 §17; what FileZilla Server does).
      if (mechanism === 'TLS-P' || mechanism === 'SSL') session.protectData = true;
    },
  },
  PBSZ: {
    help: 'PBSZ 0: protection buffer size',
    beforeLogin: true,
    needsArgument: true,
    handler(session, argument) {
      if (!session.controlSecure) {
        session.reply(503, 'PBSZ needs a TLS connection: send AUTH TLS first');
        return;
      }
      if (!/^\d+$/.test(argument.trim())) {
        session.reply(501, 'PBSZ needs a number');
        return;
      }
      session.pbszDone = true;
      session.reply(200, 'PBSZ=0');
    },
  },
  PROT: {
    help: 'PROT P|C: data channel protection',
    beforeLogin: true,
    needsArgument: true,
    handler(session, argument) {
      const tls = session.server.tls;
      if (!session.controlSecure || !tls) {
        session.reply(503, 'PROT needs a TLS connection: send AUTH TLS first');
        return;
      }
      if (!session.pbszDone) {
        session.reply(503, 'Send PBSZ first');
        return;
      }
      const level = parseProtLevel(argument);
      if (level === 'P') {
        session.protectData = true;
        session.changed();
        session.reply(200, 'PROT now Private');
      } else if (level === 'C') {
        if (tls.requireEncryptedData || tls.mode === 'implicit') {
          session.reply(536, 'PROT C refused: data connections must be encrypted');
          return;
        }
        session.protectData = false;
        session.changed();
        session.reply(200, 'PROT now Clear');
      } else if (level === 'unsupported') {
        session.reply(536, 'PROT level not supported; use P or C');
      } else {
        session.reply(504, 'Unrecognised PROT level');
      }
    },
  },
  CCC: {
    help: 'CCC: not supported',
    handler(session) {
      session.reply(534, 'CCC not supported: the control connection stays encrypted');
    },
  },
};
