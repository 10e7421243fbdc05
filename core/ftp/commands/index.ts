import type { CommandTable } from './command.js';
import { authCommands } from './auth.js';
import { navigationCommands } from './navigation.js';
import { listingCommands } from './listing.js';
import { transferCommands } from './transfer.js';
import { fileCommands } from './files.js';
import { connectionCommands } from './connection.js';
import { helpCommand, infoCommands } from './info.js';
import { tlsCommands } from './tls.js';

const commands: CommandTable = {
  ...authCommands,
  ...navigationCommands,
  ...listingCommands,
  ...transferCommands,
  ...fileCommands,
  ...connectionCommands,
  ...infoCommands,
  ...tlsCommands,
};
commands.HELP = helpCommand(commands);

/** Every command the server implements, by verb; each spec says when the session lets it run. */
export const commandTable: Readonly<CommandTable> = commands;
