import { describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../../main/notify/config.js';
import { matchRoutes } from '../../../main/notify/route.js';
import { compileMatcher, matchesLabels, MatcherError, parseMatchers } from '../../../main/notify/matchers.js';
import { Silences } from '../../../main/notify/silences.js';

// Alertmanager compiles matcher regexes with Go's regexp as ^(?:re)$ (pkg/labels.NewMatcher);
// `amtool check-config` accepts `(?i)foo` in route and inhibit matchers and refuses `(?=foo)`.
describe('Alertmanager matchers use Go regexes', () => {
  const text = `route:
  receiver: default
  routes:
    - matchers: ['service=~"(?i)foo"']
      receiver: foo
    - match_re: {team: '\\Qa.b\\E'}
      receiver: dotted
inhibit_rules:
  - source_matchers: ['severity=~"(?i)crit.*"']
    target_matchers: ['severity="warning"']
receivers: [{name: default}, {name: foo}, {name: dotted}]
`;

  it('accepts (?i) in routes and inhibit rules, as Alertmanager does', () => {
    const r = parseNotifyConfig('am.yml', text);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(matchRoutes(r.value.route, { service: 'FOO' }).map((x) => x.receiver)).toEqual(['foo']);
    expect(matchRoutes(r.value.route, { service: 'food' }).map((x) => x.receiver)).toEqual(['default']);
    expect(matchRoutes(r.value.route, { team: 'a.b' }).map((x) => x.receiver)).toEqual(['dotted']);
    expect(matchRoutes(r.value.route, { team: 'axb' }).map((x) => x.receiver)).toEqual(['default']);
    expect(matchesLabels(r.value.inhibitRules[0]!.source, { severity: 'CRITICAL' })).toBe(true);
  });

  it('refuses what Go refuses, naming the construct and the matcher', () => {
    const r = parseNotifyConfig('am.yml', text.replace('(?i)foo', '(?=foo)'));
    expect(r.ok ? [] : r.errors.join('\n')).toContain('invalid regular expression in matcher service=~"(?=foo)": lookahead (?=) is not supported (RE2 syntax)');
  });

  it('accepts (?i) in silences', () => {
    const s = new Silences(() => 0);
    const sil = s.add({ matchers: parseMatchers('service=~"(?i)foo"'), startsAtMs: 0, endsAtMs: 10_000, createdBy: 'me', comment: '' });
    expect(s.mutedBy({ service: 'Foo' })).toEqual([sil.id]);
    expect(s.mutedBy({ service: 'bar' })).toEqual([]);
  });

  it("anchors as ^(?:re)$, where `.` does not match a newline", () => {
    expect(compileMatcher({ name: 'a', op: '=~', value: 'x.y' }).matches('x\ny')).toBe(false);
    expect(compileMatcher({ name: 'a', op: '=~', value: 'x.y' }).matches('xzy')).toBe(true);
    expect(compileMatcher({ name: 'a', op: '=~', value: 'x' }).matches('xx')).toBe(false);
    expect(() => compileMatcher({ name: 'a', op: '=~', value: '(' })).toThrow(MatcherError);
  });
});
