import type { languages } from 'monaco-editor/editor/editor.api';
import { aggregationNames, functionNames, keywordNames } from './vocabulary.js';

/** Monarch grammar for PromQL highlighting (lexical only; structure comes from the parser). */
export function promqlMonarch(): languages.IMonarchLanguage {
  return {
    defaultToken: '',
    tokenPostfix: '.promql',
    ignoreCase: false,
    aggregations: [...aggregationNames],
    functions: [...functionNames],
    keywords: [...keywordNames],
    operators: ['+', '-', '*', '/', '%', '^', '==', '!=', '>', '<', '>=', '<=', '=~', '!~', '='],
    symbols: /[=><!~?:&|+\-*/^%]+/,
    tokenizer: {
      root: [
        [/#.*$/, 'comment'],
        [/\b(and|or|unless|atan2)\b/, 'operator'],
        [/\b(\d+(ms|s|m|h|d|w|y))+\b/, 'number.duration'],
        [/0[xX][0-9a-fA-F]+/, 'number.hex'],
        [/(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/, 'number'],
        [/\b(Inf|NaN)\b/i, 'number'],
        [
          /[a-zA-Z_:][a-zA-Z0-9_:]*/,
          { cases: { '@aggregations': 'keyword.aggregation', '@functions': 'predefined.function', '@keywords': 'keyword', '@default': 'identifier' } },
        ],
        [/[{}()[\]]/, '@brackets'],
        [/@symbols/, { cases: { '@operators': 'operator', '@default': '' } }],
        [/"([^"\\]|\\.)*$/, 'string.invalid'],
        [/'([^'\\]|\\.)*$/, 'string.invalid'],
        [/"/, 'string', '@dq'],
        [/'/, 'string', '@sq'],
        [/`/, 'string', '@bq'],
        [/@/, 'keyword'],
      ],
      dq: [
        [/[^\\"]+/, 'string'],
        [/\\./, 'string.escape'],
        [/"/, 'string', '@pop'],
      ],
      sq: [
        [/[^\\']+/, 'string'],
        [/\\./, 'string.escape'],
        [/'/, 'string', '@pop'],
      ],
      bq: [
        [/[^`]+/, 'string'],
        [/`/, 'string', '@pop'],
      ],
    },
  };
}
