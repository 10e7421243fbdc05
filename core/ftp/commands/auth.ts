import type { CommandTable } from './command.js';
import type { Session } from '../session.js';

/** USER PASS ACCT REIN QUIT (RFC 959 §4.1.1). */

function tlsRequiredFirst(session: Session): boolean {
  if (session.server.tls?.requireTls && !session.controlSecure) {
    session.reply(530, 'TLS is required: send AUTH TLS before USER and PASS');
    return true;
  }
  return false;
}

export const authCommands: CommandTable = {
  USER: {
    help: 'USER <name>: begin login',
    beforeLogin: true,
    handler(session, argument) {
      if (tlsRequiredFirst(session)) return;
      if (session.grant) {
        session.reply(530, "Can't change user while logged in; send REIN first");
        return;
      }
      // Always 331, whatever the name, so replies never tell whether an account exists.
      session.pendingUser = argument;
      session.reply(331, 'Please specify the password');
    },
  },
  PASS: {
    help: 'PASS <password>: complete login',
    beforeLogin: true,
    async handler(session, argument) {
      if (tlsRequiredFirst(session)) return;
      if (session.grant) {
        session.reply(230, 'Already logged in');
        return;
      }
      if (session.pendingUser === undefined) {
        session.reply(503, 'Login with USER first');
        return;
      }
      const user = session.pendingUser;
      session.pendingUser = undefined;
      const grant = await session.server.authorizer.login(user, argument, {
        remoteAddress: session.remoteAddress,
        secure: session.controlSecure,
      });
      if (grant) {
        session.loggedIn(grant);
        session.reply(230, 'Login successful');
        return;
      }
      session.loginFailures++;
      session.server.emit('login-failed', { sessionId: session.id, user, remoteAddress: session.remoteAddress });
      // Per address too: a guesser who reconnects after each `maxLoginFailures` is slowed down.
      session.server.loginFailed(session.remoteAddress);
      // Ends early if the client hangs up, so no timer outlives the session.
      await session.wait(session.server.limits.loginFailureDelayMs);
      if (session.loginFailures >= session.server.limits.maxLoginFailures) {
        session.replyAndClose(421, 'Too many failed logins, closing control connection', 'too many failed logins');
        return;
      }
      session.reply(530, 'Login incorrect');
    },
  },
  ACCT: {
    help: 'ACCT <account>: not needed',
    handler(session) {
      session.reply(202, 'ACCT not needed');
    },
  },
  REIN: {
    help: 'REIN: log out, keep the connection',
    handler(session) {
      session.resetLogin();
      session.changed();
      session.reply(220, 'Service ready for new user');
    },
  },
  QUIT: {
    help: 'QUIT: close the connection',
    beforeLogin: true,
    duringTransfer: true,
    async handler(session) {
      // RFC 959: a running transfer finishes (and gets its reply) before the connection closes.
      if (session.transfer) await session.transfer.done;
      session.replyAndClose(221, 'Goodbye', 'quit');
    },
  },
};
