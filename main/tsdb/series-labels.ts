/**
 * Series labels as stored (FORMAT.md, "Series labels"): every label name and value once in
 * `label_strings`, and per series a blob of uvarint string ids [name, value, name, value, …].
 * The writer (the compression worker) keeps the string → id map of the file in memory; readers
 * load the strings once and decode each series.
 */
import type Database from 'better-sqlite3';

type Label = { name: string; value: string };

/** Series labels as format 1 stored them (and the main thread sends them): a JSON array [name, value, name, value, …]. */
function parseStoredLabels(text: string): Label[] {
  const flat = JSON.parse(text) as unknown;
  if (!Array.isArray(flat) || flat.length % 2 !== 0) throw new Error('series row: labels are not a [name, value, …] array');
  const out: Label[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ name: String(flat[i]), value: String(flat[i + 1]) });
  return out;
}

/** Unsigned LEB128 of each id. */
function encodeIds(ids: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (let id of ids) {
    while (id >= 0x80) {
      out.push((id & 0x7f) | 0x80);
      id = Math.floor(id / 128);
    }
    out.push(id);
  }
  return Uint8Array.from(out);
}

/** The ids of a blob, or null when it ends inside an id or holds an odd number of them. */
function decodeIds(b: Uint8Array): number[] | null {
  const ids: number[] = [];
  let i = 0;
  while (i < b.length) {
    let id = 0;
    let mul = 1;
    for (;;) {
      if (i >= b.length || mul > 2 ** 35) return null;
      const x = b[i++]!;
      id += (x & 0x7f) * mul;
      mul *= 128;
      if (x < 0x80) break;
    }
    ids.push(id);
  }
  return ids.length % 2 === 0 ? ids : null;
}

/**
 * Assigns string ids (persisted in `label_strings` in the caller's transaction) and encodes label
 * sets. After a rolled-back transaction the map holds ids the file lacks: make a new writer.
 */
export class LabelStringsWriter {
  private readonly ids = new Map<string, number>();
  private next: number;
  private readonly insert: Database.Statement;

  constructor(db: Database.Database) {
    for (const [id, value] of db.prepare('SELECT id, value FROM label_strings').raw().iterate() as Iterable<[number, string]>) this.ids.set(value, id);
    this.next = ((db.prepare('SELECT max(id) FROM label_strings').pluck().get() as number | null) ?? -1) + 1;
    this.insert = db.prepare('INSERT INTO label_strings(id, value) VALUES (?, ?)');
  }

  /** The stored blob of a flat [name, value, …] list, adding strings the file does not have yet. */
  encode(flat: readonly string[]): Uint8Array {
    const ids: number[] = [];
    for (const s of flat) {
      let id = this.ids.get(s);
      if (id === undefined) {
        id = this.next++;
        this.insert.run(id, s);
        this.ids.set(s, id);
      }
      ids.push(id);
    }
    return encodeIds(ids);
  }

  /** As `encode`, from the JSON text the main thread sends (and format 1 stored). */
  encodeJson(text: string): Uint8Array {
    const flat: string[] = [];
    for (const { name, value } of parseStoredLabels(text)) flat.push(name, value);
    return this.encode(flat);
  }
}

/**
 * Every stored series as [ref, labels], in ref order. A series whose blob is damaged or names a
 * string the file lacks (only after salvaging a damaged file) is left out: a hole.
 */
export function* readStoredSeries(db: Database.Database): Generator<[number, Label[]]> {
  const strings = new Map<number, string>();
  for (const [id, value] of db.prepare('SELECT id, value FROM label_strings').raw().iterate() as Iterable<[number, string]>) strings.set(id, value);
  for (const [ref, blob] of db.prepare('SELECT ref, labels FROM series ORDER BY ref').raw().iterate() as Iterable<[number, Uint8Array]>) {
    const ids = decodeIds(blob);
    if (ids === null) continue;
    const labels: Label[] = [];
    let ok = true;
    for (let i = 0; i < ids.length && ok; i += 2) {
      const name = strings.get(ids[i]!);
      const value = strings.get(ids[i + 1]!);
      if (name === undefined || value === undefined) ok = false;
      else labels.push({ name, value });
    }
    if (ok) yield [ref, labels];
  }
}
