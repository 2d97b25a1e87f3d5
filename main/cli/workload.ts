import { parseArgs } from 'node:util';
import { dumpWorkload } from '../workload/dump.js';
import { serveFleet, serveMesh } from '../workload/serve.js';
import { meshDialects, type MeshDialect } from '../workload/mesh.js';
import { tryParseDuration } from '../../app/dialect/duration.js';
import { UsageError, type Command } from './command.js';

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

export const workloadServeCommand: Command = {
  words: ['workload', 'serve'],
  usage: 'vigil workload serve [--targets 50] [--series 2000] [--seed 1] [--base-port P] | --mesh linkerd|istio|otel [--services N --edges M] [--seed 1] [--base-port P]',
  summary: 'serve the W-fleet demo targets on 127.0.0.1 (one port per target), or the W-mesh demo service mesh in one dialect (one port)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { targets: { type: 'string' }, series: { type: 'string' }, seed: { type: 'string' }, 'base-port': { type: 'string' }, mesh: { type: 'string' }, services: { type: 'string' }, edges: { type: 'string' } },
      strict: true,
    });
    const mesh = values.mesh;
    if (mesh !== undefined && !(meshDialects as readonly string[]).includes(mesh)) {
      throw new UsageError(`--mesh must be one of ${meshDialects.join(', ')}, got ${JSON.stringify(mesh)}`);
    }
    const seed = int(values.seed, 'seed', 1);
    const basePort = int(values['base-port'], 'base-port', 0);
    const fleet =
      mesh !== undefined
        ? await serveMesh({
            dialect: mesh as MeshDialect,
            seed,
            port: basePort,
            // The demo mesh, or a synthetic one of this size (W-mesh: 200 services, 1,000 edges).
            ...(values.services !== undefined ? { size: { services: int(values.services, 'services', 200), edges: int(values.edges, 'edges', 1000) } } : {}),
          })
        : await serveFleet({ targets: int(values.targets, 'targets', 50), series: int(values.series, 'series', 2000), seed, basePort });
    const targets = fleet.ports.map((p) => `127.0.0.1:${p}`);
    // A file_sd target group: paste into a config, or point file_sd_configs at the output.
    process.stdout.write(JSON.stringify([{ targets, labels: { job: mesh !== undefined ? `mesh-${mesh}` : 'fleet' } }]) + '\n');
    await new Promise<void>((done) => {
      const stop = () => void fleet.close().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};

export const workloadDumpCommand: Command = {
  words: ['workload', 'dump'],
  usage: 'vigil workload dump --out FILE [--format openmetrics|prometheus] [--series 10000] [--samples 720] [--step 15s] [--seed 1] [--start UNIX_MS]',
  summary: 'write the W-offline data set (series × samples) as OpenMetrics or Prometheus text with timestamps',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        format: { type: 'string', default: 'openmetrics' },
        series: { type: 'string' },
        samples: { type: 'string' },
        step: { type: 'string', default: '15s' },
        seed: { type: 'string' },
        start: { type: 'string' },
      },
      strict: true,
    });
    if (!values.out) throw new UsageError('--out FILE is required');
    if (values.format !== 'openmetrics' && values.format !== 'prometheus') {
      throw new UsageError(`--format must be openmetrics or prometheus, got ${JSON.stringify(values.format)}`);
    }
    const stepMs = tryParseDuration(values.step ?? '15s');
    if (stepMs === null || stepMs <= 0) throw new UsageError(`--step must be a duration like 15s, got ${JSON.stringify(values.step)}`);
    const samples = int(values.samples, 'samples', 720);
    const startMs =
      values.start !== undefined ? int(values.start, 'start', 0) : Math.floor((Date.now() - samples * stepMs) / stepMs) * stepMs;
    const began = Date.now();
    const summary = dumpWorkload({
      out: values.out,
      format: values.format,
      seed: int(values.seed, 'seed', 1),
      totalSeries: int(values.series, 'series', 10_000),
      samples,
      stepMs,
      startMs,
    });
    process.stdout.write(
      `wrote ${values.out}: ${summary.series} series, ${summary.samples} samples, ${(summary.bytes / 1e6).toFixed(1)} MB, ` +
        `${new Date(summary.startMs).toISOString()} .. ${new Date(summary.endMs).toISOString()} in ${((Date.now() - began) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  },
};
