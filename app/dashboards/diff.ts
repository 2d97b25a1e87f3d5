import type { DashboardChange } from '../api/dashboards.js';

/**
 * The changes between two JSON values as a list of paths (`panels[3].targets[0].expr`): added,
 * removed or changed leaves. Arrays compare by index, which is how dashboard versions differ
 * (panels keep their order), and keeps the list readable without a move detector.
 */
export function diffJson(before: unknown, after: unknown, path = ''): DashboardChange[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: DashboardChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= after.length) out.push({ path: p, kind: 'removed', before: before[i] });
      else if (i >= before.length) out.push({ path: p, kind: 'added', after: after[i] });
      else out.push(...diffJson(before[i], after[i], p));
    }
    return out;
  }
  if (isPlain(before) && isPlain(after)) {
    const out: DashboardChange[] = [];
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const p = path === '' ? key : `${path}.${key}`;
      if (!(key in after)) out.push({ path: p, kind: 'removed', before: before[key] });
      else if (!(key in before)) out.push({ path: p, kind: 'added', after: after[key] });
      else out.push(...diffJson(before[key], after[key], p));
    }
    return out;
  }
  return [{ path: path === '' ? '(root)' : path, kind: 'changed', before, after }];
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A changed value as the history shows it: compact JSON, cut at `max` characters with `…`. */
export function changeText(value: unknown, max = 160): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
