import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { Engine } from '../engine.js';
import { HttpServer } from '../api/http-server.js';
import { registerServeRoutes } from '../api/serve-routes.js';
import { defaultDataDir, rendererDir } from '../paths.js';
import { createLogger } from '../util/log.js';
import { UsageError, type Command } from './command.js';
import { checkNativeModules, currentRuntime, describeNativeFailure } from '../native-modules/check.js';

export const serveCommand: Command = {
  words: ['serve'],
  usage: 'vigil serve [--port 9797] [--data DIR] [--config FILE] [--dashboards DIR]... [--scrape-spread slots|uniform]',
  summary: 'run the engine headless and serve the UI and API on http://127.0.0.1:PORT/',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '9797' },
        data: { type: 'string' },
        config: { type: 'string' },
        /** Folders of provisioned dashboard JSON files (read-only in Vigil), besides <data>/dashboards/. */
        dashboards: { type: 'string', multiple: true },
        'scrape-spread': { type: 'string', default: 'slots' },
      },
      strict: true,
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
    }
    const spread = values['scrape-spread'];
    if (spread !== 'slots' && spread !== 'uniform') {
      throw new UsageError(`--scrape-spread must be slots or uniform, got ${JSON.stringify(spread)}`);
    }
    // The same first-run check as the desktop shell's, in Node's wording.
    const failures = checkNativeModules();
    if (failures.length > 0) {
      const { title, message } = describeNativeFailure(failures, currentRuntime());
      throw new Error(`${title}\n\n${message}`);
    }
    const logger = createLogger('vigil');
    const engine = await Engine.start({
      dataDir: resolve(values.data ?? defaultDataDir()),
      configFile: values.config === undefined ? null : resolve(values.config),
      shell: 'serve',
      logger: logger.child('engine'),
      scrapeSpread: spread,
      dashboardDirs: (values.dashboards ?? []).map((d) => resolve(d)),
    });
    const server = new HttpServer({ api: engine.api, rendererDir, port, logger: logger.child('http'), subscribe: (l) => engine.events.subscribe(l) });
    registerServeRoutes(server, engine);
    try {
      await server.listen();
    } catch (err) {
      await engine.stop();
      throw new Error(`cannot listen on 127.0.0.1:${port}: ${(err as Error).message}`);
    }
    try {
      await engine.startCollection({ selfAddress: `127.0.0.1:${server.port}`, externalURL: server.url });
    } catch (err) {
      await server.close();
      await engine.stop();
      throw err;
    }
    process.stdout.write(`Vigil is serving on ${server.url}\n`);
    await new Promise<void>((done) => {
      const shutdown = (signal: string): void => {
        logger.info(`received ${signal}, shutting down`);
        void server
          .close()
          .then(() => engine.stop())
          .then(done);
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
    return 0;
  },
};
