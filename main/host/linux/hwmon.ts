/**
 * node_exporter's hwmon collector, the temperature part: /sys/class/hwmon/hwmon<N>/temp<M>_*
 * (millidegrees) as node_hwmon_temp_*_celsius{chip,sensor}, with the chip named as node_exporter
 * names it (device path's type and name, else the `name` file, else hwmon<N>).
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { NoDataError } from '../collector.js';
import { listOptional, readAttr, sys } from './sources.js';

/** node_exporter's cleanMetricName: lower case, [^a-z0-9:_] → _, trimmed of _. */
function cleanName(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9:_]/g, '_')
    .replace(/^_+|_+$/g, '');
}

async function chipName(dir: string): Promise<string> {
  try {
    const dev = await realpath(join(dir, 'device'));
    const name = cleanName(basename(dev));
    const type = cleanName(basename(dirname(dev)));
    if (type !== '' && name !== '') return `${type}_${name}`;
    if (name !== '') return name;
  } catch {
    /* no device link: try the name file */
  }
  const n = cleanName((readAttr(join(dir, 'name'))) ?? '');
  if (n !== '') return n;
  return cleanName(basename(await realpath(dir)));
}

const tempFiles: Record<string, [string, string]> = {
  input: ['node_hwmon_temp_celsius', 'Hardware monitor for temperature (input)'],
  max: ['node_hwmon_temp_max_celsius', 'Hardware monitor for temperature (max)'],
  crit: ['node_hwmon_temp_crit_celsius', 'Hardware monitor for temperature (crit)'],
  min: ['node_hwmon_temp_min_celsius', 'Hardware monitor for temperature (min)'],
};

export async function collectHwmon(ctx: CollectContext): Promise<Family[]> {
  const base = sys(ctx.paths, 'class', 'hwmon');
  const entries = listOptional(base);
  if (entries === null) throw new NoDataError(`${base} does not exist: hwmon metrics are not available on this system`);
  const out = new FamilySet();
  for (const entry of entries.sort()) {
    const dir = join(base, entry);
    const chip = await chipName(dir);
    const name = readAttr(join(dir, 'name'));
    if (name) out.add('node_hwmon_chip_names', 'Annotation metric for human-readable chip names', 'gauge', 1, { chip, chip_name: name });
    for (const file of ((listOptional(dir)) ?? []).sort()) {
      const m = /^(temp\d+)_(input|max|crit|min|label)$/.exec(file);
      if (!m) continue;
      const sensor = m[1]!;
      const raw = readAttr(join(dir, file));
      if (raw === null || raw === '') continue;
      if (m[2] === 'label') {
        out.add('node_hwmon_sensor_label', 'Label for given chip and sensor', 'gauge', 1, { chip, label: raw, sensor });
        continue;
      }
      const [metric, help] = tempFiles[m[2]!]!;
      const v = Number(raw);
      if (Number.isFinite(v)) out.add(metric, help, 'gauge', v / 1000, { chip, sensor });
    }
  }
  return out.families();
}
