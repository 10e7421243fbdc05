/**
 * Running other programs from tests: real clients (curl, lftp, python3, openssl), system tools
 * (ip, mount) and the CLI.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

/** How a program ended and what it printed. */
export interface RunResult {
  /** Exit code; 1 when it could not start, timed out or died of a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** Why it failed (spawn error, timeout, signal), when it did. */
  error?: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Killed after this long (default 60 s; 0: never). */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program to its end with a time limit; never rejects. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        const code = typeof (error as { code?: unknown }).code === 'number' ? (error as unknown as { code: number }).code : 1;
        resolve({ code, stdout, stderr, error: error.message });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like `run`, but rejects (with the command line and its stderr) unless the program exits 0; resolves with stdout. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${[command, ...args].join(' ')} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** Runs a Python script (`python3 -c`); the script gets PORT in its environment. */
export function runPython(script: string, port: number, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return run('python3', ['-c', script], { env: { ...process.env, PORT: String(port), ...extraEnv } });
}

/** A program running in the background, with what it printed so far. */
export interface RunningProcess {
  child: ChildProcess;
  /** Complete stdout lines, in order. */
  lines: string[];
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** How it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for the first stdout line `match` accepts; rejects when it exits first or after `timeoutMs`. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Sends `signal`, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/**
 * Starts a program in the background, collecting its stdout lines and stderr. A test that fails
 * half-way must not leave it running: it is killed after `killAfterMs` (default 60 s) whatever happens.
 */
export function startProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; killAfterMs?: number } = {}): RunningProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      lines.push(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': by then every line it printed has been read.
    child.once('close', (code, signal) => resolve((ended = { code, signal }))),
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
  void exited.then(() => clearTimeout(killer));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    async waitForLine(match, timeoutMs = 20_000) {
      const accepts = typeof match === 'function' ? match : (line: string) => match.test(line);
      const found = await waitFor(
        (): { line: string } | { exit: NonNullable<typeof ended> } | undefined => {
          const line = lines.find(accepts);
          if (line !== undefined) return { line };
          return ended ? { exit: ended } : undefined;
        },
        () => `a line matching ${match} from ${command}; got:\n${lines.join('\n')}\nstderr: ${stderr}`,
        timeoutMs,
      );
      if ('exit' in found) throw new Error(`${command} exited (${found.exit.code ?? found.exit.signal}) before a line matching ${match}; stderr: ${stderr}`);
      return found.line;
    },
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const grace = setTimeout(() => child.kill('SIGKILL'), graceMs);
        void exited.then(() => clearTimeout(grace));
      }
      return (await exited).code;
    },
  };
}

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The command line that runs the `ftp-share` CLI from source (through tsx), with `args`. */
export function cliCommand(args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', path.join(repoRoot, 'core/cli.ts'), ...args]];
}
