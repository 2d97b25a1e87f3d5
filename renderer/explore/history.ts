/** Past queries, newest first, kept in this browser profile's localStorage (never sent anywhere). */
const key = 'vigil.queryHistory';
const max = 100;

export function loadHistory(): string[] {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((q): q is string => typeof q === 'string') : [];
  } catch {
    return [];
  }
}

export function addToHistory(query: string): void {
  const q = query.trim();
  if (q === '') return;
  const next = [q, ...loadHistory().filter((h) => h !== q)].slice(0, max);
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(next));
  } catch {
    /* storage full or disabled: history is a convenience */
  }
}
