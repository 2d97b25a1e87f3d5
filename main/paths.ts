import { fileURLToPath } from 'node:url';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where built files live relative to this module. After `npm run build` this file is
 * `dist/main/paths.js`, so the renderer bundle is `dist/renderer/` and the package root is two
 * levels up. The same layout holds inside the packaged app's asar.
 */
export const distDir = fileURLToPath(new URL('..', import.meta.url));
export const rendererDir = join(distDir, 'renderer');
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Default data directory for `vigil serve` and CLI commands (Electron uses `userData`). */
export function defaultDataDir(): string {
  return process.env['VIGIL_DATA'] ?? join(homedir(), '.vigil');
}
