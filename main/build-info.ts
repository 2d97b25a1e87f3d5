import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildInfo } from '../app/api/status.js';
import { distDir, packageRoot } from './paths.js';

/** Reads `dist/build-info.json` (written by `build/write-build-info.js`) and package.json. */
export function readBuildInfo(runtime = `node ${process.versions.node}`): BuildInfo {
  let version = '0.0.0';
  let revision = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* packaged apps always have package.json; a bare source tree may not be built yet */
  }
  try {
    revision = (JSON.parse(readFileSync(join(distDir, 'build-info.json'), 'utf8')) as { revision: string }).revision;
  } catch {
    /* not built from a git checkout */
  }
  const electron = process.versions['electron'];
  return {
    version,
    revision,
    runtime: electron ? `electron ${electron} (node ${process.versions.node})` : runtime,
    platform: `${process.platform}-${process.arch}`,
  };
}
