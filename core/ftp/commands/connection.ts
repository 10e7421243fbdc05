import net from 'node:net';
import type { CommandTable } from './command.js';
import type { Session } from '../session.js';
import { sameHost } from '../peer-address.js';
import { parseAlloArgument, parseEprtArgument, parseEpsvArgument, parsePortArgument, parseTypeArgument } from '../arguments.js';
import { DataChannelError } from '../data-channel.js';

/** PASV EPSV PORT EPRT (RFC 959, RFC 2428) and the transfer parameters TYPE STRU MODE ALLO. */

async function openPassive(session: Session): Promise<number | undefined> {
  try {
    return await session.data.listenPassive(session.localAddress);
  } catch (err) {
    session.reply(425, err instanceof DataChannelError ? err.message : "Can't open passive listener");
    return undefined;
  }
}

function refuseAfterEpsvAll(session: Session, verb: string): boolean {
  if (!session.epsvAll) return false;
  session.reply(503, `${verb} not allowed after EPSV ALL`);
  return true;
}

/** Checks an active-mode target against the anti-bounce rules (RFC 2577). Replies on refusal. */
function activeTargetAllowed(session: Session, host: string, port: number): boolean {
  const limits = session.server.limits;
  if (limits.activeModeSameAddressOnly && !sameHost(host, session.remoteAddress)) {
    session.reply(501, 'Rejected: the data connection must go to your own address');
    return false;
  }
  if (limits.activeModeSameAddressOnly && port < limits.activeModeMinPort) {
    session.reply(501, `Rejected: data port must be ${limits.activeModeMinPort} or higher`);
    return false;
  }
  return true;
}

export const connectionCommands: CommandTable = {
  PASV: {
    help: 'PASV: passive data connection (IPv4)',
    keepsRestOffset: true,
    async handler(session) {
      if (refuseAfterEpsvAll(session, 'PASV')) return;
      const announced = session.server.publicAddress ?? session.localAddress;
      if (!net.isIPv4(announced)) {
        session.reply(425, 'PASV is IPv4 only; use EPSV on this connection');
        return;
      }
      const port = await openPassive(session);
      if (port === undefined) return;
      const numbers = `${announced.split('.').join(',')},${port >> 8},${port & 0xff}`;
      session.reply(227, `Entering Passive Mode (${numbers}).`);
    },
  },
  EPSV: {
    help: 'EPSV [1|2|ALL]: extended passive data connection',
    keepsRestOffset: true,
    async handler(session, argument) {
      const parsed = parseEpsvArgument(argument);
      const family = net.isIPv4(session.localAddress) ? 4 : 6;
      if (parsed.kind === 'syntax') {
        session.reply(501, 'Syntax error in EPSV argument');
        return;
      }
      if (parsed.kind === 'protocol' || (parsed.kind === 'open' && parsed.family !== undefined && parsed.family !== family)) {
        session.reply(522, `Network protocol not supported, use (${family === 4 ? 1 : 2})`);
        return;
      }
      if (parsed.kind === 'all') {
        session.epsvAll = true;
        session.reply(200, 'EPSV ALL ok');
        return;
      }
      const port = await openPassive(session);
      if (port !== undefined) session.reply(229, `Entering Extended Passive Mode (|||${port}|)`);
    },
  },
  PORT: {
    help: 'PORT h1,h2,h3,h4,p1,p2: active data connection',
    keepsRestOffset: true,
    needsArgument: true,
    handler(session, argument) {
      if (refuseAfterEpsvAll(session, 'PORT')) return;
      const target = parsePortArgument(argument);
      if (!target) {
        session.reply(501, 'Syntax error in PORT argument');
        return;
      }
      if (!activeTargetAllowed(session, target.host, target.port)) return;
      session.data.setActive(target.host, target.port);
      session.reply(200, 'PORT command successful');
    },
  },
  EPRT: {
    help: 'EPRT |proto|addr|port|: extended active data connection',
    keepsRestOffset: true,
    needsArgument: true,
    handler(session, argument) {
      if (refuseAfterEpsvAll(session, 'EPRT')) return;
      const target = parseEprtArgument(argument);
      if (!target.ok) {
        if (target.reason === 'protocol') session.reply(522, 'Network protocol not supported, use (1,2)');
        else session.reply(501, 'Syntax error in EPRT argument');
        return;
      }
      if (!activeTargetAllowed(session, target.host, target.port)) return;
      session.data.setActive(target.host, target.port);
      session.reply(200, 'EPRT command successful');
    },
  },
  TYPE: {
    help: 'TYPE A|I|L 8: representation type',
    keepsRestOffset: true,
    needsArgument: true,
    handler(session, argument) {
      const parsed = parseTypeArgument(argument);
      if (parsed.kind === 'set') {
        session.type = parsed.type;
        session.reply(200, parsed.type === 'A' ? 'Switching to ASCII mode' : 'Switching to Binary mode');
      } else if (parsed.kind === 'unsupported') {
        session.reply(504, 'Type not implemented for that parameter');
      } else {
        session.reply(501, 'Unrecognised TYPE');
      }
    },
  },
  STRU: {
    help: 'STRU F: file structure',
    keepsRestOffset: true,
    needsArgument: true,
    handler(session, argument) {
      const value = argument.trim().toUpperCase();
      if (value === 'F') session.reply(200, 'Structure set to F');
      else if (value === 'R' || value === 'P') session.reply(504, 'Only file structure is supported');
      else session.reply(501, 'Unrecognised structure');
    },
  },
  MODE: {
    help: 'MODE S: stream mode',
    keepsRestOffset: true,
    needsArgument: true,
    handler(session, argument) {
      const value = argument.trim().toUpperCase();
      if (value === 'S') session.reply(200, 'Mode set to S');
      else if (value === 'B' || value === 'C' || value === 'Z') session.reply(504, 'Only stream mode is supported');
      else session.reply(501, 'Unrecognised mode');
    },
  },
  ALLO: {
    help: 'ALLO <bytes> [R <size>]: announce the size of the next upload',
    keepsRestOffset: true,
    handler(session, argument) {
      // The size is kept for the next STOR/APPE/STOU, which fails when fewer bytes arrive.
      const parsed = parseAlloArgument(argument);
      if (!parsed.ok) {
        session.reply(501, 'ALLO needs a byte count');
        return;
      }
      session.announcedSize = parsed.size;
      session.reply(202, 'No storage allocation necessary');
    },
  },
};
