// Types of scripts/start-electron.mjs, for its tests (test/electron/start-electron.test.ts).
import type { SpawnOptions, SpawnSyncReturns, ChildProcess } from 'node:child_process';

export interface Step {
  label: string;
  command: string;
  args: string[];
  options: SpawnOptions & { cwd: string; shell: boolean; stdio: 'inherit'; env?: NodeJS.ProcessEnv };
}

export const FALLBACK_HINT: string;
export function npmCommand(platform: NodeJS.Platform): string;
export function step(label: string, command: string, args: string[], options: { platform: NodeJS.Platform; cwd: string; env?: NodeJS.ProcessEnv }): Step;
export function buildPlan(options: { platform: NodeJS.Platform; root: string; scripts?: Record<string, string> }): Step[];
export function installPlan(options: { platform: NodeJS.Platform; execPath: string; root: string; env: NodeJS.ProcessEnv }): Step;
export function launchPlan(options: { platform: NodeJS.Platform; binary: string; root: string; argv: string[]; env: NodeJS.ProcessEnv }): Step;
export function installFailedMessage(version?: string): string;
export function sandboxAdvice(options: {
  platform: NodeJS.Platform;
  sysctl(name: string): string | undefined;
  sandboxHelper: { uid: number; mode: number } | undefined;
  sandboxHelperPath: string;
  argv: string[];
}): string | undefined;
export function findElectronBinary(root: string): string | undefined;

export interface StartDependencies {
  platform: NodeJS.Platform;
  execPath: string;
  root: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  spawnSync(command: string, args: string[], options: SpawnOptions): Pick<SpawnSyncReturns<Buffer>, 'status' | 'error'>;
  spawn(command: string, args: string[], options: SpawnOptions): Pick<ChildProcess, 'on' | 'kill'>;
  log(line: string): void;
  findElectron(root: string): string | undefined;
  buildElectron(): Promise<unknown>;
  sysctl(name: string): string | undefined;
  stat(file: string): { uid: number; mode: number } | undefined;
}
export function start(dependencies?: Partial<StartDependencies>): Promise<number>;
