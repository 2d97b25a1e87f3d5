// Child process for bench:host: serves Vigil's host collector at /host/metrics on a free
// loopback port (the same listener the desktop app uses) and prints its address.
import { startMetricsServer } from '../../dist/main/api/metrics-server.js';
import { HostCollector, hostOptions } from '../../dist/main/host/host-collector.js';
import { MetricsRegistry } from '../../dist/main/util/metrics.js';

const exclude = process.argv[2] ?? '';
const server = await startMetricsServer(new MetricsRegistry(), new HostCollector({ options: hostOptions({ netdevDeviceExclude: exclude }) }));
process.stdout.write(`${server.address}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
