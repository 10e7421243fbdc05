/**
 * The window is DOM code: no Node module imports, no Node globals, and only *types* from core/,
 * except the contract's run-time helper (core/share/contract-calls.ts) and the words for kinds of
 * address (core/net/address-types.ts, shared with the CLI's banner), which the window's bundle
 * includes and which are held to the same rules here, with the contract they import.
 * (The window's TypeScript project sees Node's types through the type packages of qrcode, Vite
 * and Vitest, so the compiler alone would not refuse Node code; this test does.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The core modules the window may import values from: the contract's helper, the contract, the address words. */
const BUNDLED_CORE = ['core/share/contract-calls.ts', 'core/share/contract.ts', 'core/net/address-types.ts'].map((file) => path.resolve(root, '..', file));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'test' || name === 'node_modules' ? [] : sources(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.|vite\.config/.test(name) ? [full] : [];
  });
}

/** Asserts that `file` uses no Node API, and that every value import `checksImport` picks is one of {@link BUNDLED_CORE}. */
function expectDomSafe(file: string, checksImport: (specifier: string) => boolean): void {
  const text = readFileSync(file, 'utf8');
  expect(text).not.toMatch(/from ['"]node:|require\(|\bprocess\.|\bBuffer\b|__dirname/);
  for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gms)) {
    if (match[1] || !checksImport(match[2]!)) continue;
    const target = path.resolve(path.dirname(file), match[2]!.replace(/\.js$/, '.ts'));
    expect(BUNDLED_CORE, `${match[0]} must be "import type"`).toContain(target);
  }
}

describe('renderer sources', () => {
  const files = sources(root);

  it('are found', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s uses no Node API and imports from core only types or the contract helper', (_name, file) => {
    expectDomSafe(file, (specifier) => specifier.includes('/core/'));
  });

  it.each(BUNDLED_CORE.map((f) => [path.relative(path.resolve(root, '..'), f), f]))("%s (in the window's bundle) uses no Node API and imports values only from the contract", (_name, file) => {
    expectDomSafe(file, () => true);
  });
});
