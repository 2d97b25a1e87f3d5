/**
 * The demo fleet and demo mesh behind the overview's toggles: the W-fleet and W-mesh workload
 * servers (main/workload/serve.ts) on loopback ports, started while their toggle is on. The
 * fleet is small (10 hosts × 200 series) so a laptop does not notice it.
 */
import { serveFleet, serveMesh, type FleetServer } from '../workload/serve.js';
import type { DemoAddresses } from './overlay.js';

const fleetTargets = 10;
const fleetSeries = 200;

export class DemoServers {
  private fleet: FleetServer | null = null;
  private mesh: FleetServer | null = null;

  /** Starts or stops each server to match the toggles; returns why one could not start. */
  async sync(want: { demoFleet: boolean; demoMesh: boolean }): Promise<string[]> {
    const problems: string[] = [];
    if (want.demoFleet && this.fleet === null) {
      try {
        this.fleet = await serveFleet({ targets: fleetTargets, series: fleetSeries, seed: 1 });
      } catch (err) {
        problems.push(`the demo fleet did not start: ${(err as Error).message}`);
      }
    } else if (!want.demoFleet && this.fleet !== null) {
      await this.fleet.close();
      this.fleet = null;
    }
    if (want.demoMesh && this.mesh === null) {
      try {
        this.mesh = await serveMesh({ dialect: 'linkerd', seed: 1 });
      } catch (err) {
        problems.push(`the demo mesh did not start: ${(err as Error).message}`);
      }
    } else if (!want.demoMesh && this.mesh !== null) {
      await this.mesh.close();
      this.mesh = null;
    }
    return problems;
  }

  addresses(): DemoAddresses {
    return {
      fleet: this.fleet?.ports.map((p) => `127.0.0.1:${p}`) ?? null,
      mesh: this.mesh ? `127.0.0.1:${this.mesh.ports[0]!}` : null,
    };
  }

  async stop(): Promise<void> {
    await this.sync({ demoFleet: false, demoMesh: false });
  }
}
