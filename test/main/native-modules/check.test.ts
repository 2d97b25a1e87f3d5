import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkNativeModules, classify, describeNativeFailure, nativeModules, type NativeModule, type NativeRuntime } from '../../../main/native-modules/check.js';
import { chooseSqliteBinding, unpackedFromAsar } from '../../../main/native-modules/electron-build.js';
import { useSqliteBinding } from '../../../main/util/sqlite.js';

// The text Electron's loader throws for a module npm built for Node.js 20 (ABI 115) when
// Electron 40 (ABI 143) loads it: Node's dlopen message, unchanged by Electron.
const electronAbiError =
  "The module '/home/u/vigil/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
  'was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\n' +
  'NODE_MODULE_VERSION 143. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).';

const electron: NativeRuntime = { kind: 'electron', version: '40.8.5', abi: '143', platform: 'darwin', arch: 'arm64', packaged: false };
const node: NativeRuntime = { kind: 'node', version: '20.20.2', abi: '115', platform: 'linux', arch: 'x64', packaged: false };

const throwing = (message: string, binding?: string): NativeModule => ({
  name: 'better-sqlite3',
  binding: () => binding,
  load: () => {
    throw new Error(message);
  },
});

afterEach(() => useSqliteBinding(undefined));

describe('choice of the better-sqlite3 build', () => {
  const where = { isPackaged: false, resourcesPath: '/Applications/Vigil.app/Contents/Resources', appRoot: '/home/u/vigil' };
  it("under plain Node (vigil serve, the CLI, the tests) npm's own build is used", () => {
    expect(chooseSqliteBinding(undefined, where)).toBeUndefined();
  });
  it("in Electron from a checkout, the prepared build in native/electron/", () => {
    expect(chooseSqliteBinding('40.8.5', where)).toBe(join('/home/u/vigil', 'native', 'electron', 'better_sqlite3.node'));
  });
  it('in a packaged app, the build in the resources', () => {
    expect(chooseSqliteBinding('40.8.5', { ...where, isPackaged: true })).toBe(join('/Applications/Vigil.app/Contents/Resources', 'native', 'better_sqlite3.node'));
  });
  it('the packaged app starts the storage worker from the unpacked copy, a checkout from where it is', () => {
    const url = new URL('file:///Applications/Vigil.app/Contents/Resources/app.asar/dist/main/tsdb/worker.js');
    expect(unpackedFromAsar(url, true).href).toBe('file:///Applications/Vigil.app/Contents/Resources/app.asar.unpacked/dist/main/tsdb/worker.js');
    expect(unpackedFromAsar(new URL('file:///home/u/vigil/dist/main/tsdb/worker.js'), false).href).toBe('file:///home/u/vigil/dist/main/tsdb/worker.js');
  });
});

describe('first-run check of native modules', () => {
  it("npm's build loads under this Node: no failure", () => {
    expect(checkNativeModules()).toEqual([]);
  });

  it('an ABI mismatch in Electron names the module, both ABI numbers, the platform and the one fixing command', () => {
    const failures = checkNativeModules([throwing(electronAbiError, '/home/u/vigil/native/electron/better_sqlite3.node')]);
    expect(failures).toMatchObject([{ module: 'better-sqlite3', kind: 'abi-mismatch', builtForAbi: '115' }]);
    const { title, message } = describeNativeFailure(failures, electron);
    expect(title).toBe('Vigil cannot start: the native module better-sqlite3 does not load');
    expect(message).toContain('was built for NODE_MODULE_VERSION 115, but Electron 40.8.5 needs NODE_MODULE_VERSION 143 (darwin-arm64)');
    expect(message).toContain('Fix: Run `npm run prepare:electron` in the Vigil folder');
    expect(message).toContain('Details: The module');
  });

  it("in vigil serve the same failure is told in Node's wording with npm rebuild", () => {
    const msg = electronAbiError.replace('NODE_MODULE_VERSION 115', 'NODE_MODULE_VERSION 143').replace('requires\nNODE_MODULE_VERSION 143', 'requires\nNODE_MODULE_VERSION 115');
    const { message } = describeNativeFailure(checkNativeModules([throwing(msg)]), node);
    expect(message).toContain('node_modules was built for NODE_MODULE_VERSION 143, but Node.js 20.20.2 needs NODE_MODULE_VERSION 115 (linux-x64)');
    expect(message).toContain('Fix: Run `npm rebuild better-sqlite3` in the Vigil folder with the Node.js you start Vigil with (20.20.2)');
    expect(message).not.toContain('prepare:electron');
  });

  it('a packaged app is told to reinstall, not to run npm', () => {
    const { message } = describeNativeFailure(checkNativeModules([throwing(electronAbiError)]), { ...electron, packaged: true });
    const fix = message.split('\n\n').find((part) => part.startsWith('Fix:'));
    expect(fix).toMatch(/^Fix: Reinstall Vigil/);
    expect(fix).not.toContain('npm');
  });

  it('classifies the loaders\' other failures', () => {
    expect(classify("Cannot find module '/x/native/electron/better_sqlite3.node'").kind).toBe('missing');
    expect(classify('/x/better_sqlite3.node: invalid ELF header').kind).toBe('wrong-platform');
    expect(classify("dlopen(/x/better_sqlite3.node, 0x0001): tried: '/x/better_sqlite3.node' (mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64'))").kind).toBe('wrong-platform');
    expect(classify('something else').kind).toBe('other');
  });

  describe('through the real better-sqlite3 loader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-native-'));
    afterEach(() => useSqliteBinding(undefined));
    it('a missing Electron build is reported as missing, with its path', () => {
      const missing = join(dir, 'native', 'electron', 'better_sqlite3.node');
      useSqliteBinding(missing);
      const failures = checkNativeModules(nativeModules);
      expect(failures).toMatchObject([{ module: 'better-sqlite3', kind: 'missing', binding: missing }]);
      expect(describeNativeFailure(failures, electron).message).toContain(`there is no build of better-sqlite3 for Electron 40.8.5 (NODE_MODULE_VERSION 143, darwin-arm64) at ${missing}`);
    });
    it('a damaged or foreign build file is reported, never thrown past the check', () => {
      const bogus = join(dir, 'bogus.node');
      writeFileSync(bogus, 'not a shared object at all, just text standing in for a foreign binary');
      useSqliteBinding(bogus);
      const failures = checkNativeModules(nativeModules);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.binding).toBe(bogus);
      expect(failures[0]!.kind).not.toBe('abi-mismatch');
      expect(describeNativeFailure(failures, node).message).toContain(bogus);
    });
    it('a chosen build that is valid for this Node loads', () => {
      const copy = join(dir, 'copy.node');
      copyFileSync(join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), copy);
      useSqliteBinding(copy);
      expect(checkNativeModules(nativeModules)).toEqual([]);
    });
    it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
  });
});
