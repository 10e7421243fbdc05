#!/usr/bin/env node
/**
 * The `ftp-share` command: shares folders over FTP/FTPS from a terminal (core/cli/share-command.ts)
 * or opens FTP Share's window in a browser with `--ui` (core/web/ui-command.ts). The options and
 * `--help` come from one table (core/cli/options.ts).
 */
import { FtpServerError } from './ftp/server.js';
import { UsageError, helpText, parseCommandLine } from './cli/options.js';
import { readVersion } from './cli/version.js';
import { runShareCommand } from './cli/share-command.js';
import { runUiCommand } from './web/ui-command.js';

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv);
  if (line.values.has('help')) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  if (line.values.has('version')) {
    process.stdout.write(`ftp-share ${await readVersion()}\n`);
    return 0;
  }
  return line.ui ? runUiCommand(line) : runShareCommand(line);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof FtpServerError) {
      process.stderr.write(`ftp-share: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ftp-share: unexpected error: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
