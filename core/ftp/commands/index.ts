import type { CommandTable } from './command.js';
import { authCommands } from './auth.js';
import { navigationCommands } from './navigation.js';
import { listingCommands } from './listing.js';
import { transferCommands } from './transfer.js';
import { fileCommands } from './files.js';
import { connectionCommands } from './connection.js';
import { infoCommands } from './info.js';
import { tlsCommands } from './tls.js';

/** Every command the server implements, by verb. */
export const commandTable: CommandTable = {
  ...authCommands,
  ...navigationCommands,
  ...listingCommands,
  ...transferCommands,
  ...fileCommands,
  ...connectionCommands,
  ...infoCommands,
  ...tlsCommands,
};
