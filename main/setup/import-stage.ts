/**
 * Files for the onboarding import on disk, where the loaders read them: a path is used where it
 * is; uploaded contents (`vigil serve`) are written side by side into one folder under the data
 * directory, by their base names, so a config's relative references to its rule and blackbox
 * files resolve among them. A preview's folder is removed afterwards; an applied import's is
 * kept (`<data>/imported/<time>/`), since the running config reads from it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ApiError } from '../../app/api/errors.js';
import type { ImportPreview, ImportRequest } from '../../app/api/onboarding.js';

export interface Staged {
  paths: string[];
  /** The uploads' folder, null when every file was given by path. */
  dir: string | null;
  /** Removes the uploads' folder (if any). */
  discard(): void;
}

export function stageImport(dataDir: string, files: ImportRequest['files'], o: { keep: boolean }): Staged {
  const uploads = files.filter((f): f is { name: string; text: string } => 'text' in f);
  const names = new Set<string>();
  for (const u of uploads) {
    const name = u.name;
    if (name === '.' || name === '..' || /[\\/\0]/.test(name)) {
      throw new ApiError({ kind: 'bad_request', where: 'files', message: `${JSON.stringify(u.name)} is not a file name` });
    }
    if (names.has(name)) throw new ApiError({ kind: 'bad_request', where: 'files', message: `two files are named ${JSON.stringify(name)}; uploaded files are kept side by side, so names must differ` });
    names.add(name);
  }
  let dir: string | null = null;
  if (uploads.length > 0) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    dir = o.keep ? join(dataDir, 'imported', stamp) : join(dataDir, 'imported', `.preview-${stamp}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir, { recursive: true });
  }
  const paths = files.map((f) => {
    if ('path' in f) return resolve(f.path);
    const path = join(dir!, basename(f.name));
    writeFileSync(path, f.text);
    return path;
  });
  return { paths, dir, discard: () => (dir !== null ? rmSync(dir, { recursive: true, force: true }) : undefined) };
}

/**
 * A preview as the user knows the files: uploaded files by the names they were uploaded under,
 * not by the staging folder they were read from (which is gone once the preview answers).
 */
export function asUploaded(preview: ImportPreview, staged: Staged): ImportPreview {
  if (staged.dir === null) return preview;
  const prefix = `${staged.dir}/`;
  const un = (s: string) => s.replaceAll(prefix, '');
  return {
    ...preview,
    files: preview.files.map((f) => ({ ...f, name: un(f.name), errors: f.errors.map(un) })),
    rules: preview.rules.map((r) => ({ ...r, file: un(r.file) })),
    tests: preview.tests.map((t) => ({ ...t, file: un(t.file), report: un(t.report) })),
    dashboards: preview.dashboards.map((d) => ({ ...d, file: un(d.file) })),
  };
}
