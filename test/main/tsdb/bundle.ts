/**
 * Compiles TypeScript entries to plain ESM with esbuild so they can run under `node` or as a
 * worker thread (vitest runs .ts sources, which a Worker or child process cannot load).
 * The tsdb worker is always emitted as `worker.js` beside the other entries: that is where
 * db.ts looks for it (`new URL('./worker.js', import.meta.url)`).
 */
import { build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Native addons cannot be bundled: import better-sqlite3 from the repo by absolute path. */
const nativeExternal: Plugin = {
  name: 'native-external',
  setup(b) {
    b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: require.resolve('better-sqlite3'), external: true }));
  },
};

export async function bundle(outdir: string, entries: Record<string, string> = {}): Promise<void> {
  await build({
    entryPoints: { worker: root + 'main/tsdb/worker.ts', ...Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, root + v])) },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.js' },
    plugins: [nativeExternal],
    logLevel: 'error',
  });
}
