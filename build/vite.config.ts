import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The renderer bundle: relative asset URLs so the same files work on app://vigil/ (Electron)
// and http://127.0.0.1:PORT/ (vigil serve). Everything is bundled; nothing comes from a CDN.
export default defineConfig({
  root: fileURLToPath(new URL('../renderer', import.meta.url)),
  base: './',
  plugins: [react()],
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
