import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { expandTemplate, ruleTemplateExpander } from '../../../main/rules/template.js';
import { parseTemplate } from '../../../main/rules/template-parse.js';
import { parseRuleFile } from '../../../main/rules/rulefile.js';
import { parseMatchers } from '../../../main/notify/matchers.js';
import { parseNotifyConfig } from '../../../main/notify/config.js';

// Fragments that make random input look like templates, so the parser's deeper paths get hit.
const piece = fc.constantFrom('{{', '}}', '{{-', ' -}}', 'if', 'else', 'end', 'range', 'with', 'define', 'template', '$x', ':=', '|', '(', ')', '"s"', '.Labels', '$labels.a', '1.5', 'printf', 'humanize', ' ', 'x', '/*', '*/', '`', 'break');
const templateish = fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 40 }).map((a) => a.join(''));

describe('robustness on hostile input', () => {
  it('template parsing and execution never throw', async () => {
    await fc.assert(
      fc.asyncProperty(templateish, async (t) => {
        expect(() => parseTemplate(t)).not.toThrow();
        const r = await expandTemplate(t, { labels: { a: 'b' }, value: 1 }, 'f', { maxSteps: 2000 });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 400 },
    );
  });

  it('rule files, matchers and notification configs never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        expect(() => parseRuleFile('f.yml', s)).not.toThrow();
        expect(() => parseNotifyConfig('am.yml', s)).not.toThrow();
        try {
          parseMatchers(s);
        } catch (e) {
          expect((e as Error).name).toBe('Error');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the rule expander caches parses and throws template errors', async () => {
    const expand = ruleTemplateExpander();
    expect(await expand('{{ $labels.job }}={{ $value }}', { labels: { job: 'x' }, value: 2 }, '__alert_A')).toBe('x=2');
    await expect(expand('{{ nope }}', { labels: {}, value: 0 }, '__alert_A')).rejects.toThrow('function "nope" not defined');
  });
});
