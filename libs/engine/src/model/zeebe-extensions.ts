import type {
  CalledDecisionDefinition,
  CalledElementDefinition,
  JobDefinition,
  MultiInstanceDefinition,
  ScriptDefinition,
  UserTaskDefinition,
  FormBinding,
  ValueSource,
  VariableMapping,
} from './model.types';
import { literal } from './expressions';
import {
  bodyOf,
  bool,
  child,
  children,
  extension,
  extensions,
  str,
  tagOf,
  type ModdleElement,
} from './moddle-element';
import type { ReadContext } from './process-draft';
import { parseIsoDateTime, TimerValueError } from './timer-values';

/**
 * Readers for Camunda 8's `zeebe:` extension elements. Each reads one
 * extension of one element and reports what is missing or malformed.
 */

const DEFAULT_RETRIES = '3';

/** `zeebe:taskDefinition` + `zeebe:taskHeaders`. */
export function readJob(
  ctx: ReadContext,
  el: ModdleElement,
  required: boolean,
): JobDefinition | undefined {
  const definition = extension(el, 'zeebe:TaskDefinition');
  if (!definition) {
    if (required)
      ctx.problems.at(el, `a ${tagOf(el)} needs a job type (zeebe:taskDefinition type)`);
    return undefined;
  }
  const typeText = str(definition, 'type');
  if (typeText === undefined || typeText.trim() === '') {
    ctx.problems.at(el, 'zeebe:taskDefinition has no type');
    return undefined;
  }
  const type = ctx.expressions.value(typeText, el, 'zeebe:taskDefinition type');
  const retriesText = str(definition, 'retries');
  let retries: ValueSource | undefined = literal(DEFAULT_RETRIES);
  if (retriesText !== undefined) {
    // Like Camunda 8, a literal that is not a number deploys: the element
    // gets an incident when its job is created (see createJob).
    retries =
      retriesText.trim() === ''
        ? reportEmpty(ctx, el, 'zeebe:taskDefinition retries')
        : ctx.expressions.value(retriesText, el, 'zeebe:taskDefinition retries');
  }
  if (!type || !retries) return undefined;
  return { type, retries, headers: readHeaders(ctx, el) };
}

function reportEmpty(ctx: ReadContext, el: ModdleElement, attribute: string): undefined {
  ctx.problems.at(el, `${attribute} is empty; leave the attribute out for the default`);
  return undefined;
}

function readHeaders(ctx: ReadContext, el: ModdleElement): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const block of extensions(el, 'zeebe:TaskHeaders')) {
    for (const header of children(block, 'values')) {
      const key = str(header, 'key');
      if (key === undefined || key === '') {
        ctx.problems.at(el, 'a task header (zeebe:header) has no key');
        continue;
      }
      headers[key] = str(header, 'value') ?? '';
    }
  }
  return headers;
}

/** `zeebe:script expression resultVariable`: a FEEL script task. */
export function readScript(ctx: ReadContext, el: ModdleElement): ScriptDefinition | undefined {
  const script = extension(el, 'zeebe:Script');
  if (!script) {
    const hint = extension(el, 'zeebe:TaskDefinition')
      ? '; script tasks implemented by a job worker are not supported'
      : child(el, 'script') !== undefined || str(el, 'scriptFormat') !== undefined
        ? '; inline scripts in other languages are not supported'
        : '';
    ctx.problems.at(
      el,
      `a script task needs a FEEL expression and a result variable (zeebe:script)${hint}`,
    );
    return undefined;
  }
  const source = str(script, 'expression');
  const resultVariable = str(script, 'resultVariable')?.trim();
  if (source === undefined || source.trim() === '') {
    ctx.problems.at(el, 'zeebe:script has no expression');
    return undefined;
  }
  if (!resultVariable) {
    ctx.problems.at(el, 'zeebe:script has no resultVariable');
    return undefined;
  }
  const expression = ctx.expressions.expression(source, el, 'zeebe:script expression');
  return expression ? { expression, resultVariable } : undefined;
}

/** `zeebe:assignmentDefinition`, `zeebe:formDefinition`, `zeebe:taskSchedule`. */
export function readUserTask(ctx: ReadContext, el: ModdleElement): UserTaskDefinition {
  const assignment = extension(el, 'zeebe:AssignmentDefinition');
  const form = extension(el, 'zeebe:FormDefinition');
  const schedule = extension(el, 'zeebe:TaskSchedule');
  const value = (holder: ModdleElement | undefined, property: string): ValueSource | undefined => {
    const text = str(holder, property);
    return text === undefined || text.trim() === ''
      ? undefined
      : ctx.expressions.value(text, el, `${tagOf(holder ?? el)} ${property}`);
  };
  const dateValue = (property: string): ValueSource | undefined => {
    const source = value(schedule, property);
    if (source?.kind !== 'literal') return source;
    try {
      parseIsoDateTime(source.value);
    } catch (e) {
      if (!(e instanceof TimerValueError)) throw e;
      ctx.problems.at(el, `zeebe:taskSchedule ${property}: ${e.message}`);
    }
    return source;
  };
  if (form) checkFormDefinition(ctx, el, form);
  const formKey =
    str(form, 'formKey')?.trim() ||
    str(form, 'formId')?.trim() ||
    str(form, 'externalReference')?.trim();
  return stripUndefined({
    assignee: value(assignment, 'assignee'),
    candidateGroups: value(assignment, 'candidateGroups'),
    candidateUsers: value(assignment, 'candidateUsers'),
    formKey: formKey || undefined,
    form: form ? readFormBinding(ctx, el, form) : undefined,
    dueDate: dateValue('dueDate'),
    followUpDate: dateValue('followUpDate'),
  });
}

/**
 * Camunda 8's rule for `zeebe:formDefinition`: a job-worker user task names
 * its form by exactly one of formId and formKey; a Camunda user task
 * (`zeebe:userTask`) by exactly one of formId and externalReference. A
 * bindingType only goes with formId.
 */
function checkFormDefinition(ctx: ReadContext, el: ModdleElement, form: ModdleElement): void {
  const given = (property: string) => (str(form, property)?.trim() ?? '') !== '';
  const native = extension(el, 'zeebe:UserTask') !== undefined;
  const other = native ? 'externalReference' : 'formKey';
  if (given('formId') === given(other)) {
    ctx.problems.at(
      el,
      `zeebe:formDefinition needs exactly one of formId and ${other}${native ? ' (a Camunda user task, zeebe:userTask)' : ''}`,
    );
  }
  // bindingType has a schema default ('latest'): only a written one counts.
  if (given(other) && Object.prototype.hasOwnProperty.call(form, 'bindingType')) {
    ctx.problems.at(el, `zeebe:formDefinition ${other} cannot be combined with bindingType`);
  }
}

/** A linked form (`formId`) and the version it binds. */
function readFormBinding(ctx: ReadContext, el: ModdleElement, form: ModdleElement): FormBinding | undefined {
  const formId = str(form, 'formId')?.trim();
  if (!formId) return undefined;
  const binding = readBinding(ctx, el, form, 'zeebe:formDefinition');
  return binding && { formId, ...binding };
}

/** How a link picks the version of what it names: Camunda 8's `bindingType`. */
interface Binding {
  readonly bindingType: 'latest' | 'deployment' | 'versionTag';
  readonly versionTag?: string;
}

/**
 * `bindingType` (default `latest`) and `versionTag` of `zeebe:calledElement`,
 * `zeebe:calledDecision` and `zeebe:formDefinition`, with Camunda 8's rules:
 * one of the three types; a version tag with `versionTag` and only then.
 */
function readBinding(ctx: ReadContext, el: ModdleElement, holder: ModdleElement | undefined, tag: string): Binding | undefined {
  const bindingType = str(holder, 'bindingType') ?? 'latest';
  if (bindingType !== 'latest' && bindingType !== 'deployment' && bindingType !== 'versionTag') {
    ctx.problems.at(el, `${tag} bindingType '${bindingType}' is not one of latest, deployment, versionTag`);
    return undefined;
  }
  const versionTag = str(holder, 'versionTag')?.trim();
  if (bindingType === 'versionTag' && !versionTag) {
    ctx.problems.at(el, `${tag} bindingType 'versionTag' needs a versionTag`);
    return undefined;
  }
  if (bindingType !== 'versionTag' && versionTag) {
    ctx.problems.at(el, `${tag} versionTag is only used with bindingType 'versionTag', not '${bindingType}'`);
    return undefined;
  }
  return bindingType === 'versionTag' ? { bindingType, versionTag } : { bindingType };
}

/** `zeebe:calledElement`; both propagation flags default to true as in Camunda 8. */
export function readCalledElement(
  ctx: ReadContext,
  el: ModdleElement,
): CalledElementDefinition | undefined {
  const called = extension(el, 'zeebe:CalledElement');
  const processIdText = str(called, 'processId') ?? str(called, 'processIdExpression');
  if (processIdText === undefined || processIdText.trim() === '') {
    ctx.problems.at(
      el,
      'a call activity needs the id of the process to call (zeebe:calledElement processId)',
    );
    return undefined;
  }
  const binding = readBinding(ctx, el, called, 'zeebe:calledElement');
  if (!binding) return undefined;
  const processId = ctx.expressions.value(processIdText, el, 'zeebe:calledElement processId');
  if (!processId) return undefined;
  return {
    processId,
    ...binding,
    propagateAllChildVariables: bool(called, 'propagateAllChildVariables') ?? true,
    propagateAllParentVariables: bool(called, 'propagateAllParentVariables') ?? true,
  };
}

/**
 * `zeebe:calledDecision decisionId resultVariable [bindingType versionTag]`
 * (Camunda 8's business rule task with a DMN decision).
 */
export function readCalledDecision(ctx: ReadContext, el: ModdleElement): CalledDecisionDefinition | undefined {
  const called = extension(el, 'zeebe:CalledDecision');
  const decisionIdText = str(called, 'decisionId');
  const resultVariable = str(called, 'resultVariable')?.trim();
  if (decisionIdText === undefined || decisionIdText.trim() === '') {
    ctx.problems.at(el, 'a business rule task needs the id of the decision to call (zeebe:calledDecision decisionId)');
    return undefined;
  }
  if (!resultVariable) {
    ctx.problems.at(el, 'a business rule task needs a result variable (zeebe:calledDecision resultVariable)');
    return undefined;
  }
  const binding = readBinding(ctx, el, called, 'zeebe:calledDecision');
  if (!binding) return undefined;
  const decisionId = ctx.expressions.value(decisionIdText, el, 'zeebe:calledDecision decisionId');
  if (!decisionId) return undefined;
  return { decisionId, resultVariable, ...binding };
}

/** `zeebe:ioMapping` inputs and outputs. */
export function readIoMapping(
  ctx: ReadContext,
  el: ModdleElement,
): { inputs: VariableMapping[]; outputs: VariableMapping[] } {
  const inputs: VariableMapping[] = [];
  const outputs: VariableMapping[] = [];
  for (const mapping of extensions(el, 'zeebe:IoMapping')) {
    readMappings(ctx, el, children(mapping, 'inputParameters'), 'zeebe:input', inputs);
    readMappings(ctx, el, children(mapping, 'outputParameters'), 'zeebe:output', outputs);
  }
  return { inputs, outputs };
}

function readMappings(
  ctx: ReadContext,
  el: ModdleElement,
  parameters: readonly ModdleElement[],
  tag: string,
  into: VariableMapping[],
): void {
  for (const parameter of parameters) {
    const target = str(parameter, 'target')?.trim();
    if (!target) {
      ctx.problems.at(el, `a ${tag} mapping has no target`);
      continue;
    }
    if (!/^[^\s.][^\s]*$/.test(target) || target.endsWith('.') || target.includes('..')) {
      ctx.problems.at(el, `${tag} target '${target}' is not a variable name or dotted path`);
      continue;
    }
    const sourceText = str(parameter, 'source');
    const attribute = `${tag} source (target '${target}')`;
    // Camunda 8 takes a static input value as a string; an output is always an expression.
    const source =
      tag === 'zeebe:output' && sourceText !== undefined && sourceText.trim() !== ''
        ? ctx.expressions.expression(sourceText, el, attribute)
        : ctx.expressions.feel(mappingSource(sourceText), el, attribute);
    if (source) into.push({ source, target });
  }
}

/**
 * `bpmn:multiInstanceLoopCharacteristics` with `zeebe:loopCharacteristics`.
 * Returns undefined when the activity has no loop characteristics or they
 * are refused (reported).
 */
export function readMultiInstance(
  ctx: ReadContext,
  el: ModdleElement,
): MultiInstanceDefinition | undefined {
  const loop = child(el, 'loopCharacteristics');
  if (!loop) return undefined;
  if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
    ctx.problems.at(el, 'standard loop characteristics are not supported; use multi-instance');
    return undefined;
  }
  const zeebe = extension(loop, 'zeebe:LoopCharacteristics');
  const behavior = str(loop, 'behavior');
  if (behavior !== undefined && behavior !== 'All') {
    ctx.problems.at(el, `multi-instance behavior '${behavior}' is not supported`);
    return undefined;
  }
  if (children(loop, 'complexBehaviorDefinition').length > 0) {
    ctx.problems.at(el, 'multi-instance complexBehaviorDefinition is not supported');
    return undefined;
  }

  const errorsBefore = ctx.problems.count;
  const inputCollectionText = str(zeebe, 'inputCollection');
  const inputCollection = ctx.expressions.expression(
    blankToUndefined(inputCollectionText),
    el,
    'inputCollection',
  );
  const loopCardinality = ctx.expressions.feel(
    blankToUndefined(bodyOf(child(loop, 'loopCardinality'))),
    el,
    'loopCardinality',
  );
  const completionCondition = ctx.expressions.feel(
    blankToUndefined(bodyOf(child(loop, 'completionCondition'))),
    el,
    'completionCondition',
  );
  const outputCollection = blankToUndefined(str(zeebe, 'outputCollection'))?.trim();
  const outputElement = ctx.expressions.expression(
    blankToUndefined(str(zeebe, 'outputElement')),
    el,
    'outputElement',
  );
  const inputElement = blankToUndefined(str(zeebe, 'inputElement'))?.trim();

  if (
    blankToUndefined(inputCollectionText) === undefined &&
    child(loop, 'loopCardinality') === undefined
  ) {
    const standard = child(loop, 'loopDataInputRef') ?? child(loop, 'inputDataItem');
    ctx.problems.at(
      el,
      standard
        ? 'data-based multi-instance (loopDataInputRef/inputDataItem) is not supported; use zeebe:loopCharacteristics inputCollection'
        : 'multi-instance needs an input collection (zeebe:loopCharacteristics inputCollection) or a loopCardinality',
    );
  }
  const outputElementText = blankToUndefined(str(zeebe, 'outputElement'));
  if (outputCollection !== undefined && outputElementText === undefined) {
    ctx.problems.at(
      el,
      `multi-instance outputCollection '${outputCollection}' needs an outputElement`,
    );
  }
  if (outputCollection === undefined && outputElementText !== undefined) {
    ctx.problems.at(el, 'multi-instance outputElement needs an outputCollection to collect into');
  }
  if (ctx.problems.count > errorsBefore) return undefined;

  return stripUndefined({
    sequential: bool(loop, 'isSequential') ?? false,
    inputCollection,
    inputElement,
    outputCollection,
    outputElement,
    completionCondition,
    loopCardinality,
  });
}

/**
 * Extension elements that change behaviour and that Baton does not run.
 * Ignoring them silently would run the model differently from Camunda 8.
 */
// None at present: listeners run (task listener events Baton does not run are refused in listeners.ts).
const UNSUPPORTED_EXTENSIONS: Readonly<Record<string, string>> = {};

/** The listener lists of these extensions; an empty list is nothing to run. */
const LISTENER_LISTS: Readonly<Record<string, string>> = {
  'zeebe:ExecutionListeners': 'listeners',
  'zeebe:TaskListeners': 'listeners',
};

/**
 * The elements Camunda 8 lets carry execution listeners (its
 * ExecutionListenersValidator), by XML tag name.
 */
const EXECUTION_LISTENER_HOSTS: ReadonlySet<string> = new Set([
  'process',
  'subProcess',
  'callActivity',
  'adHocSubProcess',
  'task',
  'sendTask',
  'serviceTask',
  'scriptTask',
  'userTask',
  'receiveTask',
  'businessRuleTask',
  'manualTask',
  'startEvent',
  'intermediateThrowEvent',
  'intermediateCatchEvent',
  'boundaryEvent',
  'endEvent',
  'exclusiveGateway',
  'inclusiveGateway',
  'parallelGateway',
  'eventBasedGateway',
]);

/**
 * Extension elements Camunda 8 allows at most once per element (its
 * ExtensionElementsDuplicationValidators and single-extension validators).
 * Baton would read only the first; Camunda 8 refuses the model.
 */
const SINGLE_EXTENSIONS: readonly string[] = [
  'zeebe:IoMapping',
  'zeebe:ExecutionListeners',
  'zeebe:TaskDefinition',
  'zeebe:TaskHeaders',
  'zeebe:UserTask',
  'zeebe:AssignmentDefinition',
  'zeebe:FormDefinition',
  'zeebe:TaskSchedule',
  'zeebe:PriorityDefinition',
  'zeebe:TaskListeners',
  'zeebe:CalledDecision',
  'zeebe:CalledElement',
  'zeebe:Script',
  'zeebe:VersionTag',
  'zeebe:LinkedResources',
  'zeebe:AdHoc',
];

/**
 * Checks the extension elements of a process, flow node or sequence flow:
 * refuses what Baton does not run, what Camunda 8 refuses on this element,
 * and extensions given twice.
 */
export function checkUnsupportedExtensions(ctx: ReadContext, el: ModdleElement): void {
  const values = children(child(el, 'extensionElements'), 'values');
  for (const value of values) {
    const list = LISTENER_LISTS[value.$type];
    if (list !== undefined && children(value, list).length === 0) continue;
    if (value.$type === 'zeebe:ExecutionListeners' && !EXECUTION_LISTENER_HOSTS.has(tagOf(el))) {
      ctx.problems.at(
        el,
        `execution listeners are not supported for the '${tagOf(el)}' element; Camunda 8 allows them only on processes, subprocesses, call activities, tasks, events and exclusive, inclusive, parallel and event-based gateways`,
      );
      continue;
    }
    const reason = UNSUPPORTED_EXTENSIONS[value.$type];
    if (reason) ctx.problems.at(el, reason);
  }
  for (const type of SINGLE_EXTENSIONS) {
    const count = values.filter((v) => v.$type === type).length;
    if (count > 1) {
      ctx.problems.at(el, `${zeebeTag(type)} is given ${count} times; at most one is allowed`);
    }
  }
}

/** `zeebe:TaskDefinition` -> `zeebe:taskDefinition`, as written in XML. */
function zeebeTag(type: string): string {
  const local = type.slice(type.indexOf(':') + 1);
  return `zeebe:${local.charAt(0).toLowerCase()}${local.slice(1)}`;
}

/**
 * Camunda 8 mapping sources: `= expr` is FEEL; anything else is a static
 * string value (what Modeler writes for a constant), compiled as a FEEL string
 * literal; no source at all sets the target to null.
 */
function mappingSource(text: string | undefined): string {
  if (text === undefined || text.trim() === '') return 'null';
  const trimmed = text.trimStart();
  return trimmed.startsWith('=') ? trimmed : JSON.stringify(text);
}

function blankToUndefined(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}

function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
