/** Labels as pills; `hide` drops labels already shown elsewhere (e.g. the group's alertname). */
export function LabelPills({ labels, hide = [] }: { labels: Record<string, string>; hide?: readonly string[] }) {
  return (
    <span className="label-list">
      {Object.entries(labels)
        .filter(([k]) => !hide.includes(k))
        .map(([k, v]) => (
          <span key={k} className="label-pill">
            {k}=<b>{v}</b>
          </span>
        ))}
    </span>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`alert-state ${state}`}>{state.toUpperCase()}</span>;
}
