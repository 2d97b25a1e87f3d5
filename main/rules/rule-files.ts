/**
 * The config's rule files: loading them into the rule manager (the one place rules are
 * reloaded, whether the config changed or a file was saved from the Rules page), and reading,
 * validating and saving them and their unit-test files for the editor.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import type { Logger } from '../util/log.js';
import { expandRuleFiles, type RuleManager } from './manager.js';
import { parseRuleFile } from './rulefile.js';
import { parseRuleTestFile } from './unittest-file.js';
import { runRuleTestFile } from './unittest-run.js';

export class RuleFiles {
  private files: readonly string[] = [];
  /** Errors of the last load, for the Rules page; the previous rules stay loaded. */
  errors: string[] = [];

  constructor(
    private readonly manager: Pick<RuleManager, 'load'>,
    private readonly logger: Logger,
  ) {}

  /** Loads these files (or, without an argument, the current ones again); returns the errors. */
  reload(files: readonly string[] = this.files): string[] {
    this.files = [...files];
    this.errors = this.manager.load([...this.files]);
    if (this.errors.length > 0) this.logger.error(`rule files not loaded:\n${this.errors.join('\n')}`);
    return this.errors;
  }

  /**
   * Only the config's rule files may be read or written, and unit-test files (.yml/.yaml) in the
   * same folders: the page cannot make Vigil touch other files.
   */
  private allowedPath(path: string, kind: 'rules' | 'tests'): string {
    const abs = resolve(path);
    const ruleFiles = expandRuleFiles(this.files).map((f) => resolve(f));
    const ok = kind === 'rules' ? ruleFiles.includes(abs) : /\.ya?ml$/.test(abs) && ruleFiles.some((f) => dirname(f) === dirname(abs));
    if (!ok) {
      throw new ApiError({
        kind: 'forbidden',
        message: kind === 'rules' ? `${path} is not one of the config's rule_files` : `${path} is not a .yml/.yaml file beside one of the config's rule_files`,
      });
    }
    return abs;
  }

  read(r: RequestOf<'readRuleText'>): ResponseOf<'readRuleText'> {
    const path = this.allowedPath(r.path, r.kind);
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && r.kind === 'tests') return { path, text: '' };
      throw new ApiError({ kind: 'bad_request', message: `${path}: ${(err as Error).message}` });
    }
  }

  /** Validates, then writes; a saved rule file reloads the rules. */
  save(r: RequestOf<'saveRuleText'>): ResponseOf<'saveRuleText'> {
    const path = this.allowedPath(r.path, r.kind);
    const checked = r.kind === 'rules' ? parseRuleFile(path, r.text) : parseRuleTestFile(path, r.text);
    if (!checked.ok) return { saved: false, errors: checked.errors };
    // Write beside and rename: a reader never sees half a file.
    const tmp = `${path}.vigil-tmp`;
    writeFileSync(tmp, r.text);
    renameSync(tmp, path);
    return { saved: true, errors: r.kind === 'rules' ? this.reload() : [] };
  }

  async runTests(r: RequestOf<'runRuleTests'>): Promise<ResponseOf<'runRuleTests'>> {
    let ok = true;
    let report = '';
    for (const f of r.files) {
      const res = await runRuleTestFile(f);
      ok &&= res.ok;
      report += res.report + '\n';
    }
    return { ok, report };
  }
}
