/**
 * Where the Electron build of better-sqlite3 lives, and which build a running process loads.
 *
 * npm installs native modules for the Node.js that ran it; Electron's main process and its worker
 * threads have another NODE_MODULE_VERSION and refuse that build. So Vigil keeps two builds side
 * by side: npm's, in node_modules (used by `vigil serve`, the CLI and the tests), and Electron's,
 * prepared by `npm run prepare:electron` (build/prepare-electron.js) into `native/electron/`,
 * which `npm run dist` copies into the app's resources. docs/desktop.md describes the whole path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What an Electron build is built for. `abi` is Electron's NODE_MODULE_VERSION. */
export interface ElectronTarget {
  readonly electron: string;
  readonly abi: string;
  readonly platform: string;
  readonly arch: string;
}

/** Written beside the build: what it was built for and from, to tell a stale build from a good one. */
export interface BuildStamp extends ElectronTarget {
  readonly module: 'better-sqlite3';
  readonly moduleVersion: string;
  readonly source: 'prebuilt' | 'compiled';
  readonly preparedAt: string;
}

export const sqliteBindingFile = 'better_sqlite3.node';
const stampFileName = 'better_sqlite3.json';

/** The folder of the Electron builds in a source checkout. */
export function electronBuildDir(appRoot: string): string {
  return join(appRoot, 'native', 'electron');
}

export function stampPath(dir: string): string {
  return join(dir, stampFileName);
}

/** The stamp of the build in `dir`, or null when there is none or it cannot be read. */
export function readStamp(dir: string): BuildStamp | null {
  const file = stampPath(dir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BuildStamp;
  } catch {
    return null;
  }
}

export interface AppLocation {
  /** `app.isPackaged`: installed from a package rather than run from a checkout. */
  readonly isPackaged: boolean;
  /** `process.resourcesPath`: where a packaged app's extra resources are. */
  readonly resourcesPath: string;
  /** `app.getAppPath()`: the checkout's root when run with `electron .`. */
  readonly appRoot: string;
}

/**
 * The better-sqlite3 build a process must load: Electron's build when it runs inside Electron
 * (from the checkout in development, from the resources when packaged), and `undefined` — npm's
 * own build — under plain Node, which is also how the shell's tests run it.
 */
export function chooseSqliteBinding(electronVersion: string | undefined, where: AppLocation): string | undefined {
  if (electronVersion === undefined) return undefined;
  return where.isPackaged
    ? join(where.resourcesPath, 'native', sqliteBindingFile)
    : join(electronBuildDir(where.appRoot), sqliteBindingFile);
}

/**
 * Worker threads cannot start from inside the app's asar archive, so the packaged app unpacks the
 * storage worker's files (electron-builder.yml, asarUnpack) and starts it from there.
 */
export function unpackedFromAsar(url: URL, isPackaged: boolean): URL {
  return isPackaged ? new URL(url.href.replace(/\/app\.asar\//, '/app.asar.unpacked/')) : url;
}
