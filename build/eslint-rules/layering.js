// Enforces the "may import" column of docs/architecture.md (Folders and what each may import): which folder may import which, who may
// use Node built-ins, and that only main/electron/ imports `electron`. Modelled on VS Code's
// code-layering rule: a table, a resolver, one check per import.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const builtins = new Set(builtinModules);
const isBuiltin = (spec) => spec.startsWith('node:') || builtins.has(spec.split('/')[0]);

/**
 * Zones, most specific first. `allow` lists zones (or single files) a zone may import from;
 * `node` says whether Node built-ins are allowed.
 */
export const zones = [
  { name: 'app', prefix: 'app/', allow: ['app/'], node: false },
  { name: 'renderer', prefix: 'renderer/', allow: ['renderer/', 'app/'], node: false },
  { name: 'main/electron', prefix: 'main/electron/', allow: ['main/', 'app/'], node: true, electron: true },
  // Reads the npm package `electron` (its version, and the path of the binary to ask for its
  // ABI) when preparing Electron's native builds at `npm start`; it never runs inside Electron.
  { name: 'main/native-modules (preparation)', prefix: 'main/native-modules/prepare-electron-steps.ts', allow: ['main/native-modules/', 'main/util/', 'app/'], node: true, electron: true },
  { name: 'main/tsdb', prefix: 'main/tsdb/', allow: ['main/tsdb/', 'main/util/', 'app/'], node: true },
  { name: 'main/promql', prefix: 'main/promql/', allow: ['main/promql/', 'main/tsdb/interface.ts', 'main/tsdb/labels.ts', 'main/tsdb/classic-histogram.ts', 'main/tsdb/memory-storage.ts', 'main/tsdb/step-kernels.ts', 'main/util/', 'app/'], node: true },
  { name: 'main/scrape', prefix: 'main/scrape/', allow: ['main/scrape/', 'main/tsdb/interface.ts', 'main/tsdb/labels.ts', 'main/tsdb/classic-histogram.ts', 'main/config/', 'main/http-client/', 'main/util/', 'app/'], node: true },
  { name: 'main/probe', prefix: 'main/probe/', allow: ['main/probe/', 'main/tsdb/interface.ts', 'main/tsdb/labels.ts', 'main/http-client/', 'main/util/', 'app/'], node: true },
  { name: 'main/rules', prefix: 'main/rules/', allow: ['main/rules/', 'main/promql/', 'main/tsdb/', 'main/notify/', 'main/util/', 'app/'], node: true },
  { name: 'main/notify', prefix: 'main/notify/', allow: ['main/notify/', 'main/http-client/', 'main/util/', 'app/'], node: true },
  // Prometheus' HTTP client config (auth, TLS, OAuth2) for every outgoing request; reads the config schema's types.
  { name: 'main/http-client', prefix: 'main/http-client/', allow: ['main/http-client/', 'main/config/', 'main/util/', 'app/'], node: true },
  // Remote write: reads storage's log, relabels with the scrape relabeler, sends through the one HTTP client.
  { name: 'main/remote', prefix: 'main/remote/', allow: ['main/remote/', 'main/tsdb/db.ts', 'main/tsdb/interface.ts', 'main/tsdb/histogram-log.ts', 'main/tsdb/chunkenc/bstream.ts', 'main/tsdb/chunkenc/codec.ts', 'main/tsdb/chunkenc/xor-value.ts', 'main/tsdb/labels.ts', 'main/scrape/relabel.ts', 'main/scrape/parse/native-histogram.ts', 'main/config/', 'main/http-client/', 'main/util/', 'app/'], node: true },
  { name: 'main/config', prefix: 'main/config/', allow: ['main/config/', 'main/util/', 'app/'], node: true },
  // This machine's metrics with node_exporter's names: reads /proc, /sys and systeminformation; knows nothing of storage or scraping.
  { name: 'main/host', prefix: 'main/host/', allow: ['main/host/', 'main/util/', 'app/'], node: true },
  { name: 'main/query-frontend', prefix: 'main/query-frontend/', allow: ['main/query-frontend/', 'main/tsdb/interface.ts', 'main/tsdb/labels.ts', 'main/util/', 'app/'], node: false },
  // The memory budget: reads RSS and acts through callbacks the engine wires; knows no subsystem.
  { name: 'main/memory', prefix: 'main/memory/', allow: ['main/memory/', 'main/util/', 'app/'], node: true },
  { name: 'main/network', prefix: 'main/network/', allow: ['main/network/', 'main/util/', 'app/'], node: true },
  { name: 'main/util', prefix: 'main/util/', allow: ['main/util/', 'app/'], node: true },
  { name: 'main', prefix: 'main/', allow: ['main/', 'app/'], deny: ['main/electron/'], node: true },
  { name: 'test', prefix: 'test/', allow: ['app/', 'main/', 'renderer/', 'test/', 'build/'], node: true },
  // Build scripts that run engine code run its compiled output (dist/main/ mirrors main/).
  { name: 'build', prefix: 'build/', allow: ['build/', 'app/', 'main/', 'dist/main/'], node: true },
];

function zoneOf(path) {
  return zones.find((z) => path.startsWith(z.prefix)) ?? null;
}

function toPosix(p) {
  return p.split(sep).join('/');
}

/** Maps an emitted `.js` specifier back to its TypeScript source path. */
function sourcePath(p) {
  return p.replace(/\.js$/, '.ts');
}

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the folder layering of docs/architecture.md' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      layer: '{{from}} may not import {{target}} (allowed: {{allowed}}); see the layering table in docs/architecture.md',
      node: '{{from}} may not use the Node built-in "{{spec}}": this code also runs where Node is absent',
      electron: 'only main/electron/ may import "electron"; {{from}} must stay plain Node',
    },
  },
  create(context) {
    const root = resolve(context.options[0]?.root ?? context.cwd);
    const file = toPosix(relative(root, context.filename));
    const zone = zoneOf(file);
    if (zone === null || file.startsWith('..')) return {};

    function check(node, spec) {
      if (typeof spec !== 'string') return;
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!zone.electron) context.report({ node, messageId: 'electron', data: { from: zone.name } });
        return;
      }
      if (isBuiltin(spec)) {
        if (!zone.node) context.report({ node, messageId: 'node', data: { from: zone.name, spec } });
        return;
      }
      if (!spec.startsWith('.')) return; // a package: governed by package.json, not by layering
      const target = toPosix(relative(root, resolve(dirname(context.filename), spec)));
      const targetSrc = sourcePath(target);
      const denied = (zone.deny ?? []).some((d) => targetSrc.startsWith(d));
      const allowed = zone.allow.some((a) => (a.endsWith('/') ? targetSrc.startsWith(a) : targetSrc === a || target === a));
      if (denied || !allowed) {
        context.report({
          node,
          messageId: 'layer',
          data: { from: zone.name, target: targetSrc, allowed: zone.allow.join(', ') },
        });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node.arguments[0], node.arguments[0].value);
        }
      },
    };
  },
};

export default { rules: { layering: layeringRule } };
