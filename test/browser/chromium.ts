import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's chromium for the browser suites, driven by playwright-core.
 * .ci/run installs it; where it is missing (or CHROMIUM_PATH names no file)
 * the suites say so once and skip.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(
    `test/browser: skipped, no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

/** `describe` where chromium is installed, `describe.skip` (after the warning above) where it is not. */
export const describeWithBrowser: jest.Describe = available ? describe : describe.skip;

/** Headless chromium with the flags a container without a GPU or network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * CPU time (user + system, ms) used so far by the browsers this process
 * started (every chromium process below it: browser, renderers, GPU). Unlike
 * the wall clock, it does not grow while the machine is busy with other work.
 * Linux only (/proc); NaN elsewhere.
 */
export function browserCpuMs(): number {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return NaN;
  }
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) in parentheses: state ppid ... utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(pid), {
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) / ticksPerMs,
      });
    } catch {
      // The process ended meanwhile.
    }
  }
  const below = (pid: number): boolean => {
    for (let p = stats.get(pid)?.ppid; p !== undefined && p > 1; p = stats.get(p)?.ppid)
      if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, s] of stats) if (below(pid)) total += s.cpu;
  return total;
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

let axeSource: string | undefined;

/**
 * axe-core's critical and serious violations on the page as it is now, one
 * line each (rule, help, where). Its source is evaluated through the
 * debugger protocol, past the page's Content-Security-Policy.
 */
export async function criticalViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  // Strings, not functions: they run in the page, whose DOM types this (Node) project does not have.
  const violations = (await page.evaluate(
    'axe.run(document).then((result) => result.violations)',
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Console errors and page errors of `page`, collected from now on, to assert
 * there were none. The browser's own note of a 401 before sign-in is an
 * expected answer, and so is each `status` + URL pattern in `expected` (an
 * answer the test provokes on purpose), never an error of the page.
 */
export function consoleErrorsOf(page: Page, expected: readonly RegExp[] = []): string[] {
  const errors: string[] = [];
  const loadFailure = /^Failed to load resource: the server responded with a status of (.*)$/;
  const isExpected = (line: string): boolean => {
    const answer = loadFailure.exec(line)?.[1];
    if (answer === undefined) return false;
    return /^401 \(Unauthorized\)/.test(answer) || expected.some((e) => e.test(answer));
  };
  page.on('console', (m) => {
    const line = `${m.text()} ${m.location().url}`;
    if (m.type() === 'error' && !isExpected(line)) errors.push(line);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return errors;
}

/**
 * With SCREENSHOTS=<dir> set, saves the page as `<dir>/cockpit-<name>.png`
 * (the pictures docs/cockpit.md shows); without it, does nothing.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}): Promise<void> {
  const dir = process.env.SCREENSHOTS;
  if (dir !== undefined) await page.screenshot({ path: join(dir, `cockpit-${name}.png`), ...options });
}
