import { beforeEach, describe, expect, it } from 'vitest';
import type { InboxAlert, Silence } from '../../../app/api/alerts.js';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { QueryCache } from '../../../renderer/api/query-cache.js';
import { alertsReadError, alertsRequest, useAlertsStore } from '../../../renderer/store/alerts.js';
import { useRulesStore } from '../../../renderer/store/rules.js';
import { fakeApi, inboxAlert } from './fixtures.js';

const initialAlerts = useAlertsStore.getState();
const initialRules = useRulesStore.getState();
beforeEach(() => {
  useAlertsStore.setState(initialAlerts, true);
  useRulesStore.setState(initialRules, true);
});

const firing = inboxAlert({ alertname: 'QueueTooDeep', severity: 'critical', job: 'q' });

/** The inbox read as the Alerts page watches it, so actions that change it read it again. */
async function watchedInbox(api: WorkbenchApi) {
  const q = new QueryCache(api);
  const request = alertsRequest(useAlertsStore.getState());
  q.subscribe('alerts', request, () => {});
  await q.fetch('alerts', request);
  return { q, alerts: () => q.state('alerts', request).data?.alerts ?? [] };
}

describe('alerts store', () => {
  it('sends the applied filter and shows an engine error with the filter and an example', async () => {
    const { api, calls } = fakeApi({
      alerts: async (r) => {
        if (r.filter) throw new Error('bad matcher at 9: expected "="');
        return { alerts: [firing] };
      },
      silences: async () => ({ silences: [] }),
    });
    const { alerts } = await watchedInbox(api);
    expect(alerts()).toEqual([firing]);
    useAlertsStore.getState().setFilter('severity~critical');
    useAlertsStore.getState().applyFilter();
    const st = useAlertsStore.getState();
    const q = new QueryCache(api);
    await q.fetch('alerts', alertsRequest(st));
    expect(calls.filter((c) => c.name === 'alerts').at(-1)!.request).toMatchObject({ filter: 'severity~critical' });
    expect(alertsReadError(q.state('alerts', alertsRequest(st)).error, st.appliedFilter)?.message).toMatch(/filter severity~critical: bad matcher.*severity="critical"/);
  });

  it('asks only for active alerts when resolved ones are hidden', () => {
    useAlertsStore.getState().setShowResolved(false);
    expect(alertsRequest(useAlertsStore.getState())).toMatchObject({ states: ['pending', 'firing'] });
  });

  it('pre-fills a silence from the alert, requires a preview, and creates it with the duration', async () => {
    let created: unknown = null;
    const { api } = fakeApi({
      alerts: async () => ({ alerts: [{ ...firing, silencedBy: created ? ['s1'] : [] }] }),
      silences: async () => ({ silences: [] as Silence[] }),
      previewSilence: async (r) => ({ alerts: r.matchers.every((m) => firing.labels[m.name] === m.value) ? [firing] : [] }),
      createSilence: async (r) => {
        created = r;
        return { id: 's1', matchers: r.matchers, startsAtMs: 0, endsAtMs: r.endsAtMs, createdBy: r.createdBy, comment: r.comment, state: 'active' };
      },
    });
    const { q, alerts } = await watchedInbox(api);
    const s = useAlertsStore.getState();
    s.startSilence(firing);
    expect(useAlertsStore.getState().draft!.matchers.map((m) => m.name)).toEqual(['alertname', 'job', 'severity']);
    await useAlertsStore.getState().previewSilence(q);
    expect(useAlertsStore.getState().draft!.preview).toEqual([firing]);
    // Editing the matchers throws the preview away: it no longer describes the silence.
    useAlertsStore.getState().editDraft({ matchers: [{ name: 'alertname', op: '=', value: 'QueueTooDeep' }] });
    expect(useAlertsStore.getState().draft!.preview).toBeNull();
    useAlertsStore.getState().editDraft({ duration: '90m' });
    expect(await useAlertsStore.getState().createSilence(q, 1_000)).toBe(false);
    expect(useAlertsStore.getState().draft!.error).toMatch(/comment/);
    useAlertsStore.getState().editDraft({ comment: 'deploy in progress' });
    expect(await useAlertsStore.getState().createSilence(q, 1_000)).toBe(true);
    expect(created).toMatchObject({ endsAtMs: 1_000 + 90 * 60_000, comment: 'deploy in progress', matchers: [{ name: 'alertname', op: '=', value: 'QueueTooDeep' }] });
    expect(useAlertsStore.getState().draft).toBeNull();
    expect(alerts()[0]!.silencedBy).toEqual(['s1']);
  });

  it('rejects a bad duration without calling the engine', async () => {
    const { api, calls } = fakeApi({});
    useAlertsStore.getState().startSilence(firing);
    useAlertsStore.getState().editDraft({ duration: 'forever', comment: 'x' });
    expect(await useAlertsStore.getState().createSilence(new QueryCache(api), 0)).toBe(false);
    expect(useAlertsStore.getState().draft!.error).toMatch(/"forever" is not a duration/);
    expect(calls).toEqual([]);
  });

  it('acknowledges, then shows an action error naming the action when the engine refuses', async () => {
    let acked: InboxAlert['ack'] = null;
    const { api } = fakeApi({
      alerts: async () => ({ alerts: [{ ...firing, ack: acked }] }),
      silences: async () => ({ silences: [] }),
      ackAlert: async (r) => {
        acked = { by: 'vigil', comment: r.comment ?? '', atMs: 1 };
        return { alert: { ...firing, ack: acked } };
      },
      unackAlert: async () => {
        throw new Error('unknown alert fingerprint');
      },
    });
    const { q, alerts } = await watchedInbox(api);
    await useAlertsStore.getState().ack(q, firing.fingerprint, 'looking');
    expect(alerts()[0]!.ack).toMatchObject({ comment: 'looking' });
    await useAlertsStore.getState().unack(q, firing.fingerprint);
    expect(useAlertsStore.getState().actionError).toMatch(/^unacknowledge: unknown alert fingerprint/);
  });

  it('keeps the newest toasts, replacing one with the same id', () => {
    const s = useAlertsStore.getState();
    for (let i = 0; i < 7; i++) s.pushToast({ type: 'notification', id: String(i), title: `t${i}`, body: '', severity: 'critical', alertFingerprint: null, drill: false });
    s.pushToast({ type: 'notification', id: '6', title: 'again', body: '', severity: 'critical', alertFingerprint: null, drill: true });
    const ids = useAlertsStore.getState().toasts.map((t) => t.id);
    expect(ids).toEqual(['2', '3', '4', '5', '6']);
    expect(useAlertsStore.getState().toasts.at(-1)!.title).toBe('again');
  });
});

describe('rules store', () => {
  const rule = { name: 'QueueTooDeep', query: 'queue_depth > 100', forSeconds: 2, keepFiringForSeconds: 0, labels: { severity: 'critical' }, annotations: {} };

  it('backtests the saved rule alone, and compares an edited one with it', async () => {
    const { api, calls } = fakeApi({
      backtest: async () => ({ edited: { alerts: [], notifications: 0 }, saved: null, summary: [] }),
    });
    const s = useRulesStore.getState();
    s.openBacktest('k', rule);
    await useRulesStore.getState().runBacktest(api, 'k', rule, 10_000_000);
    expect(calls[0]!.request).toEqual({ rule: { alert: 'QueueTooDeep', expr: 'queue_depth > 100', forSeconds: 2, keepFiringForSeconds: 0, labels: { severity: 'critical' }, annotations: {} }, startMs: 10_000_000 - 3_600_000, endMs: 10_000_000 });
    useRulesStore.getState().editBacktest('k', { expr: 'queue_depth > 300' });
    await useRulesStore.getState().runBacktest(api, 'k', rule, 10_000_000);
    expect(calls[1]!.request).toMatchObject({ rule: { expr: 'queue_depth > 300' }, compareWith: { expr: 'queue_depth > 100' } });
    expect(useRulesStore.getState().backtests['k']!.axis).toEqual({ startMs: 10_000_000 - 3_600_000, endMs: 10_000_000 });
  });

  it('fires a drill with pre-filled series and names the rule in errors', async () => {
    const { api, calls } = fakeApi({
      fireDrill: async () => {
        throw new Error('bad series values "x"');
      },
    });
    useRulesStore.getState().openDrill('k', rule);
    expect(useRulesStore.getState().drills['k']!.series).toEqual([{ selector: 'queue_depth', values: '0x3 200x10' }]);
    await useRulesStore.getState().runDrill(api, 'k', rule);
    expect(calls[0]!.request).toMatchObject({ series: [{ selector: 'queue_depth', values: '0x3 200x10' }], stepSeconds: 1, notify: true });
    expect(useRulesStore.getState().drills['k']!.error).toBe('fire drill of QueueTooDeep: bad series values "x"');
  });

  it('splits test file paths and asks for them when missing', async () => {
    const { api, calls } = fakeApi({ runRuleTests: async () => ({ ok: false, report: 'FAILED: 1' }) });
    await useRulesStore.getState().runTests(api);
    expect(useRulesStore.getState().tests.error).toMatch(/give one or more test file paths/);
    useRulesStore.getState().setTestFiles('a.yml, b.yml\nc.yml');
    await useRulesStore.getState().runTests(api);
    expect(calls[0]!.request).toEqual({ files: ['a.yml', 'b.yml', 'c.yml'] });
    expect(useRulesStore.getState().tests).toMatchObject({ ok: false, report: 'FAILED: 1' });
  });
});
