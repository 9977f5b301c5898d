import { measureRowWrites, rowWritesMarkdown, type RowWritesFigures } from './lib/row-writes';

/**
 * `node --import tsx bench/row-writes.ts [instances]`: the rows and index
 * entries one R1 instance writes, at each HISTORY_LEVEL.
 */
async function main(): Promise<void> {
  const instances = Number(process.argv[2] ?? 1000);
  const figures: RowWritesFigures[] = [];
  for (const historyLevel of ['full', 'activity', 'none'] as const) {
    figures.push(await measureRowWrites({ file: 'r1-exclusive-script.bpmn', variables: { amount: 150 }, instances, batchSize: 100, historyLevel }));
  }
  process.stdout.write(`${rowWritesMarkdown(figures).join('\n')}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
