/**
 * Vigil's own first-launch settings, `<data>/setup.json` (format in main/setup/FORMAT.md): the
 * toggles of what runs and the websites added with "Add a website". Never the user's
 * prometheus.yml: Vigil does not rewrite files it did not write.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeZodError } from '../../app/api/errors.js';
import { SetupSettingsSchema, type SetupSettings } from '../../app/api/setup.js';

const setupFileName = 'setup.json';

export const defaultSetupSettings: SetupSettings = { version: 1, self: true, host: true, demoFleet: false, demoMesh: false, websites: [], config: null, ruleFiles: [], blackboxFile: null, tracingUrl: '' };

/** The saved settings: a missing file is the defaults; a broken one is the defaults and an error naming the file. */
export function readSetupSettings(dataDir: string): { settings: SetupSettings; error: string | null } {
  const file = join(dataDir, setupFileName);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaultSetupSettings, error: null };
    return { settings: defaultSetupSettings, error: `${file}: cannot read (${(err as Error).message}); using the defaults` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { settings: defaultSetupSettings, error: `${file}: not JSON (${(err as Error).message}); using the defaults until the settings are saved again` };
  }
  const parsed = SetupSettingsSchema.safeParse(raw);
  if (!parsed.success) return { settings: defaultSetupSettings, error: `${file}: ${describeZodError(parsed.error)}; using the defaults until the settings are saved again` };
  return { settings: parsed.data, error: null };
}

/** Writes the settings whole (temporary file, then rename), so a crash leaves the old or the new file. */
export function writeSetupSettings(dataDir: string, settings: SetupSettings): void {
  const file = join(dataDir, setupFileName);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(SetupSettingsSchema.parse(settings), null, 2) + '\n');
  renameSync(tmp, file);
}
