/** Secrets given inline or as a file; files are read on every use so a rotated secret needs no reload. */
import { readFile } from 'node:fs/promises';

/** `inline`, or the trimmed content of `file` when one is set. Throws naming the field and file. */
export async function readSecret(inline: string, file: string, field: string): Promise<string> {
  if (file === '') return inline;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`unable to read ${field} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
