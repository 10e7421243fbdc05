/**
 * The window is DOM code: no Node module imports, no Node globals, and only *types* from core/.
 * (Its TypeScript project sees Node's types because the contract's imports reach Node-using core
 * files; this test keeps the window itself honest.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'test' || name === 'node_modules' ? [] : sources(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.|vite\.config/.test(name) ? [full] : [];
  });
}

describe('renderer sources', () => {
  const files = sources(root);

  it('are found', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s uses no Node API and imports only types from core', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/from ['"]node:|require\(|\bprocess\.|\bBuffer\b|__dirname/);
    for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gms)) {
      if (match[2]!.includes('/core/')) expect(match[1], `${match[0]} must be "import type"`).toBeTruthy();
    }
  });
});
