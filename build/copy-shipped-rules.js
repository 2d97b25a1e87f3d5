// Copies the shipped rule files (and their unit tests) beside the compiled engine: the built-in
// config loads dist/main/rules/shipped/vigil-defaults.rules.yml, and tsc emits only code and JSON.
import { cpSync } from 'node:fs';

cpSync('main/rules/shipped', 'dist/main/rules/shipped', { recursive: true, filter: (src) => !src.endsWith('.ts') });
