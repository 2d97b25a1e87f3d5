import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { rendererCsp } from '../main/api/csp.js';

// The same policy both shells send as a header, also in the page itself, so the renderer is
// covered however it is loaded. `frame-ancestors` only works as a header (a <meta> copy is
// ignored with a console error), so it stays there.
const metaCsp = rendererCsp
  .split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

// The renderer bundle: relative asset URLs so the same files work on app://vigil/ (Electron)
// and http://127.0.0.1:PORT/ (vigil serve). Everything is bundled; nothing comes from a CDN.
export default defineConfig({
  root: fileURLToPath(new URL('../renderer', import.meta.url)),
  base: './',
  plugins: [
    react(),
    {
      name: 'vigil-csp-meta',
      transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaCsp }, injectTo: 'head-prepend' }],
    },
  ],
  resolve: {
    // Monaco's editor contributions (suggest, hover, snippets…) and codicon CSS are not in its
    // package exports; this alias lets renderer/promql-language/monaco.ts pick exactly those.
    alias: [{ find: /^monaco-esm\/(.*)$/, replacement: fileURLToPath(new URL('../node_modules/monaco-editor/esm/vs/', import.meta.url)) + '$1' }],
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 6000,
  },
});
