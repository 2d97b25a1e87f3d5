import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeCommand } from '../../../main/cli/probe.js';
import { UsageError } from '../../../main/cli/command.js';
import { tempDir } from '../helpers.js';
import { httpServer, type Closable } from './fixtures-servers.js';

describe('vigil probe', () => {
  const tmp = tempDir('vigil-probe-cli-');
  let server: Closable;
  beforeAll(async () => {
    server = await httpServer();
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('prints the metrics and exits 0 on success, 1 on failure, 1 with file:line on a bad module file', async () => {
    const file = join(tmp.dir, 'bb.yml');
    writeFileSync(file, 'modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n');
    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      expect(await probeCommand.run(['--config.file', file, '--target', `http://127.0.0.1:${server.port}/`])).toBe(0);
      expect(out.join('')).toMatch(/\nprobe_success 1\n/);
      expect(await probeCommand.run(['--config.file', file, '--target', `http://127.0.0.1:${server.port}/503`])).toBe(1);
      writeFileSync(file, 'modules:\n  http_2xx:\n    prober: http\n    timeot: 2s\n');
      out.length = 0;
      expect(await probeCommand.run(['--config.file', file, '--target', 'x'])).toBe(1);
      expect(out.join('')).toMatch(/bb\.yml:4: modules\.http_2xx\.timeot: unknown field/);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    await expect(probeCommand.run(['--target', 'x'])).rejects.toBeInstanceOf(UsageError);
  });
});
