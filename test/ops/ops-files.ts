import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export const repoText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface JsYaml {
  load(input: string, options?: { schema?: unknown }): unknown;
  CORE_SCHEMA: { withTags(...tags: unknown[]): unknown };
  mergeTag: unknown;
}

/**
 * js-yaml, as @nestjs/swagger (a runtime dependency) brings it: the project
 * has no YAML parser of its own and these checks do not justify one. Merge
 * keys (`<<: *anchor`) are on, as Docker Compose reads them.
 */
const yaml = createRequire(require.resolve('@nestjs/swagger'))('js-yaml') as JsYaml;
const schema = yaml.CORE_SCHEMA.withTags(yaml.mergeTag);

export function parseYaml<T = unknown>(text: string): T {
  return yaml.load(text, { schema }) as T;
}

export const repoYaml = <T = unknown>(path: string): T => parseYaml<T>(repoText(path));
