import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
  /**
   * A build output whose name carries its content hash (`assets/index-C4ohhuta.js`): a new build
   * writes new names, so browsers may keep it for good and a page load need not ask for it again
   * (`index.html`, which names them, is always asked again).
   */
  immutable: boolean;
}

/** Vite's output names: `assets/<name>-<8-character content hash>.<ext>`. */
const hashedAsset = /^assets[/\\][^/\\]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+(\.map)?$/;

/**
 * Resolves a URL path to a file under `root`, refusing anything that would leave it. `/` and
 * unknown extension-less paths serve `index.html` (the renderer routes by hash). Shared by
 * `vigil serve` and Electron's `app://` protocol.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[/\\]/).includes('..')) return null;
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(root, relative === '' ? 'index.html' : relative);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    const info = await stat(file);
    if (info.isDirectory()) file = join(file, 'index.html');
  } catch {
    if (extname(file) !== '') return null;
    file = join(root, 'index.html');
  }
  try {
    const body = await readFile(file);
    return { body, contentType: mimeTypes[extname(file)] ?? 'application/octet-stream', immutable: hashedAsset.test(relative) };
  } catch {
    return null;
  }
}
