import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDmn, type CompileDmnOptions, type CompiledDrg, type DmnEnv } from '../src';

export const ENV: DmnEnv = { now: () => Date.UTC(2025, 0, 31, 23, 30, 0) };

export function fixture(name: string): string {
  return readFileSync(join(__dirname, 'fixtures', name), 'utf8');
}

export async function compiled(xml: string, options?: CompileDmnOptions): Promise<CompiledDrg> {
  const result = await compileDmn(xml, options);
  if (!result.ok) throw new Error(`does not compile: ${JSON.stringify(result.errors)}`);
  return result.definitions;
}

export function definitions(
  body: string,
  ns = 'https://www.omg.org/spec/DMN/20191111/MODEL/',
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${ns}" id="defs" name="Defs" namespace="http://example.org/dmn">
${body}
</definitions>`;
}

export interface TableSpec {
  readonly hitPolicy?: string;
  readonly aggregation?: string;
  /** Input expressions, one per column. */
  readonly inputs: readonly string[];
  /** Output names; `outputValues` per output (optional). */
  readonly outputs: ReadonlyArray<{ name?: string; values?: string; default?: string }>;
  /** Each rule: input entries, then output entries. */
  readonly rules: ReadonlyArray<{ in: readonly string[]; out: readonly string[] }>;
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A document with one decision `d` whose logic is the table. */
export function tableDmn(spec: TableSpec): string {
  const attrs = [
    spec.hitPolicy ? ` hitPolicy="${spec.hitPolicy}"` : '',
    spec.aggregation ? ` aggregation="${spec.aggregation}"` : '',
  ].join('');
  const inputs = spec.inputs
    .map(
      (text, i) =>
        `<input id="in${i + 1}" label="Input ${i + 1}"><inputExpression id="ie${i + 1}"><text>${escape(text)}</text></inputExpression></input>`,
    )
    .join('\n');
  const outputs = spec.outputs
    .map(
      (o, i) =>
        `<output id="out${i + 1}"${o.name ? ` name="${o.name}"` : ''}>${o.values ? `<outputValues><text>${escape(o.values)}</text></outputValues>` : ''}${o.default ? `<defaultOutputEntry><text>${escape(o.default)}</text></defaultOutputEntry>` : ''}</output>`,
    )
    .join('\n');
  const rules = spec.rules
    .map(
      (r, i) =>
        `<rule id="r${i + 1}">${r.in.map((t, j) => `<inputEntry id="r${i + 1}i${j + 1}"><text>${escape(t)}</text></inputEntry>`).join('')}${r.out.map((t, j) => `<outputEntry id="r${i + 1}o${j + 1}"><text>${escape(t)}</text></outputEntry>`).join('')}</rule>`,
    )
    .join('\n');
  return definitions(
    `<decision id="d" name="D"><decisionTable id="t"${attrs}>\n${inputs}\n${outputs}\n${rules}\n</decisionTable></decision>`,
  );
}
