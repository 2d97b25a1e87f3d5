// app/ compiles without DOM or Node typings, but both runtimes it runs in (the renderer and
// Node) provide WHATWG URLSearchParams; declare just the part app/app-urls.ts uses.
declare class URLSearchParams {
  constructor(init?: string);
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}
