import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileDiscoverer, expandPattern } from '../../../../main/scrape/sd/file.js';
import type { DiscoveryErrorEvent, TargetGroup } from '../../../../main/scrape/sd/discoverer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-filesd-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Collects updates into the merged state a TargetPools would hold. */
function collector() {
  const state = new Map<string, TargetGroup>();
  let check: () => void = () => {};
  const send = (groups: readonly TargetGroup[]) => {
    for (const g of groups) {
      if (g.targets.length === 0) state.delete(g.source);
      else state.set(g.source, g);
    }
    check();
  };
  const addresses = () => [...state.values()].flatMap((g) => g.targets.map((t) => t['__address__'])).sort();
  const until = (pred: () => boolean) =>
    new Promise<void>((done) => {
      check = () => {
        if (pred()) done();
      };
      check();
    });
  return { state, send, addresses, until };
}

describe('file SD', () => {
  it('reads JSON and YAML groups with __meta_filepath', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ targets: ['h:1', 'h:2'], labels: { env: 'prod' } }]));
    writeFileSync(join(dir, 'b.yml'), '- targets: [h:3]\n');
    writeFileSync(join(dir, 'ignored.txt'), 'x');
    const c = collector();
    const d = new FileDiscoverer({ files: [join(dir, '*.json'), join(dir, '*.yml')], refresh_interval: 60_000 });
    await d.refresh(c.send);
    expect(c.addresses()).toEqual(['h:1', 'h:2', 'h:3']);
    const g = c.state.get(`${join(dir, 'a.json')}:0`)!;
    expect(g.labels).toEqual({ env: 'prod', __meta_filepath: join(dir, 'a.json') });
  });

  it('a broken file keeps its previous groups and reports the file; a removed file removes them', async () => {
    const file = join(dir, 'a.json');
    writeFileSync(file, JSON.stringify([{ targets: ['h:1'] }, { targets: ['h:2'] }]));
    const errors: DiscoveryErrorEvent[] = [];
    const c = collector();
    const d = new FileDiscoverer({ files: [join(dir, '*.json')], refresh_interval: 60_000 }, (e) => errors.push(e));
    await d.refresh(c.send);
    writeFileSync(file, '[{"targets": [');
    await d.refresh(c.send);
    expect(c.addresses()).toEqual(['h:1', 'h:2']);
    expect(errors[0]!.message).toContain(file);
    writeFileSync(file, JSON.stringify([{ targets: ['h:1'], labels: { 'bad-name': 'x' } }]));
    await d.refresh(c.send);
    expect(errors[1]!.message).toContain('"bad-name" is not a valid label name');
    writeFileSync(file, JSON.stringify([{ targets: ['h:1'] }]));
    await d.refresh(c.send);
    expect(c.addresses()).toEqual(['h:1']); // group 1 vanished from the file
    unlinkSync(file);
    await d.refresh(c.send);
    expect(c.addresses()).toEqual([]);
  });

  it('watches: a change to a watched file is picked up without waiting for refresh_interval', async () => {
    const file = join(dir, 'targets.yaml');
    writeFileSync(file, '- targets: [h:1]\n');
    const c = collector();
    const ac = new AbortController();
    const running = new FileDiscoverer({ files: [file], refresh_interval: 3_600_000 }, () => {}, 20).run(ac.signal, c.send);
    await c.until(() => c.addresses().join() === 'h:1');
    writeFileSync(file, '- targets: [h:1, h:9]\n');
    await c.until(() => c.addresses().join() === 'h:1,h:9');
    ac.abort();
    await running;
  });

  it('expands patterns only in the file name', async () => {
    writeFileSync(join(dir, 'x1.json'), '[]');
    writeFileSync(join(dir, 'x2.json'), '[]');
    writeFileSync(join(dir, 'y.json'), '[]');
    expect(expandPattern(join(dir, 'x?.json'))).toEqual([join(dir, 'x1.json'), join(dir, 'x2.json')]);
    expect(expandPattern(join(dir, '[xy]*.json'))).toHaveLength(3);
    expect(expandPattern(join(dir, 'missing', '*.json'))).toEqual([]);
  });
});
