// Runs Electronegativity's library API over a directory and prints its issues and errors as
// JSON, for electronegativity.test.ts (the CLI's CSV output is written racily and can come out
// garbled). The release-notes check is off: it downloads Electron's release list.
import run from '@doyensec/electronegativity';

const result = await run({ input: process.argv[2], isRelative: true, excludeFromScan: ['availablesecurityfixesglobalcheck'], isVerbose: false, parserPlugins: [] });
const issues = result.issues.map((i) => ({ id: i.id, severity: i.severity.name, confidence: i.confidence.name, file: i.file, line: i.location?.line ?? 0 }));
process.stdout.write(`${JSON.stringify({ checks: result.atomicChecks + result.globalChecks, errors: result.errors, issues })}\n`);
