#!/usr/bin/env node
// The `vigil` command. The engine is TypeScript compiled to dist/ by `npm run build`; this shim
// only finds it and says what to do when it is missing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `vigil import` starts from its own entry, which loads only that command (main/cli-import.ts).
const entry = new URL(process.argv[2] === 'import' ? '../../dist/main/cli-import.js' : '../../dist/main/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('vigil: the engine is not built yet; run `npm run build` (or `npm run serve`) first\n');
  process.exit(2);
}
// `serve --memory-budget`: the main thread's heap limit can only be set when Node starts
// (main/memory/heap-limit.ts), so Node is started again with it.
const heap = await import(new URL('../../dist/main/memory/heap-limit.js', import.meta.url).href);
const heapArgs = heap.serveHeapArgs(process.argv.slice(2), process.execArgv, process.env.NODE_OPTIONS);
if (heapArgs !== null) {
  process.exitCode = await heap.reexec(heapArgs, fileURLToPath(import.meta.url), process.argv.slice(2));
  process.exit();
}
// GC settings before the engine allocates (main/util/gc-tuning.ts says why).
const { tuneGarbageCollector } = await import(new URL('../../dist/main/util/gc-tuning.js', import.meta.url).href);
tuneGarbageCollector();
const { runCli } = await import(entry.href);
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
