import { FeelSyntaxError, FromAiError, fromAiParameters } from '../feel';
import type { AdHocElement, AdHocParameter, ElementType } from './model.types';
import { bodyOf, bool, child, children, extension, extensions, str } from './moddle-element';
import type { NodeDraft, ProcessDraft, ReadContext } from './process-draft';
import { readJob } from './zeebe-extensions';

/**
 * `bpmn:adHocSubProcess` as Camunda 8.8 runs it. Its elements have no start
 * event: those without incoming flows are activated on demand, either by the
 * FEEL `zeebe:adHoc activeElementsCollection` on entry (BPMN mode) or by a
 * job worker's completion result (job-worker mode, a `zeebe:taskDefinition`
 * on the subprocess: Camunda's AI agent pattern). The job lists those
 * elements with their documentation, properties and the tool parameters
 * their input mappings describe with `fromAi(...)`.
 */

/** Element types that can be activated in an ad-hoc subprocess (Zeebe's AdHocSubProcessTransformer). */
const ACTIVATABLE: ReadonlySet<ElementType> = new Set<ElementType>([
  'task',
  'manualTask',
  'serviceTask',
  'userTask',
  'scriptTask',
  'businessRuleTask',
  'sendTask',
  'receiveTask',
  'subProcess',
  'adHocSubProcess',
  'callActivity',
  'exclusiveGateway',
  'inclusiveGateway',
  'parallelGateway',
  'eventBasedGateway',
  'intermediateThrowEvent',
  'intermediateCatchEvent',
]);

/** Reads what the subprocess element itself says; its elements are read by {@link completeAdHocSubProcesses}. */
export function readAdHocSubProcess(ctx: ReadContext, node: NodeDraft): void {
  const { el } = node;
  const adHoc = extension(el, 'zeebe:AdHoc');
  const errorsBefore = ctx.problems.count;
  const active = nonBlank(str(adHoc, 'activeElementsCollection'));
  const activeElementsCollection = ctx.expressions.expression(
    active,
    el,
    'zeebe:adHoc activeElementsCollection',
  );
  const conditionText = nonBlank(bodyOf(child(el, 'completionCondition')));
  const completionCondition = ctx.expressions.feel(conditionText, el, 'completionCondition');
  const outputCollection = nonBlank(str(adHoc, 'outputCollection'))?.trim();
  const outputElementText = nonBlank(str(adHoc, 'outputElement'));
  const outputElement = ctx.expressions.expression(
    outputElementText,
    el,
    'zeebe:adHoc outputElement',
  );
  if (outputCollection !== undefined && outputElementText === undefined) {
    ctx.problems.at(
      el,
      `zeebe:adHoc outputCollection '${outputCollection}' needs an outputElement`,
    );
  }
  if (outputCollection === undefined && outputElementText !== undefined) {
    ctx.problems.at(el, 'zeebe:adHoc outputElement needs an outputCollection to collect into');
  }
  const cancelRemainingInstances = bool(el, 'cancelRemainingInstances') ?? true;
  const job = extension(el, 'zeebe:TaskDefinition') ? readJob(ctx, el, false) : undefined;
  if (extension(el, 'zeebe:TaskDefinition')) {
    // Camunda 8.8: in job-worker mode the worker decides what runs and when it is done.
    if (!cancelRemainingInstances) {
      ctx.problems.at(
        el,
        'Must not set cancelRemainingInstances to false in combination with zeebe:taskDefinition',
      );
    }
    if (conditionText !== undefined) {
      ctx.problems.at(
        el,
        'Must not set completionCondition in combination with zeebe:taskDefinition',
      );
    }
    if (active !== undefined) {
      ctx.problems.at(
        el,
        'Must not set activeElementsCollection in combination with zeebe:taskDefinition',
      );
    }
  }
  if (ctx.problems.count > errorsBefore) return;
  if (job) node.job = job;
  node.adHoc = stripUndefined({
    activeElementsCollection,
    completionCondition,
    cancelRemainingInstances,
    outputCollection,
    outputElement,
    activityIds: [],
    elements: [],
  });
}

/**
 * After every element is read and wired: the elements each ad-hoc
 * subprocess can activate (no incoming flow), their description for a job
 * worker, and Camunda 8's rules on what an ad-hoc subprocess holds.
 */
export function completeAdHocSubProcesses(ctx: ReadContext, draft: ProcessDraft): void {
  for (const node of draft.nodes.values()) {
    if (node.type !== 'adHocSubProcess') continue;
    const scope = draft.scopes.get(node.id);
    if (scope === undefined) continue;
    const inside = scope.nodeIds
      .map((id) => draft.nodes.get(id))
      .filter((n): n is NodeDraft => n !== undefined);
    if (inside.length === 0)
      ctx.problems.at(node.el, 'an ad-hoc subprocess must have at least one activity');
    for (const n of inside) {
      if (n.type === 'startEvent')
        ctx.problems.at(n.el, 'an ad-hoc subprocess must not contain a start event');
      if (n.type === 'endEvent')
        ctx.problems.at(n.el, 'an ad-hoc subprocess must not contain an end event');
    }
    if (node.adHoc === undefined) continue;
    const activities = inside.filter(
      (n) => ACTIVATABLE.has(n.type) && !n.triggeredByEvent && n.incoming.length === 0,
    );
    node.adHoc = {
      ...node.adHoc,
      activityIds: activities.map((n) => n.id),
      elements: activities.map((n) => describeElement(ctx, n)),
    };
  }
}

/** One activatable element as a job worker (an AI agent) sees it. */
function describeElement(ctx: ReadContext, node: NodeDraft): AdHocElement {
  const element: { -readonly [K in keyof AdHocElement]: AdHocElement[K] } = { elementId: node.id };
  if (node.name) element.elementName = node.name;
  const documentation = children(node.el, 'documentation')
    .filter((d) => (str(d, 'textFormat') ?? 'text/plain') === 'text/plain')
    .map((d) => str(d, 'text') ?? '')
    .join('\n');
  if (documentation !== '') element.documentation = documentation;
  const properties: Record<string, string> = {};
  for (const block of extensions(node.el, 'zeebe:Properties')) {
    for (const property of children(block, 'properties')) {
      const name = str(property, 'name');
      if (name) properties[name] = str(property, 'value') ?? '';
    }
  }
  if (Object.keys(properties).length > 0) element.properties = properties;
  const parameters = toolParameters(ctx, node);
  if (parameters.length > 0) element.parameters = parameters;
  return element;
}

/** The `fromAi(...)` calls of the element's input mappings; one that cannot be read refuses the model (as Zeebe does). */
function toolParameters(ctx: ReadContext, node: NodeDraft): AdHocParameter[] {
  const parameters: AdHocParameter[] = [];
  for (const mapping of node.inputs) {
    try {
      parameters.push(...fromAiParameters(mapping.source.source));
    } catch (e) {
      if (!(e instanceof FromAiError) && !(e instanceof FeelSyntaxError)) throw e;
      ctx.problems.at(
        node.el,
        `Failed to extract ad-hoc activity parameters for element '${node.id}'. ${e.message}`,
      );
    }
  }
  return parameters;
}

function nonBlank(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}

function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
