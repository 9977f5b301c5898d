/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): the frames with the
 * most self time, and self time per area (our libraries and apps, each npm
 * package, node internals, GC, idle).
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top=25] [--from-ms=3000]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface FrameTime {
  readonly frame: string;
  readonly area: string;
  readonly selfMs: number;
  readonly selfPct: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Samples before this offset (start-up) were left out. */
  readonly fromMs: number;
  readonly totalMs: number;
  /** Time not idle: what the process actually spent on the CPU (as sampled). */
  readonly busyMs: number;
  readonly topFrames: FrameTime[];
  readonly areas: { area: string; selfMs: number; selfPct: number }[];
  /** Inclusive time of functions in our own code (libs/, apps/), the biggest first. */
  readonly ourInclusive: FrameTime[];
}

const ROOT = path.join(__dirname, '..');

/** Where a frame's code lives: `libs/runtime`, `npm:pg`, `node:internal`, `(garbage collector)`, ... */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName.startsWith('(')) return functionName;
    return '(native)';
  }
  if (url.startsWith('node:')) return 'node:internal';
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const rel = path.relative(ROOT, file);
  const parts = rel.split(path.sep);
  if ((parts[0] === 'libs' || parts[0] === 'apps') && parts.length > 1) {
    // The generated Prisma client lives under libs/store but is Prisma's code.
    if (rel.includes('/generated/')) return 'prisma (generated client)';
    return `${parts[0]}/${parts[1]}`;
  }
  return rel.startsWith('..') ? file : parts[0];
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const file = frame.url.startsWith('file://') ? frame.url.slice(7) : frame.url;
  const nm = file.lastIndexOf('/node_modules/');
  const short = nm >= 0 ? file.slice(nm + '/node_modules/'.length) : path.relative(ROOT, file);
  return `${name} ${short}:${frame.lineNumber + 1}`;
}

/** `fromMs`: ignore the first milliseconds of the profile (start-up: module loading under tsx). */
export function summarizeProfile(file: string, top = 25, fromMs = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Self time per node from the sample stream (timeDeltas are microseconds).
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let elapsedUs = 0;
  for (let i = 0; i < samples.length; i++) {
    elapsedUs += deltas[i] ?? 0;
    if (elapsedUs < fromMs * 1000) continue;
    // The delta after a sample is the time it stands for.
    const dt = deltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const frames = new Map<string, { frame: string; area: string; us: number }>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const area = areaOf(node.callFrame);
    if (area === '(idle)') idleUs += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = label(node.callFrame);
    const entry = frames.get(key) ?? { frame: key, area, us: 0 };
    entry.us += us;
    frames.set(key, entry);
  }

  // Inclusive time of our own functions: each sample counts once per distinct frame on its stack.
  const inclusive = new Map<string, { frame: string; area: string; us: number }>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      const area = areaOf(node.callFrame);
      if (!area.startsWith('libs/') && !area.startsWith('apps/')) continue;
      const key = label(node.callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key) ?? { frame: key, area, us: 0 };
      entry.us += us;
      inclusive.set(key, entry);
    }
  }

  const busyUs = totalUs - idleUs;
  const pct = (us: number) => Math.round((us / Math.max(1, busyUs)) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    file,
    fromMs,
    totalMs: ms(totalUs),
    busyMs: ms(busyUs),
    topFrames: [...frames.values()]
      .filter((f) => f.area !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ frame: f.frame, area: f.area, selfMs: ms(f.us), selfPct: pct(f.us) })),
    areas: [...areas.entries()]
      .filter(([area]) => area !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: ms(us), selfPct: pct(us) })),
    ourInclusive: [...inclusive.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ frame: f.frame, area: f.area, selfMs: ms(f.us), selfPct: pct(f.us) })),
  };
}

export function profileMarkdown(s: ProfileSummary): string {
  const lines = [
    `Profile ${path.basename(s.file)}${s.fromMs > 0 ? ` from ${s.fromMs} ms on` : ''}: ${s.totalMs.toLocaleString('en-US')} ms sampled, ${s.busyMs.toLocaleString('en-US')} ms busy (percentages are of busy time).`,
    '',
    '| area | self ms | self % |',
    '| --- | ---: | ---: |',
    ...s.areas.slice(0, 15).map((a) => `| ${a.area} | ${a.selfMs} | ${a.selfPct} |`),
    '',
    '| top self frames | area | self ms | self % |',
    '| --- | --- | ---: | ---: |',
    ...s.topFrames.map((f) => `| \`${f.frame}\` | ${f.area} | ${f.selfMs} | ${f.selfPct} |`),
    '',
    '| our code, inclusive | area | ms | % |',
    '| --- | --- | ---: | ---: |',
    ...s.ourInclusive.map((f) => `| \`${f.frame}\` | ${f.area} | ${f.selfMs} | ${f.selfPct} |`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    console.error(
      'usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top=25] [--from-ms=0]',
    );
    process.exit(2);
  }
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  const fromMs = Number(args.find((a) => a.startsWith('--from-ms='))?.slice(10) ?? 0);
  console.log(profileMarkdown(summarizeProfile(file, top, fromMs)));
}
