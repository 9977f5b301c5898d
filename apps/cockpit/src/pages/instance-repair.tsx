import { useEffect, useMemo, useState } from 'preact/hooks';
import { send, type ModificationRequest, type Token } from '../api';
import { ErrorLine } from './common';
import { parseJsonObject } from './json-input';

const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

/**
 * What process instance modification may activate: tasks, subprocesses,
 * call activities, intermediate events, gateways and end events. Start and
 * boundary events are not (the API refuses them), nor sequence flows; nor
 * (see activatableElements) the events after an event-based gateway, as
 * Camunda Operate leaves them out.
 */
const ACTIVATABLE = new Set([
  'task',
  'userTask',
  'serviceTask',
  'scriptTask',
  'sendTask',
  'receiveTask',
  'businessRuleTask',
  'manualTask',
  'callActivity',
  'subProcess',
  'adHocSubProcess',
  'intermediateCatchEvent',
  'intermediateThrowEvent',
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'eventBasedGateway',
  'endEvent',
]);

/** Elements whose children run inside them; an ad-hoc subprocess's children are not activated one by one. */
const SCOPES = new Set(['subProcess']);

export interface ActivatableElement {
  readonly id: string;
  readonly name: string | null;
  /** The BPMN tag name (`serviceTask`). */
  readonly type: string;
  /** The ids of the subprocesses around it, outermost first. */
  readonly flowScopes: readonly string[];
}

/**
 * The activatable elements of process `processId` in a BPMN document, in
 * document order: those of ACTIVATABLE, but not inside an ad-hoc subprocess
 * and not an event of an event-based gateway (the API refuses both).
 */
export function activatableElements(xml: string, processId: string): ActivatableElement[] {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const process = Array.from(doc.getElementsByTagNameNS(BPMN, 'process')).find(
    (p) => p.getAttribute('id') === processId,
  );
  if (process === undefined) return [];
  const all = (tag: string) => Array.from(process.getElementsByTagNameNS(BPMN, tag));
  const eventGateways = new Set(all('eventBasedGateway').map((g) => g.getAttribute('id')));
  const afterEventGateway = new Set(
    all('sequenceFlow')
      .filter((f) => eventGateways.has(f.getAttribute('sourceRef')))
      .map((f) => f.getAttribute('targetRef')),
  );
  const found: ActivatableElement[] = [];
  const walk = (container: Element, flowScopes: string[]) => {
    for (const child of Array.from(container.children)) {
      if (child.namespaceURI !== BPMN) continue;
      const id = child.getAttribute('id');
      if (id === null) continue;
      if (ACTIVATABLE.has(child.localName) && !afterEventGateway.has(id))
        found.push({ id, name: child.getAttribute('name'), type: child.localName, flowScopes });
      if (SCOPES.has(child.localName)) walk(child, [...flowScopes, id]);
    }
  };
  walk(process, []);
  return found;
}

/** The confirmation a Terminate asks: what ends, and that the last running element ends the instance. */
export function terminateQuestion(token: Token, tokens: readonly Token[]): string {
  const last =
    tokens.length === 1
      ? ' It is the only running element: the instance ends CANCELED. To move the token instead, use "Activate element…" and tick it under "Terminate at the same time".'
      : '';
  return `Terminate ${token.elementId} (element instance ${token.id})? Its jobs, user tasks, timers and subscriptions are canceled and its incidents resolved.${last}`;
}

const label = (e: ActivatableElement): string =>
  `${e.name !== null && e.name !== '' ? `${e.name} (${e.id})` : e.id}, ${e.type}`;

/**
 * Process instance modification from the instance page
 * (`POST /api/v1/instances/{id}/modification`): the element picked on the
 * diagram with its live tokens, each with "Terminate"; "Activate element…",
 * a form to activate an element (picked on the diagram or from the list),
 * optionally with variables typed as a JSON object and with tokens to
 * terminate in the same request (a token moved in one step). Bad JSON is
 * named and nothing is sent; the API's refusal (a 400 naming the element) is
 * shown in the form.
 */
export function Repair({
  path,
  processId,
  xml,
  tokens,
  selection,
  onSelect,
  onTerminate,
  terminateError,
  disabled,
  onDone,
}: {
  /** `/api/v1/instances/{id}` */
  path: string;
  processId: string;
  xml: string | null | undefined;
  tokens: readonly Token[];
  /** The element clicked on the diagram: a new object per click. */
  selection: { readonly elementId: string | null };
  onSelect: (elementId: string | null) => void;
  onTerminate: (token: Token) => void;
  terminateError: Error | undefined;
  disabled: boolean;
  /** After a modification was sent: the page reloads. */
  onDone: () => void;
}) {
  const elements = useMemo(
    () => (typeof xml === 'string' ? activatableElements(xml, processId) : []),
    [xml, processId],
  );
  const byId = useMemo(() => new Map(elements.map((e) => [e.id, e])), [elements]);
  const [open, setOpen] = useState(false);
  const [elementId, setElementId] = useState('');
  const [variables, setVariables] = useState('');
  const [scope, setScope] = useState('');
  const [terminate, setTerminate] = useState<ReadonlySet<string>>(new Set());
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const selected = selection.elementId;
  // A click on the diagram while the form is open picks the element to activate.
  useEffect(() => {
    if (open && selected !== null && byId.has(selected)) setElementId(selected);
  }, [selection]);

  const element = byId.get(elementId);
  // The variables' scope must be the element or one of its flow scopes: reset when it no longer is.
  useEffect(() => {
    if (scope !== '' && scope !== elementId && !(element?.flowScopes.includes(scope) ?? false))
      setScope('');
  }, [elementId]);
  // Tokens ended meanwhile are not sent.
  const live = new Set(tokens.map((t) => t.id));
  const terminating = [...terminate].filter((id) => live.has(id));

  const openForm = (id: string) => {
    setElementId(id);
    setOpen(true);
    setError(undefined);
    setInvalid(null);
  };
  const close = () => {
    setOpen(false);
    setVariables('');
    setScope('');
    setTerminate(new Set());
    setInvalid(null);
    setError(undefined);
  };
  const submit = async () => {
    const parsed = parseJsonObject(variables);
    setInvalid(parsed.error ?? null);
    setError(undefined);
    if (parsed.error !== undefined || element === undefined) return;
    const body: ModificationRequest = {
      activate: [
        {
          elementId: element.id,
          ...(Object.keys(parsed.value).length === 0
            ? {}
            : {
                variables: [
                  { ...(scope === '' ? {} : { scopeId: scope }), variables: parsed.value },
                ],
              }),
        },
      ],
      ...(terminating.length === 0
        ? {}
        : { terminate: terminating.map((id) => ({ elementInstanceId: id })) }),
    };
    setBusy(true);
    try {
      await send('POST', `${path}/modification`, body);
      close();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
      onDone();
    }
  };

  const here = selected === null ? [] : tokens.filter((t) => t.elementId === selected);
  const picked = selected === null ? undefined : byId.get(selected);
  const invalidId = 'activate-variables-error';

  return (
    <>
      <p class="hint">
        Click an element of the diagram for its tokens, or activate any element from the list.
      </p>
      {selected !== null && (
        <div class="selected-element" role="region" aria-label={`Element ${selected}`}>
          <p>
            Selected: <code>{selected}</code>
            {picked !== undefined && ` (${picked.type})`}{' '}
            <button type="button" class="link" onClick={() => onSelect(null)}>
              Clear
            </button>
          </p>
          {here.length === 0 ? (
            <p>No live token here.</p>
          ) : (
            <ul class="tokens-here">
              {here.map((t) => (
                <li key={t.id}>
                  token <code>{t.id}</code> {t.state}{' '}
                  <button
                    type="button"
                    class="danger"
                    disabled={disabled}
                    aria-label={`Terminate ${t.elementId}`}
                    onClick={() => onTerminate(t)}
                  >
                    Terminate
                  </button>
                </li>
              ))}
            </ul>
          )}
          <ErrorLine error={terminateError} />
          {picked !== undefined ? (
            <button type="button" disabled={disabled} onClick={() => openForm(picked.id)}>
              Activate {selected}…
            </button>
          ) : (
            <p class="hint">
              Not activatable: start and boundary events, the events of an event-based gateway,
              sequence flows and the elements inside an ad-hoc subprocess are not.
            </p>
          )}
        </div>
      )}
      {!open && (
        <div class="actions">
          <button
            type="button"
            disabled={disabled || elements.length === 0}
            onClick={() => openForm(picked?.id ?? elements[0]?.id ?? '')}
          >
            Activate element…
          </button>
        </div>
      )}
      {open && (
        <form
          class="activate"
          aria-label="Activate element"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label class="block">
            Element (or click it on the diagram)
            <select value={elementId} onChange={(e) => setElementId(e.currentTarget.value)}>
              {elements.map((e) => (
                <option key={e.id} value={e.id}>
                  {label(e)}
                </option>
              ))}
            </select>
          </label>
          <label class="block">
            Variables (optional, a JSON object)
            <textarea
              rows={3}
              spellcheck={false}
              value={variables}
              placeholder='{"carrier": "dhl"}'
              aria-invalid={invalid !== null}
              aria-describedby={invalid !== null ? invalidId : undefined}
              onInput={(e) => {
                setVariables(e.currentTarget.value);
                setInvalid(null);
              }}
            />
          </label>
          <label class="block">
            Set the variables in
            <select value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
              <option value="">the process</option>
              {(element?.flowScopes ?? []).map((s) => (
                <option key={s} value={s}>
                  {s} (its subprocess)
                </option>
              ))}
              {element !== undefined && (
                <option value={element.id}>{element.id} itself (local)</option>
              )}
            </select>
          </label>
          {tokens.length > 0 && (
            <fieldset class="terminate-too">
              <legend>Terminate at the same time (optional)</legend>
              {tokens.map((t) => (
                <label key={t.id}>
                  <input
                    type="checkbox"
                    checked={terminate.has(t.id)}
                    onChange={(e) => {
                      const next = new Set(terminate);
                      if (e.currentTarget.checked) next.add(t.id);
                      else next.delete(t.id);
                      setTerminate(next);
                    }}
                  />{' '}
                  {t.elementId} <code>{t.id}</code>
                </label>
              ))}
            </fieldset>
          )}
          {invalid !== null && (
            <p id={invalidId} class="error" role="alert">
              Variables: {invalid}
            </p>
          )}
          <ErrorLine error={error} />
          <button type="submit" disabled={busy || disabled || element === undefined}>
            Activate
          </button>{' '}
          <button type="button" onClick={close}>
            Close
          </button>
        </form>
      )}
    </>
  );
}
