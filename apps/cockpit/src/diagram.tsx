import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Canvas {
  zoom(level: 'fit-viewport', center?: 'auto'): void;
  resized(): void;
  addMarker(element: string, marker: string): void;
  removeMarker(element: string, marker: string): void;
  getLayer(name: string, index?: number): SVGGElement;
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
interface Shape {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
interface ElementRegistry {
  get(id: string): Shape | undefined;
}
interface DiagramElement {
  readonly id: string;
  readonly type: string;
  readonly labelTarget?: DiagramElement;
}
interface EventBus {
  on(event: 'element.click', callback: (event: { element: DiagramElement }) => void): void;
  off(event: 'element.click', callback: (event: { element: DiagramElement }) => void): void;
}

export interface DiagramState {
  /** Live tokens by element id. */
  readonly tokens?: ReadonlyMap<string, number>;
  /** Open incidents by element id. */
  readonly incidents?: ReadonlyMap<string, number>;
  /** Elements the instance has completed. */
  readonly completed?: ReadonlySet<string>;
  /** Completed element instances by element id (a process version's statistics): a green badge. */
  readonly completedCounts?: ReadonlyMap<string, number>;
  /** What a `tokens` badge counts (its tooltip): `token` on an instance, `active instance` on a process. */
  readonly tokenLabel?: string;
  /** Deploy errors by element id: a red outline and a `!` badge whose tooltip is the message. */
  readonly errors?: ReadonlyMap<string, string>;
  /** The element the user picked (`onElementClick`): outlined. */
  readonly selected?: string | null;
}

const OVERLAY = 'baton-state';
/** The SVG layer of the count badges, above the diagram's own layers. */
const BADGE_LAYER = 'baton-badges';
const SVG = 'http://www.w3.org/2000/svg';
const BADGE_HEIGHT = 18;

/**
 * A count badge drawn in SVG on a layer of the canvas (it moves and zooms
 * with the diagram). Not a diagram-js overlay: overlays are HTML positioned
 * one by one, and a thousand of them (a large process's statistics) cost
 * more than drawing the diagram itself.
 */
function badge(
  className: string,
  count: number,
  elementId: string,
  what: string,
  x: number,
  y: number,
): SVGGElement {
  const text = String(count);
  const width = Math.max(BADGE_HEIGHT, 8 + 7.5 * text.length);
  const g = document.createElementNS(SVG, 'g');
  g.setAttribute('class', `baton-badge ${className}`);
  g.setAttribute('transform', `translate(${x} ${y})`);
  g.dataset.elementId = elementId;
  g.dataset.count = text;
  const title = document.createElementNS(SVG, 'title');
  title.textContent = `${count} ${what}${count === 1 ? '' : 's'} at ${elementId}`;
  const rect = document.createElementNS(SVG, 'rect');
  rect.setAttribute('width', String(width));
  rect.setAttribute('height', String(BADGE_HEIGHT));
  rect.setAttribute('rx', String(BADGE_HEIGHT / 2));
  const label = document.createElementNS(SVG, 'text');
  label.setAttribute('x', String(width / 2));
  label.setAttribute('y', '13');
  label.textContent = text;
  g.append(title, rect, label);
  return g;
}

/**
 * A BPMN diagram in bpmn-js's NavigatedViewer (drag to move, wheel to zoom),
 * with state on it: a badge on each element that holds live tokens or active
 * instances (blue), open incidents (red) or completed instances (green), a
 * marker on completed elements, and deploy errors on the elements they name.
 */
export function Diagram({
  xml,
  state = {},
  onElementClick,
}: {
  xml: string;
  state?: DiagramState;
  /** Called with the id of a clicked element (a label counts as its element), `null` for the background. */
  onElementClick?: (elementId: string | null) => void;
}) {
  const container = useRef<HTMLElement>(null);
  const viewer = useRef<NavigatedViewer | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const markers = useRef<Array<[string, string]>>([]);
  const clicked = useRef(onElementClick);
  clicked.current = onElementClick;

  useEffect(() => {
    viewer.current = new NavigatedViewer({ container: container.current ?? undefined });
    return () => {
      viewer.current?.destroy();
      viewer.current = null;
    };
  }, []);

  // Clicks are listened to only where they are wanted (an operator's instance page), so the
  // other pages' diagrams, large ones among them, carry no listener.
  const clickable = onElementClick !== undefined;
  useEffect(() => {
    const v = viewer.current;
    if (v === null || !clickable) return undefined;
    const bus = v.get<EventBus>('eventBus');
    const listener = ({ element }: { element: DiagramElement }) => {
      const target = element.labelTarget ?? element;
      const background = target.type === 'bpmn:Process' || target.type === 'bpmn:Collaboration';
      clicked.current?.(background ? null : target.id);
    };
    bus.on('element.click', listener);
    return () => bus.off('element.click', listener);
  }, [clickable]);

  useEffect(() => {
    const v = viewer.current;
    if (v === null) return;
    let current = true;
    // Imported out of the layout (display: none): each label bpmn-js measures would otherwise
    // lay out the whole half-drawn diagram again.
    const figure = container.current;
    if (figure !== null) figure.style.display = 'none';
    const shownAgain = () => {
      if (figure !== null) figure.style.display = '';
    };
    v.importXML(xml)
      .then(() => {
        shownAgain();
        if (!current) return;
        const canvas = v.get<Canvas>('canvas');
        canvas.resized();
        canvas.zoom('fit-viewport', 'auto');
        markers.current = [];
        setError(null);
        setShown(xml);
      })
      .catch((e: Error) => {
        shownAgain();
        if (current) setError(e.message);
      });
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
    const layer = canvas.getLayer(BADGE_LAYER, 100);
    layer.replaceChildren();
    overlays.remove({ type: OVERLAY });
    for (const [element, marker] of markers.current) canvas.removeMarker(element, marker);
    markers.current = [];
    const mark = (element: string, marker: string) => {
      canvas.addMarker(element, marker);
      markers.current.push([element, marker]);
    };
    // Every badge into one fragment, appended once.
    const badges = document.createDocumentFragment();
    const counts = (
      counted: ReadonlyMap<string, number> | undefined,
      className: string,
      what: string,
      at: (shape: Shape) => [number, number],
      marker?: string,
    ) => {
      for (const [id, count] of counted ?? []) {
        const shape = registry.get(id);
        if (shape === undefined || count === 0) continue;
        if (marker !== undefined) mark(id, marker);
        badges.append(badge(className, count, id, what, ...at(shape)));
      }
    };
    for (const id of state.completed ?? []) if (registry.get(id)) mark(id, 'baton-completed');
    if (state.selected != null && registry.get(state.selected))
      mark(state.selected, 'baton-selected');
    counts(state.completedCounts, 'baton-completed-badge', 'completed instance', (s) => [
      s.x - 8,
      s.y - 10,
    ]);
    counts(
      state.tokens,
      'baton-token',
      state.tokenLabel ?? 'token',
      (s) => [s.x - 8, s.y + s.height - 8],
      'baton-active',
    );
    counts(
      state.incidents,
      'baton-incident-badge',
      'incident',
      (s) => [s.x + s.width - 8, s.y + s.height - 8],
      'baton-incident',
    );
    layer.append(badges);
    for (const [id, message] of state.errors ?? []) {
      if (!registry.get(id)) continue;
      mark(id, 'baton-error');
      const flag = document.createElement('span');
      flag.className = 'baton-error-badge';
      flag.dataset.elementId = id;
      flag.textContent = '!';
      flag.title = message;
      flag.setAttribute('role', 'img');
      flag.setAttribute('aria-label', `error at ${id}: ${message}`);
      overlays.add(id, OVERLAY, { position: { top: -10, right: 8 }, html: flag });
    }
  }, [
    shown,
    xml,
    state.tokens,
    state.incidents,
    state.completed,
    state.completedCounts,
    state.errors,
    state.tokenLabel,
    state.selected,
  ]);

  return (
    <div class="diagram-wrap">
      {error !== null && <p class="error">The diagram could not be shown: {error}</p>}
      <figure
        class={onElementClick === undefined ? 'diagram' : 'diagram clickable'}
        ref={container}
        aria-label="BPMN diagram"
      />
    </div>
  );
}
