/**
 * The first-run check: before the engine starts, load each native module the way the engine will,
 * and turn a failure into a message that says which module, why (ABI numbers, platform) and the
 * one command that fixes it. The Electron shell shows it in a native dialog; `vigil serve` prints
 * it. A missing or mismatched build must never end in a silent exit or a blank window.
 */
import { openSqlite, sqliteBinding } from '../util/sqlite.js';

/** The process that loads the modules. `abi` is its NODE_MODULE_VERSION. */
export interface NativeRuntime {
  readonly kind: 'electron' | 'node';
  readonly version: string;
  readonly abi: string;
  readonly platform: string;
  readonly arch: string;
  /** A packaged app cannot be fixed with npm: the fix is to reinstall it. */
  readonly packaged: boolean;
}

export function currentRuntime(packaged = false): NativeRuntime {
  const electron = process.versions['electron'];
  return {
    kind: electron === undefined ? 'node' : 'electron',
    version: electron ?? process.versions.node,
    abi: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
    packaged,
  };
}

export type FailureKind = 'abi-mismatch' | 'missing' | 'wrong-platform' | 'other';

export interface NativeModuleFailure {
  readonly module: string;
  /** The file that was loaded (undefined: the module's own lookup in node_modules). */
  readonly binding: string | undefined;
  readonly kind: FailureKind;
  /** NODE_MODULE_VERSION the build was made for, when the loader said. */
  readonly builtForAbi: string | undefined;
  readonly error: string;
}

/** Loads one native module as the engine will; throws the loader's error. */
export interface NativeModule {
  readonly name: string;
  readonly binding: () => string | undefined;
  readonly load: () => void;
}

export const nativeModules: readonly NativeModule[] = [
  {
    name: 'better-sqlite3',
    binding: sqliteBinding,
    load: () => openSqlite(':memory:').close(),
  },
];

const abiPattern = /NODE_MODULE_VERSION (\d+)\. This version of \S+(?: \S+)? requires\s+NODE_MODULE_VERSION (\d+)/;

export function classify(error: string): { kind: FailureKind; builtForAbi: string | undefined } {
  const abi = abiPattern.exec(error);
  if (abi) return { kind: 'abi-mismatch', builtForAbi: abi[1] };
  if (/ENOENT|Cannot find module|Could not locate the bindings file|no such file/i.test(error)) return { kind: 'missing', builtForAbi: undefined };
  if (/invalid ELF header|wrong ELF class|not a valid Win32 application|incompatible architecture|not a mach-o file|file too short|slice is not valid/i.test(error)) {
    return { kind: 'wrong-platform', builtForAbi: undefined };
  }
  return { kind: 'other', builtForAbi: undefined };
}

/** Every native module that fails to load, in the order of `modules`; empty when all load. */
export function checkNativeModules(modules: readonly NativeModule[] = nativeModules): NativeModuleFailure[] {
  const failures: NativeModuleFailure[] = [];
  for (const m of modules) {
    try {
      m.load();
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      failures.push({ module: m.name, binding: m.binding(), ...classify(error), error });
    }
  }
  return failures;
}

function why(f: NativeModuleFailure, rt: NativeRuntime): string {
  const runtime = rt.kind === 'electron' ? `Electron ${rt.version}` : `Node.js ${rt.version}`;
  const where = f.binding ?? 'node_modules';
  switch (f.kind) {
    case 'abi-mismatch':
      return `${where} was built for NODE_MODULE_VERSION ${f.builtForAbi}, but ${runtime} needs NODE_MODULE_VERSION ${rt.abi} (${rt.platform}-${rt.arch}).` +
        (rt.kind === 'electron' ? ' npm builds native modules for the Node.js that ran it, not for Electron.' : '');
    case 'missing':
      return `there is no build of ${f.module} for ${runtime} (NODE_MODULE_VERSION ${rt.abi}, ${rt.platform}-${rt.arch}) at ${where}.`;
    case 'wrong-platform':
      return `${where} was built for another platform or processor than this ${rt.platform}-${rt.arch}.`;
    case 'other':
      return `loading ${where} under ${runtime} (NODE_MODULE_VERSION ${rt.abi}, ${rt.platform}-${rt.arch}) failed.`;
  }
}

function fix(f: NativeModuleFailure, rt: NativeRuntime): string {
  if (rt.packaged) return 'Reinstall Vigil from its installer; this copy of the app is incomplete or was built for another system.';
  if (rt.kind === 'electron') return 'Run `npm run prepare:electron` in the Vigil folder (it fetches or builds the Electron build), then `npm start` again.';
  return `Run \`npm rebuild ${f.module}\` in the Vigil folder with the Node.js you start Vigil with (${rt.version}).`;
}

/** The dialog's (or the terminal's) text for the first failure, and a one-line title. */
export function describeNativeFailure(failures: readonly NativeModuleFailure[], rt: NativeRuntime): { title: string; message: string } {
  const f = failures[0];
  if (f === undefined) throw new Error('describeNativeFailure needs a failure');
  const others = failures.slice(1).map((o) => o.module);
  return {
    title: `Vigil cannot start: the native module ${f.module} does not load`,
    message: [
      `Why: ${why(f, rt)}`,
      `Fix: ${fix(f, rt)}`,
      ...(others.length > 0 ? [`Also failing: ${others.join(', ')}.`] : []),
      `Details: ${f.error}`,
    ].join('\n\n'),
  };
}
