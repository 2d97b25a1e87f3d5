#!/usr/bin/env node
// Prepares the Electron build of better-sqlite3 in native/electron/ (run by `npm start` and
// `npm run dist` after `npm run build`; `npm test` never runs it). Options: --platform P --arch A
// (to package for another system: only a prebuilt binary can be had then).
// docs/desktop.md says why two builds exist and what needs network.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { electronBuildDir } from '../dist/main/native-modules/electron-build.js';
import { prepareElectronBuild, PrepareError } from '../dist/main/native-modules/prepare-electron.js';
import { realSteps } from '../dist/main/native-modules/prepare-electron-steps.js';

const { values } = parseArgs({
  options: { platform: { type: 'string', default: process.platform }, arch: { type: 'string', default: process.arch } },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line) => process.stdout.write(`prepare:electron: ${line}\n`);
try {
  await prepareElectronBuild(realSteps({ platform: values.platform, arch: values.arch, log }), electronBuildDir(root));
} catch (e) {
  process.stderr.write(`prepare:electron: ${e instanceof PrepareError ? e.message : e.stack}\n`);
  process.exit(1);
}
