/** Interned strings: every label name and value is stored once and referred to by a dense id. */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  /** The id of `s`, interning it if new. */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of `s`, or -1 when it was never interned (so no series can carry it). */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  get(id: number): string {
    return this.strings[id]!;
  }

  get size(): number {
    return this.strings.length;
  }
}
