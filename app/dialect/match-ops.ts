/**
 * The four label-matcher operators, alone in this file so that the contract's schemas can name
 * them without bringing the regex engine (`./regex.ts`, re2js) into the renderer's main chunk.
 */
export const matchOps = ['=', '!=', '=~', '!~'] as const;

export type MatchOp = (typeof matchOps)[number];
