/**
 * Preparing the Electron build of better-sqlite3 (run by `npm start` and `npm run dist` through
 * build/prepare-electron.js; never by `npm test`). The decisions live here with their effects
 * injected, so they are tested without a network or an Electron binary; the real effects are in
 * prepare-electron-steps.ts.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStamp, sqliteBindingFile, stampPath, type BuildStamp, type ElectronTarget } from './electron-build.js';

export type Decision =
  | { readonly action: 'keep' }
  | { readonly action: 'prepare'; readonly why: 'missing' | 'stale'; readonly detail: string };

/** Keep the build in place only when its stamp matches the Electron, ABI, platform and module version wanted. */
export function decide(want: ElectronTarget & { moduleVersion: string }, stamp: BuildStamp | null, bindingExists: boolean): Decision {
  if (!bindingExists || stamp === null) {
    return { action: 'prepare', why: 'missing', detail: bindingExists ? 'the build has no stamp' : 'no Electron build yet' };
  }
  const differs: string[] = [];
  if (stamp.electron !== want.electron) differs.push(`Electron ${stamp.electron} → ${want.electron}`);
  if (stamp.abi !== want.abi) differs.push(`NODE_MODULE_VERSION ${stamp.abi} → ${want.abi}`);
  if (stamp.platform !== want.platform || stamp.arch !== want.arch) differs.push(`${stamp.platform}-${stamp.arch} → ${want.platform}-${want.arch}`);
  if (stamp.moduleVersion !== want.moduleVersion) differs.push(`better-sqlite3 ${stamp.moduleVersion} → ${want.moduleVersion}`);
  return differs.length === 0 ? { action: 'keep' } : { action: 'prepare', why: 'stale', detail: differs.join(', ') };
}

export interface PrepareSteps {
  /** The Electron to build for (version from node_modules/electron, ABI from its binary or node-abi). */
  target(): Promise<ElectronTarget>;
  /** The installed better-sqlite3's version. */
  moduleVersion(): string;
  exists(file: string): boolean;
  /** Downloads better-sqlite3's prebuilt binary for the target into `staging`; returns the .node file. */
  fetchPrebuilt(target: ElectronTarget, staging: string): Promise<string>;
  /** Compiles against Electron's headers in `staging`; returns the .node file. */
  compile(target: ElectronTarget, staging: string): Promise<string>;
  log(line: string): void;
  now(): Date;
}

export class PrepareError extends Error {}

/**
 * Makes `dir` hold an Electron build matching the target: kept when its stamp matches, else the
 * prebuilt binary is fetched, or — when there is none — compiled. The build replaces the old one
 * only once it is complete, so an interrupted run leaves the previous build usable.
 */
export async function prepareElectronBuild(steps: PrepareSteps, dir: string): Promise<BuildStamp> {
  const target = await steps.target();
  const moduleVersion = steps.moduleVersion();
  const binding = join(dir, sqliteBindingFile);
  const label = `Electron ${target.electron} (NODE_MODULE_VERSION ${target.abi}, ${target.platform}-${target.arch})`;
  const stamp = readStamp(dir);
  const decision = decide({ ...target, moduleVersion }, stamp, steps.exists(binding));
  if (decision.action === 'keep') {
    steps.log(`better-sqlite3 ${moduleVersion} for ${label}: ready (${binding})`);
    return stamp!;
  }
  steps.log(`better-sqlite3 ${moduleVersion} for ${label}: ${decision.detail}; preparing it`);
  const staging = join(dir, '.staging');
  mkdirSync(dir, { recursive: true });
  try {
    return await build(steps, dir, target, moduleVersion, label, staging);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function build(steps: PrepareSteps, dir: string, target: ElectronTarget, moduleVersion: string, label: string, staging: string): Promise<BuildStamp> {
  const binding = join(dir, sqliteBindingFile);
  let built: string;
  let source: BuildStamp['source'];
  try {
    steps.log('fetching the prebuilt binary (needs network)…');
    built = await steps.fetchPrebuilt(target, staging);
    source = 'prebuilt';
  } catch (fetchErr) {
    steps.log(`no prebuilt binary: ${(fetchErr as Error).message}`);
    if (target.platform !== process.platform || target.arch !== process.arch) {
      throw new PrepareError(`no prebuilt better-sqlite3 for ${label}, and it cannot be compiled on ${process.platform}-${process.arch}; prepare it on a ${target.platform}-${target.arch} machine`);
    }
    try {
      steps.log("compiling against Electron's headers (needs network for the headers, and a C++ toolchain)…");
      built = await steps.compile(target, staging);
      source = 'compiled';
    } catch (compileErr) {
      throw new PrepareError(
        `could not prepare better-sqlite3 for ${label}.\n  prebuilt: ${(fetchErr as Error).message}\n  compile: ${(compileErr as Error).message}\n` +
          'Both need network access (the prebuilt binary from better-sqlite3\'s releases, or Electron\'s headers); try again online.',
      );
    }
  }
  const next: BuildStamp = { module: 'better-sqlite3', moduleVersion, ...target, source, preparedAt: steps.now().toISOString() };
  copyFileSync(built, binding + '.new');
  renameSync(binding + '.new', binding);
  writeFileSync(stampPath(dir), JSON.stringify(next, null, 2) + '\n');
  steps.log(`better-sqlite3 for ${label}: ${source} build ready (${binding})`);
  return next;
}
