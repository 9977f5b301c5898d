import { compileProcess } from './compile-process';
import { ExpressionCompiler } from './expressions';
import type { CompiledDefinitions, ValidationError } from './model.types';
import { bool, children, idOf, type ModdleElement } from './moddle-element';
import { parseBpmn } from './parse-bpmn';
import type { ProcessDraft, ReadContext } from './process-draft';
import { Problems } from './problems';
import { readProcess } from './read-process';
import { PROCESS_RULES } from './rules';

export type CompileBpmnResult =
  | {
      readonly ok: true;
      readonly definitions: CompiledDefinitions;
      /** Things that deploy but run with reduced meaning, or were skipped (non-executable processes). */
      readonly warnings?: readonly ValidationError[];
    }
  | { readonly ok: false; readonly errors: readonly ValidationError[] };

/**
 * Parses, validates and compiles a BPMN document: every executable process
 * becomes a {@link CompiledProcess}. A document with any problem is refused
 * as a whole, with every problem found.
 */
export async function compileBpmn(xml: string): Promise<CompileBpmnResult> {
  const problems = new Problems();
  const parsed = await parseBpmn(xml, problems);
  if (!parsed) return { ok: false, errors: problems.errors };

  const warnings: ValidationError[] = [...parsed.warnings];
  const ctx: ReadContext = {
    problems,
    expressions: new ExpressionCompiler(problems),
    warnings,
    isUnresolved: (el: ModdleElement, property: string) =>
      parsed.unresolved.get(el)?.has(property) ?? false,
  };

  const processEls = children(parsed.definitions, 'rootElements').filter(
    (el) => el.$type === 'bpmn:Process',
  );
  const drafts: ProcessDraft[] = [];
  for (const processEl of processEls) {
    const id = idOf(processEl);
    if (bool(processEl, 'isExecutable') !== true) {
      if (id) {
        warnings.push({
          elementId: id,
          elementType: 'process',
          message: 'the process is not executable (isExecutable="true") and was not deployed',
        });
      }
      continue;
    }
    if (!id) {
      problems.document('an executable process has no id');
      continue;
    }
    const draft = readProcess(ctx, processEl, id);
    for (const rule of PROCESS_RULES) rule(ctx, draft);
    drafts.push(draft);
  }
  if (processEls.length === 0) {
    problems.document('the document contains no process');
  } else if (drafts.length === 0 && !processEls.some((p) => bool(p, 'isExecutable') === true)) {
    problems.document('no process is executable (isExecutable="true"); there is nothing to deploy');
  }

  if (problems.count > 0) return { ok: false, errors: problems.errors };
  const definitions: CompiledDefinitions = { processes: drafts.map(compileProcess) };
  return warnings.length > 0 ? { ok: true, definitions, warnings } : { ok: true, definitions };
}
