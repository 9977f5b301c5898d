/**
 * `npm run bench:profile`: one worker under R1 load (batch 100, as in the
 * end-to-end bench) with `node --cpu-prof`, then a summary of where its CPU
 * time went. Add `-- --process=R3 --workers=3 --batch=10 --seconds=20` to profile another cell.
 * `-- --embedded` profiles the `npm start` process (PGlite, in-process bus)
 * through the bench's embedded section instead: R1 end to end, then starts at 200/s.
 *
 * The .cpuprofile files land in bench/results/profiles/ (open them in Chrome
 * DevTools or speedscope for the flame graph).
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/children';
import { runE2eCell, type RefKey } from './lib/e2e';
import { measureEmbedded } from './lib/embedded';
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
  const embedded = process.argv.includes('--embedded');
  if (embedded) {
    const figures = await measureEmbedded(
      {
        rounds: 3,
        instances: 3000,
        connections: 32,
        rate: 200,
        rateSeconds: 5,
        warmupInstances: 1000,
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      },
      (line) => console.log(line),
    );
    console.log(`embedded: R1 ${fmt(figures.r1InstancesPerSec.median)} instances/s, start p95 at 200/s ${fmt(figures.startAtRate.p95.median)} ms`);
  } else {
    await profileWorker(processKey, workers, batchSize, seconds, options.rabbitmqUrl, dir);
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files.length === 0) throw new Error('the worker wrote no .cpuprofile (did it exit cleanly?)');
  for (const file of files) {
    console.log(`\n${path.relative(ROOT, file)}\n`);
    // The first seconds are start-up (tsx compiling and loading modules; the embedded process also
    // opens its database) and warm-up: left out.
    console.log(
      profileMarkdown(
        summarizeProfile(file, Number(arg('top', '25')), Number(arg('from-ms', embedded ? '15000' : '4000'))),
      ),
    );
  }
}

async function profileWorker(
  processKey: RefKey,
  workers: number,
  batchSize: number,
  seconds: number,
  rabbitmqUrl: string,
  dir: string,
): Promise<void> {
  const result = await runE2eCell({
    process: processKey,
    workers,
    batchSize,
    warmupSeconds: 3,
    windows: Math.max(1, Math.round(seconds / 3)),
    windowSeconds: 3,
    maxInstances: 1_000_000,
    rabbitmqUrl,
    workerNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  console.log(
    `${processKey}, ${workers} worker(s), batch ${batchSize}: ${fmt(result.instancesPerSec.median)} instances/s ` +
      `(windows ${result.windowsPerSec.map((w) => fmt(w)).join(', ')}), worker CPU ${fmt(result.workerCpuPerSec)} cores`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
