import { parseArgs } from 'node:util';
import { loadModules, ModuleConfigError } from '../probe/module-config.js';
import { handleProbe } from '../probe/handler.js';
import { UsageError, type Command } from './command.js';

/** `vigil probe`: one blackbox-style probe from the command line, printed as /probe would answer. */
export const probeCommand: Command = {
  words: ['probe'],
  usage: 'vigil probe --config.file BLACKBOX.yml --module NAME --target TARGET [--debug] [--timeout SECONDS]',
  summary: 'run one blackbox_exporter-compatible probe and print its metrics (with --debug: its log and module)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        'config.file': { type: 'string' },
        module: { type: 'string', default: 'http_2xx' },
        target: { type: 'string' },
        debug: { type: 'boolean', default: false },
        timeout: { type: 'string' },
      },
      strict: true,
    });
    if (values['config.file'] === undefined) throw new UsageError('--config.file BLACKBOX.yml is required (blackbox_exporter module file)');
    if (values.target === undefined) throw new UsageError('--target is required, e.g. https://example.com or 127.0.0.1:22');
    let modules;
    try {
      modules = loadModules(values['config.file']);
    } catch (err) {
      if (err instanceof ModuleConfigError) {
        process.stderr.write(err.message + '\n');
        return 1;
      }
      throw err;
    }
    const params = new URLSearchParams({ module: values.module, target: values.target, ...(values.debug ? { debug: 'true' } : {}) });
    const res = await handleProbe(params, values.timeout !== undefined ? { scrapeTimeoutSeconds: values.timeout } : {}, { modules, timeoutOffset: 0 });
    (res.status === 200 ? process.stdout : process.stderr).write(res.body);
    if (res.status !== 200) return 2;
    return /\nprobe_success 1\n/.test(res.body) ? 0 : 1;
  },
};
