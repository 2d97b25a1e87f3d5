/**
 * The desktop shell's own settings, in `<userData>/shell-settings.json` (format in
 * docs/desktop.md): window bounds, start at login, paused notifications, energy mode, memory budget. A missing or damaged
 * file means the defaults; it is rewritten whole (temporary file, then rename) on each change.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const BoundsSchema = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().positive(), height: z.number().int().positive() });

const ShellSettingsSchema = z.object({
  version: z.literal(1),
  window: z.object({ bounds: BoundsSchema, maximized: z.boolean() }).nullable(),
  /** Off by default: Vigil starts at login only when the user asks. */
  startAtLogin: z.boolean(),
  /** "Pause all" in the tray: no desktop notifications (alerts still evaluate and reach the inbox). */
  notificationsPaused: z.boolean(),
  /** Energy mode as set in the tray (main/power/energy.ts); absent in files from before it existed. */
  energyMode: z.enum(['auto', 'on', 'off']).default('auto'),
  /** The memory budget in bytes set on the Status page (null: none); `--memory-budget=SIZE` overrides it. */
  memoryBudgetBytes: z.number().int().positive().nullable().default(null),
});

export type ShellSettings = z.infer<typeof ShellSettingsSchema>;
export type Bounds = z.infer<typeof BoundsSchema>;

const defaults: ShellSettings = { version: 1, window: null, startAtLogin: false, notificationsPaused: false, energyMode: 'auto', memoryBudgetBytes: null };

export class ShellSettingsFile {
  private value: ShellSettings;
  readonly path: string;

  constructor(
    dir: string,
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.path = join(dir, 'shell-settings.json');
    this.value = this.read();
  }

  get(): ShellSettings {
    return this.value;
  }

  update(change: Partial<Omit<ShellSettings, 'version'>>): ShellSettings {
    this.value = { ...this.value, ...change };
    const tmp = `${this.path}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(this.value, null, 2)}\n`);
      renameSync(tmp, this.path);
    } catch (err) {
      this.warn(`cannot save ${this.path}: ${(err as Error).message}`);
    }
    return this.value;
  }

  private read(): ShellSettings {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return defaults;
    }
    try {
      const r = ShellSettingsSchema.safeParse(JSON.parse(text));
      if (r.success) return r.data;
      this.warn(`${this.path}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}; using the defaults`);
    } catch (err) {
      this.warn(`${this.path}: ${(err as Error).message}; using the defaults`);
    }
    return defaults;
  }
}

/** A saved window is restored only where some display still shows a usable part of it. */
export function visibleBounds(saved: Bounds | undefined, workAreas: readonly Bounds[]): Bounds | undefined {
  if (saved === undefined) return undefined;
  const overlaps = workAreas.some((a) => {
    const w = Math.min(saved.x + saved.width, a.x + a.width) - Math.max(saved.x, a.x);
    const h = Math.min(saved.y + saved.height, a.y + a.height) - Math.max(saved.y, a.y);
    return w >= 100 && h >= 50;
  });
  return overlaps ? saved : undefined;
}
