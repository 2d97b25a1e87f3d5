import { useMemo } from 'react';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { interpolate } from '../../../app/dashboards/variables.js';
import type { PanelProps } from './panel-props.js';

/**
 * Grafana's text panel: Markdown (or HTML) rendered by marked and then sanitised by DOMPurify, so
 * a `<script>`, an `onerror=` or a `javascript:` link in an imported dashboard never runs.
 */
function renderText(content: string, mode: string): string {
  const html = mode === 'html' ? content : mode === 'code' ? `<pre><code>${content.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)}</code></pre>` : (marked.parse(content, { async: false }) as string);
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input'], FORBID_ATTR: ['style'] });
}

export function TextPanel({ panel, variables }: PanelProps) {
  const content = typeof panel.options?.['content'] === 'string' ? panel.options['content'] : '';
  const mode = typeof panel.options?.['mode'] === 'string' ? panel.options['mode'] : 'markdown';
  const html = useMemo(() => renderText(interpolate(content, { variables }, 'text'), mode), [content, mode, variables]);
  // The HTML is DOMPurify's output, never the raw panel content.
  return <div className="text-panel" dangerouslySetInnerHTML={{ __html: html }} />;
}
