/**
 * Whether a view restored from a URL should hold back instead of running: one of its queries was
 * running when the engine last stopped without finishing it, and may be what stopped it.
 * `queries` are the panels' queries ('' for a disabled or empty panel). Returns the notice to
 * show, or null to run.
 */
export function interruptedReason(queries: readonly string[], interrupted: ReadonlyArray<{ query: string; startedMs: number }>): string | null {
  const lines: string[] = [];
  queries.forEach((q, i) => {
    if (q === '') return;
    const hit = interrupted.find((x) => x.query.trim() === q);
    if (hit) {
      lines.push(`Query ${i + 1} was running when Vigil last stopped unexpectedly (started ${new Date(hit.startedMs).toLocaleString()}), so it was not run again.`);
    }
  });
  return lines.length === 0 ? null : `${lines.join('\n')}\nRun it if you expect it to finish this time.`;
}
