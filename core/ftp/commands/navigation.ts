import type { CommandTable, CommandSpec } from './command.js';
import { attemptWrite, resolveDirectory, resolvePath } from './command.js';
import { quotePath } from '../replies.js';
import type { Session } from '../session.js';

/** PWD CWD CDUP MKD RMD and their X-variants (RFC 775). */

async function changeDirectory(session: Session, argument: string): Promise<void> {
  const path = await resolveDirectory(session, argument);
  if (path === undefined) return;
  session.cwd = path;
  session.changed();
  session.reply(250, `Directory successfully changed to ${quotePath(path)}`);
}

const pwd: CommandSpec = {
  help: 'PWD: print the current directory',
  handler(session) {
    session.reply(257, `${quotePath(session.cwd)} is the current directory`);
  },
};

const cwd: CommandSpec = {
  help: 'CWD <dir>: change directory',
  needsArgument: true,
  handler: (session, argument) => changeDirectory(session, argument),
};

const cdup: CommandSpec = {
  help: 'CDUP: go to the parent directory',
  handler: (session) => changeDirectory(session, '..'),
};

const mkd: CommandSpec = {
  help: 'MKD <dir>: make a directory',
  needsArgument: true,
  async handler(session, argument) {
    const path = resolvePath(session, argument);
    if (path === undefined) return;
    if (await attemptWrite(session, 'folder-create', path, () => session.fs.mkdir(path), { change: 'folder-created', path })) {
      session.reply(257, `${quotePath(path)} created`);
    }
  },
};

const rmd: CommandSpec = {
  help: 'RMD <dir>: remove an empty directory',
  needsArgument: true,
  async handler(session, argument) {
    const path = resolvePath(session, argument);
    if (path === undefined) return;
    if (await attemptWrite(session, 'folder-remove', path, () => session.fs.rmdir(path), { change: 'folder-removed', path })) {
      if (session.cwd === path || session.cwd.startsWith(path + '/')) session.cwd = '/';
      session.reply(250, 'Directory removed');
    }
  },
};

export const navigationCommands: CommandTable = {
  PWD: pwd,
  XPWD: pwd,
  CWD: cwd,
  XCWD: cwd,
  CDUP: cdup,
  XCUP: cdup,
  MKD: mkd,
  XMKD: mkd,
  RMD: rmd,
  XRMD: rmd,
};
