import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoText } from './ops-files';

/** The nginx binary (Debian installs it in /usr/sbin, which a user's PATH may lack), or undefined. */
export function findNginx(): string | undefined {
  for (const candidate of [
    'nginx',
    '/usr/sbin/nginx',
    '/usr/local/sbin/nginx',
    '/usr/local/nginx/sbin/nginx',
  ]) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

export interface LoopbackOptions {
  /** The port nginx listens on, on 127.0.0.1. */
  readonly port: number;
  /** API replicas on 127.0.0.1. */
  readonly upstreams: readonly number[];
  /** Directory for pid, logs and temp files (nothing root-only). */
  readonly prefix: string;
  /** Replace the rate limit (`rate=Nr/s`, `burst=N`), to see 429s without a load generator. */
  readonly rate?: { perSecond: number; burst: number };
}

/**
 * nginx/nginx.conf as it is, with only what ties it to compose swapped for
 * loopback: the upstream servers, the listen address, where pid and logs
 * go, and temp paths under `prefix`. Each swap must match exactly once, so
 * an edit of the real config that this does not understand fails loudly.
 */
export function renderLoopbackConfig(options: LoopbackOptions): string {
  let conf = repoText('nginx/nginx.conf');
  const swap = (pattern: RegExp, replacement: string) => {
    const matches = conf.match(new RegExp(pattern.source, `${pattern.flags}g`))?.length ?? 0;
    if (matches !== 1)
      throw new Error(`nginx.conf: expected one match of ${pattern}, found ${matches}`);
    conf = conf.replace(pattern, replacement);
  };
  swap(
    /^(\s*)server api:\d+( [^;]*)?;$/m,
    options.upstreams.map((port) => `$1server 127.0.0.1:${port}$2;`).join('\n'),
  );
  swap(/^(\s*)listen 80\b[^;]*;$/m, `$1listen 127.0.0.1:${options.port};`);
  swap(/^pid [^;]+;$/m, `pid ${options.prefix}/nginx.pid;`);
  swap(/^error_log [^;]+;$/m, `error_log ${options.prefix}/error.log warn;`);
  swap(/^(\s*)access_log \/dev\/stdout (\w+);$/m, `$1access_log ${options.prefix}/access.log $2;`);
  swap(
    /^http \{$/m,
    [
      'http {',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `  ${t}_temp_path ${options.prefix}/${t};`,
      ),
    ].join('\n'),
  );
  if (options.rate !== undefined) {
    swap(/rate=\d+r\/s;/, `rate=${options.rate.perSecond}r/s;`);
    conf = conf.replace(/burst=\d+/g, `burst=${options.rate.burst}`);
  }
  return conf;
}

/** An nginx master running in the foreground on a rendered config; `stop()` always cleans up. */
export class NginxProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly prefix: string;
  readonly origin: string;

  constructor(
    private readonly binary: string,
    private readonly options: Omit<LoopbackOptions, 'prefix'>,
  ) {
    this.prefix = mkdtempSync(join(tmpdir(), 'baton-nginx-'));
    for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
      mkdirSync(join(this.prefix, dir));
    this.origin = `http://127.0.0.1:${options.port}`;
  }

  get configPath(): string {
    return join(this.prefix, 'nginx.conf');
  }

  writeConfig(): string {
    writeFileSync(this.configPath, renderLoopbackConfig({ ...this.options, prefix: this.prefix }));
    return this.configPath;
  }

  /** `nginx -t`: stdout+stderr, throws with nginx's message when the config is refused. */
  test(): string {
    this.writeConfig();
    try {
      return execFileSync(this.binary, this.args('-t'), {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const error = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `nginx -t refused the config: ${error.stderr ?? ''}${error.stdout ?? ''}${error.message}`,
        { cause: e },
      );
    }
  }

  async start(): Promise<void> {
    this.writeConfig();
    const output: string[] = [];
    const child = spawn(this.binary, [...this.args(), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(
          `nginx exited at start (${child.exitCode}): ${output.join('')}${this.errorLog()}`,
        );
      try {
        if (
          (await fetch(`${this.origin}/nginx-health`, { signal: AbortSignal.timeout(1_000) }))
            .status === 200
        )
          return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`nginx did not answer within 10 s: ${output.join('')}${this.errorLog()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Access log lines (JSON, one per request). */
  accessLog(): Record<string, unknown>[] {
    try {
      return readFileSync(join(this.prefix, 'access.log'), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  }

  errorLog(): string {
    try {
      return readFileSync(join(this.prefix, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Fast shutdown (SIGTERM), SIGKILL after 5 s; then the prefix directory goes. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(killed);
    }
    rmSync(this.prefix, { recursive: true, force: true });
  }

  private args(...extra: string[]): string[] {
    // -e: the error log before the config is read (the compiled-in default may be root-only).
    return [
      ...extra,
      '-p',
      this.prefix,
      '-e',
      join(this.prefix, 'error.log'),
      '-c',
      this.configPath,
    ];
  }
}
