import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Creates the data directory and takes an exclusive lock on it so two engines never write the
 * same files. A lock left by a process that no longer exists is taken over.
 */
export class DataDirLock {
  private constructor(
    readonly dir: string,
    private readonly lockPath: string,
  ) {}

  static acquire(dir: string): DataDirLock {
    const abs = resolve(dir);
    mkdirSync(abs, { recursive: true });
    const lockPath = join(abs, 'LOCK');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(abs, lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
        if (Number.isFinite(holder) && holder !== process.pid && isAlive(holder)) {
          throw new Error(
            `data directory ${abs} is in use by process ${holder}; stop it or pass another --data directory`,
          );
        }
        unlinkSync(lockPath); // stale lock from a crashed process
      }
    }
    throw new Error(`could not lock data directory ${abs}`);
  }

  release(): void {
    try {
      unlinkSync(this.lockPath);
    } catch {
      /* already gone */
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
