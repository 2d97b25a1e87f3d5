import { api } from '../api/client.js';
import { useRulesStore } from '../store/rules.js';
import { RuleFileEditor } from './RuleFileEditor.js';

/** Run rule unit-test files (promtool's `test rules` format) and show the report. */
export function RuleTestsPanel() {
  const { testFiles, setTestFiles, tests, runTests } = useRulesStore();
  return (
    <section className="rule-tests" aria-label="Rule unit tests">
      <h2>Rule unit tests</h2>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void runTests(api);
        }}
      >
        <input aria-label="Test files" className="grow" placeholder="test file paths, comma-separated (e.g. /etc/vigil/rules_test.yml)" value={testFiles} onChange={(e) => setTestFiles(e.target.value)} />
        <button type="submit" disabled={tests.running}>
          {tests.running ? 'Running…' : 'Run rule unit tests'}
        </button>
      </form>
      {testFiles.trim() !== '' && <RuleFileEditor key={testFiles.split(',')[0]!.trim()} path={testFiles.split(',')[0]!.trim()} kind="tests" />}
      {tests.error && <p className="query-error">{tests.error}</p>}
      {tests.ok !== null && (
        <div data-testid="rule-tests-report">
          <p className={tests.ok ? 'ok' : 'error'}>{tests.ok ? 'PASS' : 'FAIL'}</p>
          <pre className="report">{tests.report}</pre>
        </div>
      )}
    </section>
  );
}
