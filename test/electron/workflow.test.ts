/**
 * The desktop CI workflow (.github/workflows/desktop.yml) can't run here; this checks what it
 * says: the three systems, the README's install, the tests, the installers, the smoke test on the
 * built app (under Xvfb on Linux), and the installers kept as artifacts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SMOKE_TEST_ARG } from '../../electron/smoke-test.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// js-yaml comes with electron-builder.
const yaml = createRequire(path.join(root, 'package.json'))('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  uses?: string;
  if?: string;
  run?: string;
  with?: Record<string, string>;
}
const workflow = yaml.load(readFileSync(path.join(root, '.github', 'workflows', 'desktop.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; strategy: { matrix: { os: string[] } }; steps: Step[] }>;
};
const jobs = Object.values(workflow.jobs);
const job = jobs[0]!;
const steps = job.steps;
/** The index of the first step whose command runs `pattern` (and whose `if` matches `os`, when given). */
const stepIndex = (pattern: RegExp, os?: string) =>
  steps.findIndex((s) => pattern.test(s.run ?? '') && (!os || !s.if || s.if.includes(os)));

describe('.github/workflows/desktop.yml', () => {
  it('runs on macOS, Windows and Ubuntu, on pushes and pull requests', () => {
    assert.equal(jobs.length, 1);
    assert.deepEqual([...job.strategy.matrix.os].sort(), ['macos-latest', 'ubuntu-latest', 'windows-latest']);
    assert.equal(job['runs-on'], '${{ matrix.os }}');
    assert.ok('push' in workflow.on && 'pull_request' in workflow.on);
  });

  it('checks out, sets up Node 20, then npm ci, npm test and npm run dist, in that order', () => {
    assert.ok(steps.some((s) => s.uses?.startsWith('actions/checkout@')));
    assert.ok(steps.some((s) => s.uses?.startsWith('actions/setup-node@') && String(s.with?.['node-version']) === '20'));
    const order = [/^npm ci\b/m, /^npm test$/m, /^\s*npm run dist\b/m].map((p) => stepIndex(p));
    assert.ok(order.every((i) => i >= 0), JSON.stringify(order));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    // The README's install: no variable that skips Electron's download is needed.
    assert.ok(!JSON.stringify(workflow).includes('ELECTRON_SKIP_BINARY_DOWNLOAD'));
  });

  it('smoke-tests the built app on each system, under xvfb-run on Linux, after packaging', () => {
    const dist = stepIndex(/npm run dist/);
    for (const os of ['Linux', 'macOS', 'Windows']) {
      const step = steps.find((s) => s.if === `runner.os == '${os}'` && s.run?.includes(SMOKE_TEST_ARG));
      assert.ok(step, `a smoke test on ${os}`);
      assert.ok(steps.indexOf(step) > dist, `${os}: after npm run dist`);
      assert.match(step.run!, /release\/|\/opt\/FTP Share\//, `${os}: runs the built app`);
      if (os === 'Linux') assert.match(step.run!, /xvfb-run/);
    }
  });

  it('keeps the installers of every target as artifacts', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    assert.ok(upload);
    assert.ok(steps.indexOf(upload) > stepIndex(/npm run dist/));
    for (const ext of ['dmg', 'zip', 'exe', 'AppImage', 'deb']) assert.match(upload.with!['path']!, new RegExp(`release/\\*\\.${ext}$`, 'm'));
    assert.equal(upload.with!['if-no-files-found'], 'error');
  });
});
