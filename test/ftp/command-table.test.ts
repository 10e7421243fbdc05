/**
 * The command table (core/ftp/commands/): each command's own spec says when the session lets it
 * run. These lists are the gating rules; commands.test.ts, limits.test.ts and transfers.test.ts
 * drive them over real connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandTable } from '../../core/ftp/commands/index.js';
import type { CommandSpec } from '../../core/ftp/commands/command.js';

function verbsWith(flag: 'beforeLogin' | 'duringTransfer' | 'keepsRestOffset' | 'needsArgument'): string[] {
  return Object.entries(commandTable)
    .filter(([, spec]: [string, CommandSpec]) => spec[flag] === true)
    .map(([verb]) => verb)
    .sort();
}

test('before login: the login, TLS setup and capability probes; nothing else', () => {
  assert.deepEqual(verbsWith('beforeLogin'), ['AUTH', 'FEAT', 'HELP', 'NOOP', 'OPTS', 'PASS', 'PBSZ', 'PROT', 'QUIT', 'SYST', 'USER']);
});

test('during a transfer: ABOR, STAT, QUIT and NOOP are answered at once', () => {
  assert.deepEqual(verbsWith('duringTransfer'), ['ABOR', 'NOOP', 'QUIT', 'STAT']);
});

test('REST offset and ALLO size survive the data-connection and type commands that may come before the transfer', () => {
  assert.deepEqual(verbsWith('keepsRestOffset'), ['ALLO', 'EPRT', 'EPSV', 'MODE', 'NOOP', 'PASV', 'PORT', 'REST', 'STRU', 'TYPE']);
});

test('every command has a HELP line that starts with its verb or a variant it shares a spec with', () => {
  for (const [verb, spec] of Object.entries(commandTable)) {
    const named = spec.help.split(/[\s:]/)[0]!;
    assert.ok(named === verb || commandTable[named] === spec, `${verb}: ${spec.help}`);
  }
});
