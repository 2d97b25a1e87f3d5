/**
 * The real effects of preparing the Electron build: reading Electron's version and ABI, and
 * better-sqlite3's own two ways to a binary — prebuild-install (its prebuilt release for
 * Electron's runtime and version) and node-gyp (compiling against Electron's headers). Each runs
 * on a private copy of the package, so npm's Node build in node_modules is never touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { sqliteBindingFile, type ElectronTarget } from './electron-build.js';
import type { PrepareSteps } from './prepare-electron.js';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Electron's NODE_MODULE_VERSION, asked of its binary when it is installed for this machine. */
function abiFromBinary(): string | null {
  let binary: string;
  try {
    binary = require('electron') as string;
  } catch {
    return null; // the binary was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD, offline install)
  }
  const r = spawnSync(binary, ['-p', 'process.versions.modules'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 30_000 });
  const abi = r.status === 0 ? r.stdout.trim() : '';
  return /^\d+$/.test(abi) ? abi : null;
}

async function electronTarget(platform: string, arch: string): Promise<ElectronTarget> {
  const electron = (require('electron/package.json') as { version: string }).version;
  const sameMachine = platform === process.platform && arch === process.arch;
  let abi = sameMachine ? abiFromBinary() : null;
  if (abi === null) {
    // The table prebuild-install itself names Electron's prebuilt binaries by.
    const nodeAbi = require('node-abi') as { getAbi(target: string, runtime: string): string };
    abi = nodeAbi.getAbi(electron, 'electron');
  }
  return { electron, abi, platform, arch };
}

/** A fresh copy of better-sqlite3's package (sources, no build) to build in. */
function stage(staging: string): string {
  rmSync(staging, { recursive: true, force: true });
  const src = packageDir('better-sqlite3');
  const dst = join(staging, 'better-sqlite3');
  const skip = join(src, 'build');
  cpSync(src, dst, { recursive: true, filter: (p) => p !== skip && !p.startsWith(skip + sep) });
  return dst;
}

function run(name: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // Output goes to the terminal: it is the progress the user sees.
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], timeout: timeoutMs });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${name} exited with ${signal ?? `code ${code}`} (its output is above)`));
    });
  });
}

function builtBinding(pkg: string): string {
  const file = join(pkg, 'build', 'Release', sqliteBindingFile);
  if (!existsSync(file)) throw new Error(`no ${sqliteBindingFile} was produced in ${dirname(file)}`);
  return file;
}

export function realSteps(opts: { platform: string; arch: string; log: (line: string) => void }): PrepareSteps {
  return {
    target: () => electronTarget(opts.platform, opts.arch),
    moduleVersion: () => (require('better-sqlite3/package.json') as { version: string }).version,
    exists: existsSync,
    async fetchPrebuilt(target, staging) {
      const pkg = stage(staging);
      const bin = join(packageDir('prebuild-install'), 'bin.js');
      await run('prebuild-install', [bin, '--runtime=electron', `--target=${target.electron}`, `--platform=${target.platform}`, `--arch=${target.arch}`, '--verbose'], pkg, 180_000);
      return builtBinding(pkg);
    },
    async compile(target, staging) {
      const pkg = stage(staging);
      const bin = join(packageDir('node-gyp'), 'bin', 'node-gyp.js');
      await run(
        'node-gyp',
        [bin, 'rebuild', '--release', '--runtime=electron', `--target=${target.electron}`, `--arch=${target.arch}`, '--dist-url=https://electronjs.org/headers'],
        pkg,
        900_000,
      );
      return builtBinding(pkg);
    },
    log: opts.log,
    now: () => new Date(),
  };
}
