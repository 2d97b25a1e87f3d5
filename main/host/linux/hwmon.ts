/**
 * node_exporter's hwmon collector: every sensor file of /sys/class/hwmon/hwmon<N> (and its
 * device directory) as node_hwmon_<type>[_<element>]_<unit>{chip,sensor} — temperatures,
 * voltages, fans, currents, power, energy, humidity, alarms — scaled to base units, with the chip
 * named as node_exporter names it (device path's type and name, else the `name` file, else hwmon<N>).
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

const sensorTypes = new Set(['vrm', 'beep_enable', 'update_interval', 'in', 'cpu', 'fan', 'pwm', 'temp', 'curr', 'power', 'energy', 'humidity', 'intrusion']);
const fileName = /^([^0-9]+)([0-9]*)(?:_(.+))?$/;

/** Sensor → element → raw value, from the files of `dir` named <type><n>[_<element>]. */
function readSensors(dir: string, into: Map<string, Map<string, string>>): void {
  for (const file of listOptional(dir) ?? []) {
    const m = fileName.exec(file);
    if (!m || !sensorTypes.has(m[1]!)) continue;
    const raw = readAttr(join(dir, file));
    if (raw === null) continue;
    const sensor = `${m[1]}${m[2] === '' ? '0' : Number(m[2])}`;
    let elements = into.get(sensor);
    if (!elements) into.set(sensor, (elements = new Map()));
    elements.set(m[3] ?? '', raw);
  }
}

/** One element of one sensor as node_exporter names, scales and types it: [name, help, type, scale]. */
function describe(type: string, element: string, name: string): [string, string, 'gauge' | 'counter', number] {
  if (element === 'fault' || element === 'alarm') return [name, `Hardware sensor ${element} status (${type})`, 'gauge', 1];
  if (element === 'beep') return [`${name}_enabled`, 'Hardware monitor sensor has beeping enabled', 'gauge', 1];
  if (type === 'in' || type === 'cpu') return [`${name}_volts`, `Hardware monitor for voltage (${element})`, 'gauge', 0.001];
  if (type === 'temp' && element !== 'type') return [`${name}_celsius`, `Hardware monitor for temperature (${element})`, 'gauge', 0.001];
  if (type === 'curr') return [`${name}_amps`, `Hardware monitor for current (${element})`, 'gauge', 0.001];
  if (type === 'energy') return [`${name}_joule_total`, `Hardware monitor for joules used so far (${element})`, 'counter', 1e-6];
  if (type === 'power' && element === 'accuracy') return [name, 'Hardware monitor power meter accuracy, as a ratio', 'gauge', 1e-6];
  if (type === 'power' && /^average_interval(_min|_max)?$/.test(element)) return [`${name}_seconds`, `Hardware monitor power usage update interval (${element})`, 'gauge', 0.001];
  if (type === 'power') return [`${name}_watt`, `Hardware monitor for power usage in watts (${element})`, 'gauge', 1e-6];
  if (type === 'humidity') return [name, `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`, 'gauge', 1e-6];
  if (type === 'fan' && ['input', 'min', 'max', 'target'].includes(element)) return [`${name}_rpm`, `Hardware monitor for fan revolutions per minute (${element})`, 'gauge', 1];
  return [name, `Hardware monitor ${type} element ${element}`, 'gauge', 1];
}

function addSensor(out: FamilySet, chip: string, sensor: string, elements: Map<string, string>): void {
  const type = /^[^0-9]+/.exec(sensor)![0];
  const l = { chip, sensor };
  const label = elements.get('label');
  if (label) out.add('node_hwmon_sensor_label', 'Label for given chip and sensor', 'gauge', 1, { chip, label, sensor });
  const number = (v: string | undefined): number | null => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
  if (type === 'beep_enable') {
    out.add('node_hwmon_beep_enabled', 'Hardware beep enabled', 'gauge', elements.get('') === '1' ? 1 : 0, l);
    return;
  }
  if (type === 'vrm' || type === 'update_interval') {
    const v = number(elements.get(''));
    if (v === null) return;
    if (type === 'vrm') out.add('node_hwmon_voltage_regulator_version', 'Hardware voltage regulator', 'gauge', v, l);
    else out.add('node_hwmon_update_interval_seconds', 'Hardware monitor update interval', 'gauge', v * 0.001, l);
    return;
  }
  for (const [element, raw] of elements) {
    if (element === 'label') continue;
    let name = `node_hwmon_${type}`;
    if (element === 'input') {
      if (elements.has('')) name += '_input'; // "input" is the value itself unless a bare file holds that
    } else if (element !== '') name += `_${cleanName(element)}`;
    const v = number(raw);
    if (v === null) continue;
    const [metric, help, mtype, scale] = describe(type, element, name);
    out.add(metric, help, mtype, v * scale, l);
  }
}

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
    // Older drivers keep their sensor files in the device directory.
    const sensors = new Map<string, Map<string, string>>();
    readSensors(dir, sensors);
    readSensors(join(dir, 'device'), sensors);
    for (const sensor of [...sensors.keys()].sort()) addSensor(out, chip, sensor, sensors.get(sensor)!);
  }
  return out.families();
}
