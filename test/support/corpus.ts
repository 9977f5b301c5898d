import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Public BPMN files Baton did not write (test/corpus/README.md: what they are, their licences). */
export const CORPUS = join(__dirname, '..', 'corpus');

/** Every `.bpmn`/`.xml` file of the corpus, sorted; empty when the corpus is not there. */
export function corpusFiles(): string[] {
  if (!existsSync(CORPUS)) return [];
  return walk(CORPUS)
    .filter((f) => /\.(bpmn|xml)$/.test(f))
    .sort();
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
