import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
export { freePort };

export const ROOT = join(__dirname, '..', '..');

/** The `start` script of package.json as argv: what `npm start` runs, without npm and sh around it. */
export function startCommand(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const argv = pkg.scripts.start.split(/\s+/).filter((a) => a !== '');
  if (argv[0] === 'node') argv[0] = process.execPath;
  return argv;
}

/** The environment of a fresh clone on a machine with nothing else: none of the three server URLs. */
export function embeddedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'RABBITMQ_URL', 'NODE_OPTIONS', 'JEST_WORKER_ID']) delete env[name];
  // Nest colours its log lines on a TTY only; keep the output plain either way.
  env.NO_COLOR = '1';
  return env;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started process whose output is collected and searched. */
export class StartedProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  exit?: Exit;
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;
  /** Started as its own process group (npm, sh and node), signalled as one. */
  readonly group: boolean;

  constructor(argv: string[], env: NodeJS.ProcessEnv, options: { group?: boolean } = {}) {
    this.group = options.group === true;
    this.child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: this.group });
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        if (partial !== '') this.lines.push(partial);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get text(): string {
    return this.lines.join('\n');
  }

  /** Resolves with the first line matching `pattern`; rejects when the process exits first or after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const match = line.match(pattern);
        if (match !== null) return match;
      }
      if (this.exit !== undefined) throw new Error(`exited (${JSON.stringify(this.exit)}) before printing ${pattern}:\n${this.text}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends `signal`; to the whole process group when started as one, as a terminal's Ctrl+C does. */
  signal(signal: NodeJS.Signals): void {
    if (this.exit !== undefined) return;
    process.kill(this.group ? -this.pid : this.pid, signal);
  }

  /** Waits for the exit; kills the process (group) after `timeoutMs` and fails. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`did not exit within ${timeoutMs} ms:\n${this.text}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last resort in afterAll: SIGKILL. */
  kill(): void {
    try {
      if (this.exit === undefined) process.kill(this.group ? -this.pid : this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}


/** Polls until `probe` yields something other than undefined/false. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
