import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError, StoreErrorCode } from '../store-error';

export interface DataDirLock {
  /** `<dataDir>.lock`: holds the owner's pid. */
  readonly path: string;
  release(): void;
}

/** Data directories this process holds: a second open here would corrupt them as surely as one elsewhere. */
const held = new Set<string>();

/**
 * PGlite is Postgres in a single-user backend: it writes no postmaster.pid
 * and has no way of noticing a second process on the same directory, and two
 * of them would corrupt it. A lock file next to the directory, holding the
 * owner's pid, refuses the second one; a lock left by a process that no
 * longer runs (a crash, kill -9) is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = `${dataDir.replace(/[\\/]+$/, '')}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(path);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          held.delete(path);
          try {
            unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(path, e);
      const owner = Number.parseInt(readOwner(path), 10);
      if (held.has(path) || (owner !== process.pid && isRunning(owner))) {
        throw new StoreError(
          StoreErrorCode.DataDirInUse,
          `DATA_DIR ${dataDir} is in use by ${held.has(path) ? 'this process' : `process ${owner}`} (${path}). ` +
            'Stop that Baton, or set DATA_DIR to another directory. If no Baton is running, delete the lock file.',
        );
      }
      unlinkSync(path);
    }
  }
}

function readOwner(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockError(path: string, e: unknown): StoreError {
  return new StoreError(StoreErrorCode.DataDirInUse, `Cannot take the lock ${path}: ${(e as Error).message}`);
}
