import { useEffect, useRef } from 'react';
import type { editor } from 'monaco-editor/editor/editor.api';
import { monaco } from './monaco.js';
import { languageId, registerPromQL, updateDiagnostics } from './register.js';
import { formatQuery } from './diagnostics.js';

export interface PromQLEditorProps {
  value: string;
  onChange(value: string): void;
  /** Enter (when no suggestion is open) runs; Shift+Enter inserts a newline. */
  onRun(): void;
  placeholder?: string;
  testId?: string;
  /** Parse and type errors of the current text, as the engine would report them. */
  onDiagnostics?(messages: string[]): void;
}

/** One query editor. Grows with its content up to 10 lines. */
export function PromQLEditor({ value, onChange, onRun, testId, onDiagnostics }: PromQLEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const ed = useRef<editor.IStandaloneCodeEditor | null>(null);
  const handlers = useRef({ onChange, onRun, onDiagnostics });
  handlers.current = { onChange, onRun, onDiagnostics };

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    registerPromQL();
    const e = monaco.editor.create(el, {
      value,
      language: languageId,
      theme: 'vigil-dark',
      minimap: { enabled: false },
      lineNumbers: 'off',
      glyphMargin: false,
      folding: false,
      lineDecorationsWidth: 6,
      renderLineHighlight: 'none',
      scrollBeyondLastLine: false,
      wordWrap: 'on',
      automaticLayout: true,
      fontSize: 13,
      fixedOverflowWidgets: true,
      overviewRulerLanes: 0,
      scrollbar: { vertical: 'hidden', horizontal: 'hidden', alwaysConsumeMouseWheel: false },
      suggest: { showWords: false, preview: false },
      quickSuggestions: { other: true, strings: true, comments: false },
      quickSuggestionsDelay: 0,
      wordBasedSuggestions: 'off',
    });
    ed.current = e;
    if (performance.getEntriesByName('vigil:interactive').length === 0) performance.mark('vigil:interactive');
    const model = e.getModel()!;
    // The box grows with the query up to 10 lines. Only a change of height lays the editor out
    // again: a layout measures the page and redraws every view part, and on each key press it
    // was most of the time between the key and the suggestion list.
    const fit = () => {
      const lines = Math.min(10, Math.max(1, e.getContentHeight() / 19));
      const height = `${Math.ceil(lines) * 19 + 8}px`;
      if (el.style.height === height) return;
      el.style.height = height;
      e.layout();
    };
    fit();
    handlers.current.onDiagnostics?.(updateDiagnostics(model));
    const sub = e.onDidChangeModelContent(() => {
      handlers.current.onChange(e.getValue());
      fit();
      // Parsing a query takes well under a millisecond: diagnostics follow every keystroke.
      handlers.current.onDiagnostics?.(updateDiagnostics(model));
    });
    e.addCommand(monaco.KeyCode.Enter, () => handlers.current.onRun(), '!suggestWidgetVisible');
    e.addCommand(monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => e.trigger('keyboard', 'type', { text: '\n' }));
    e.addAction({
      id: 'promql.format',
      label: 'Format query',
      keybindings: [monaco.KeyMod.Shift | monaco.KeyMod.Alt | monaco.KeyCode.KeyF],
      run: () => {
        const formatted = formatQuery(e.getValue());
        if (formatted !== null) e.setValue(formatted);
      },
    });
    return () => {
      sub.dispose();
      e.dispose();
      ed.current = null;
    };
    // The editor is created once; value changes from outside are applied below.
  }, []);

  useEffect(() => {
    const e = ed.current;
    if (e && e.getValue() !== value) e.setValue(value);
  }, [value]);

  return <div className="promql-editor" ref={host} data-testid={testId} />;
}

/** Inserts text at the cursor of the focused query editor (used by the metrics explorer). */
export function insertAtCursor(text: string): boolean {
  const e = monaco.editor.getEditors().find((x) => x.hasTextFocus()) ?? monaco.editor.getEditors()[0];
  if (!e) return false;
  const sel = e.getSelection();
  if (!sel) return false;
  e.executeEdits('metrics-explorer', [{ range: sel, text, forceMoveMarkers: true }]);
  e.focus();
  return true;
}
