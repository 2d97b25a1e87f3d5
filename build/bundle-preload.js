// Bundles the Electron preload into one CommonJS file: sandboxed preloads cannot load ES modules
// or local files, only the `electron` module. Also records the git revision for `status()`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

await build({
  entryPoints: ['main/electron/preload.ts'],
  outfile: 'dist/main/electron/preload.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});

let revision = 'unknown';
try {
  revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  /* not a git checkout */
}
mkdirSync('dist', { recursive: true });
writeFileSync('dist/build-info.json', JSON.stringify({ revision, builtAt: new Date().toISOString() }) + '\n');
