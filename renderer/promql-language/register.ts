/**
 * Registers the PromQL language with Monaco once: Monarch tokens, completion (context analysis →
 * PromClient), hover docs for functions, and diagnostics from the shared parser/checker.
 */
import type { editor, IDisposable, IRange, languages, Position } from 'monaco-editor/editor/editor.api';
import { monaco } from './monaco.js';
import { promqlMonarch } from './tokens.js';
import { complete, type CompletionItem, type CompletionSource, type ItemKind } from './complete.js';
import { diagnose, hoverDoc } from './diagnostics.js';

export const languageId = 'promql';
let registered: IDisposable[] | null = null;
let currentSource: CompletionSource | null = null;

const kindMap: Record<ItemKind, languages.CompletionItemKind> = {
  metric: monaco.languages.CompletionItemKind.Constant,
  function: monaco.languages.CompletionItemKind.Function,
  aggregation: monaco.languages.CompletionItemKind.Operator,
  keyword: monaco.languages.CompletionItemKind.Keyword,
  label: monaco.languages.CompletionItemKind.Field,
  value: monaco.languages.CompletionItemKind.Value,
  duration: monaco.languages.CompletionItemKind.Unit,
  history: monaco.languages.CompletionItemKind.Reference,
  operator: monaco.languages.CompletionItemKind.Operator,
};

function toMonaco(item: CompletionItem, position: Position, index: number): languages.CompletionItem {
  const range: IRange = {
    startLineNumber: position.lineNumber,
    endLineNumber: position.lineNumber,
    startColumn: Math.max(1, position.column - item.replace),
    endColumn: position.column,
  };
  return {
    // The one-line doc stays visible in the row; the full text is in the details pane.
    label: item.documentation ? { label: item.label, description: item.documentation } : item.label,
    kind: kindMap[item.kind],
    detail: item.detail,
    documentation: item.documentation ? { value: item.documentation } : undefined,
    insertText: item.insertText,
    insertTextRules: item.snippet ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
    range,
    sortText: String(index).padStart(5, '0'),
    filterText: item.label,
  };
}

/** Where completion gets metric names, labels and history; set by the page that owns the client. */
export function setCompletionSource(source: CompletionSource): void {
  currentSource = source;
}

/** Registers the language, theme and providers once; editors call it before they are created. */
export function registerPromQL(): void {
  if (registered) return;
  monaco.languages.register({ id: languageId });
  monaco.languages.setLanguageConfiguration(languageId, {
    brackets: [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ],
    autoClosingPairs: [
      { open: '{', close: '}' },
      { open: '[', close: ']' },
      { open: '(', close: ')' },
      { open: '"', close: '"', notIn: ['string'] },
    ],
    comments: { lineComment: '#' },
  });
  monaco.editor.defineTheme('vigil-dark', {
    base: 'vs-dark',
    inherit: true,
    rules: [
      { token: 'predefined.function', foreground: '4ea1ff' },
      { token: 'keyword.aggregation', foreground: 'b48cff' },
      { token: 'keyword', foreground: 'b48cff' },
      { token: 'number.duration', foreground: 'f5b942' },
      { token: 'string', foreground: '3ecf8e' },
    ],
    colors: { 'editor.background': '#0b0f14' },
  });
  registered = [
    monaco.languages.setMonarchTokensProvider(languageId, promqlMonarch()),
    monaco.languages.registerCompletionItemProvider(languageId, {
      triggerCharacters: ['{', ',', '=', '"', '(', '[', ' ', '@', '~'],
      async provideCompletionItems(model, position) {
        if (!currentSource) return { suggestions: [] };
        const offset = model.getOffsetAt(position);
        const items = await complete(model.getValue(), offset, currentSource);
        return { suggestions: items.map((it, i) => toMonaco(it, position, i)), incomplete: true };
      },
    }),
    monaco.languages.registerHoverProvider(languageId, {
      provideHover(model, position) {
        const word = model.getWordAtPosition(position);
        if (!word) return null;
        const doc = hoverDoc(word.word);
        if (!doc) return null;
        return {
          range: { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn },
          contents: [{ value: '`' + doc.signature + '`' }, { value: doc.doc }],
        };
      },
    }),
  ];
}

/** Underlines parse and type errors (Prometheus' messages) at their positions; returns them too. */
export function updateDiagnostics(model: editor.ITextModel): string[] {
  const text = model.getValue();
  const found = diagnose(text);
  const markers: editor.IMarkerData[] = found.map((d) => {
    const start = model.getPositionAt(d.start);
    const end = model.getPositionAt(Math.max(d.end, d.start + 1));
    return {
      severity: monaco.MarkerSeverity.Error,
      message: d.message,
      startLineNumber: start.lineNumber,
      startColumn: start.column,
      endLineNumber: end.lineNumber,
      endColumn: end.column,
    };
  });
  monaco.editor.setModelMarkers(model, languageId, markers);
  return found.map((d) => d.message);
}
