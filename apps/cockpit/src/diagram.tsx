import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Canvas {
  zoom(level: 'fit-viewport', center?: 'auto'): void;
  addMarker(element: string, marker: string): void;
  removeMarker(element: string, marker: string): void;
}
interface Overlays {
  add(
    element: string,
    type: string,
    overlay: {
      position: { top?: number; right?: number; bottom?: number; left?: number };
      html: HTMLElement;
    },
  ): string;
  remove(filter: { type: string }): void;
}
interface ElementRegistry {
  get(id: string): unknown;
}

export interface DiagramState {
  /** Live tokens by element id. */
  readonly tokens?: ReadonlyMap<string, number>;
  /** Open incidents by element id. */
  readonly incidents?: ReadonlyMap<string, number>;
  /** Elements the instance has completed. */
  readonly completed?: ReadonlySet<string>;
}

const OVERLAY = 'baton-state';

function badge(className: string, count: number, elementId: string, what: string): HTMLElement {
  const element = document.createElement('span');
  element.className = className;
  element.dataset.elementId = elementId;
  element.textContent = String(count);
  element.title = `${count} ${what}${count === 1 ? '' : 's'} at ${elementId}`;
  return element;
}

/**
 * A BPMN diagram in bpmn-js's NavigatedViewer (drag to move, wheel to zoom),
 * with the state of an instance on it: a badge on each element that holds
 * live tokens (blue) or open incidents (red), and a marker on completed ones.
 */
export function Diagram({ xml, state = {} }: { xml: string; state?: DiagramState }) {
  const container = useRef<HTMLElement>(null);
  const viewer = useRef<NavigatedViewer | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const markers = useRef<Array<[string, string]>>([]);

  useEffect(() => {
    viewer.current = new NavigatedViewer({ container: container.current ?? undefined });
    return () => {
      viewer.current?.destroy();
      viewer.current = null;
    };
  }, []);

  useEffect(() => {
    const v = viewer.current;
    if (v === null) return;
    let current = true;
    v.importXML(xml)
      .then(() => {
        if (!current) return;
        v.get<Canvas>('canvas').zoom('fit-viewport', 'auto');
        markers.current = [];
        setError(null);
        setShown(xml);
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [xml]);

  useEffect(() => {
    const v = viewer.current;
    if (v === null || shown !== xml) return;
    const canvas = v.get<Canvas>('canvas');
    const overlays = v.get<Overlays>('overlays');
    const registry = v.get<ElementRegistry>('elementRegistry');
    overlays.remove({ type: OVERLAY });
    for (const [element, marker] of markers.current) canvas.removeMarker(element, marker);
    markers.current = [];
    const mark = (element: string, marker: string) => {
      canvas.addMarker(element, marker);
      markers.current.push([element, marker]);
    };
    for (const id of state.completed ?? []) if (registry.get(id)) mark(id, 'baton-completed');
    for (const [id, count] of state.tokens ?? []) {
      if (!registry.get(id)) continue;
      mark(id, 'baton-active');
      overlays.add(id, OVERLAY, {
        position: { bottom: 8, left: -8 },
        html: badge('baton-token', count, id, 'token'),
      });
    }
    for (const [id, count] of state.incidents ?? []) {
      if (!registry.get(id)) continue;
      mark(id, 'baton-incident');
      overlays.add(id, OVERLAY, {
        position: { bottom: 8, right: 8 },
        html: badge('baton-incident-badge', count, id, 'incident'),
      });
    }
  }, [shown, xml, state.tokens, state.incidents, state.completed]);

  return (
    <div class="diagram-wrap">
      {error !== null && <p class="error">The diagram could not be shown: {error}</p>}
      <figure class="diagram" ref={container} aria-label="BPMN diagram" />
    </div>
  );
}
