/**
 * `npm run bench:profile`: one worker under R1 load (batch 100, as in the
 * end-to-end bench) with `node --cpu-prof`, then a summary of where its CPU
 * time went. Add `-- --process=R3 --workers=3 --batch=10 --seconds=20` to profile another cell.
 *
 * The .cpuprofile files land in bench/results/profiles/ (open them in Chrome
 * DevTools or speedscope for the flame graph).
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/children';
import { runE2eCell, type RefKey } from './lib/e2e';
import { parseOptions } from './lib/options';
import { fmt } from './lib/stats';
import { profileMarkdown, summarizeProfile } from './profile-summary';

function arg(name: string, fallback: string): string {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}

async function main(): Promise<void> {
  const options = parseOptions([]);
  const processKey = arg('process', 'R1') as RefKey;
  const workers = Number(arg('workers', '1'));
  const batchSize = Number(arg('batch', '100'));
  const seconds = Number(arg('seconds', '15'));
  const dir = path.join(ROOT, 'bench', 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const result = await runE2eCell({
    process: processKey,
    workers,
    batchSize,
    warmupSeconds: 3,
    windows: Math.max(1, Math.round(seconds / 3)),
    windowSeconds: 3,
    maxInstances: 1_000_000,
    rabbitmqUrl: options.rabbitmqUrl,
    workerNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  console.log(
    `${processKey}, ${workers} worker(s), batch ${batchSize}: ${fmt(result.instancesPerSec.median)} instances/s ` +
      `(windows ${result.windowsPerSec.map((w) => fmt(w)).join(', ')}), worker CPU ${fmt(result.workerCpuPerSec)} cores`,
  );
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files.length === 0) throw new Error('the worker wrote no .cpuprofile (did it exit cleanly?)');
  for (const file of files) {
    console.log(`\n${path.relative(ROOT, file)}\n`);
    // The first seconds are start-up (tsx compiling and loading modules) and warm-up: left out.
    console.log(
      profileMarkdown(
        summarizeProfile(file, Number(arg('top', '25')), Number(arg('from-ms', '4000'))),
      ),
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
