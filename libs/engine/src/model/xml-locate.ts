/**
 * Maps a parser position back to the element a modeler should look at.
 *
 * moddle reports some problems (unknown elements, duplicate ids) only as text
 * with a line and column, after it has dropped the element. One linear scan of
 * the tags gives each tag its parent, so a position resolves to the tag there
 * and, when that tag has no id, to its nearest ancestor that has one.
 */
export interface LocatedElement {
  /** Undefined when neither the tag nor any ancestor has an id. */
  readonly id?: string;
  /** Local tag name of the element that carries `id` (or of the tag itself). */
  readonly tag: string;
}

interface Tag {
  readonly start: number;
  readonly name: string;
  readonly id?: string;
  readonly parent: number;
}

const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<![^>]*>|<(\/?)([^\s/>!?]+)((?:[^>"']|"[^"<]*"|'[^'<]*')*)>/g;
// Attribute values cannot hold a literal '<', so a quoted run stops there:
// every match attempt is bounded by the next tag and the scan stays linear
// even on malformed input.
const ID_ATTR = /(?:^|\s)id\s*=\s*(?:"([^"]*)"|'([^']*)')/;

export interface MalformedTag {
  /** 1-based, for messages. */
  readonly line: number;
  readonly reason: string;
}

const ATTRIBUTE = /\s*([A-Za-z_:\u00C0-\uFFFF][^\s=/>"']*)\s*=\s*(?:"[^"<]*"|'[^'<]*')/y;

/**
 * A linear well-formedness check of tags and attributes, run before moddle:
 * moddle (saxen) locates each problem by rescanning the document from its
 * start, so a document with thousands of broken tags would take quadratic
 * time there. Reports at most `limit` problems.
 */
export function findMalformedTags(xml: string, limit = 5): MalformedTag[] {
  const problems: MalformedTag[] = [];
  const lines = new LineIndex(xml);
  let consumed = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(xml); m && problems.length < limit; m = TOKEN.exec(xml)) {
    const stray = xml.indexOf('<', consumed);
    if (stray >= 0 && stray < m.index) {
      problems.push({
        line: lines.lineOf(stray),
        reason: 'a tag is not closed, or a value contains a bare "<"',
      });
    }
    consumed = m.index + m[0].length;
    if (m[2] && m[1] !== '/') {
      const reason = attributeProblem(m[3]);
      if (reason) problems.push({ line: lines.lineOf(m.index), reason: `<${m[2]}>: ${reason}` });
    }
  }
  const stray = xml.indexOf('<', consumed);
  if (stray >= 0 && problems.length < limit) {
    problems.push({
      line: lines.lineOf(stray),
      reason: 'a tag is not closed, or a value contains a bare "<"',
    });
  }
  return problems;
}

function attributeProblem(attrs: string): string | undefined {
  const body = attrs.endsWith('/') ? attrs.slice(0, -1) : attrs;
  const names = new Set<string>();
  ATTRIBUTE.lastIndex = 0;
  let at = 0;
  for (let m = ATTRIBUTE.exec(body); m; m = ATTRIBUTE.exec(body)) {
    if (names.has(m[1])) return `attribute '${m[1]}' appears twice`;
    names.add(m[1]);
    at = ATTRIBUTE.lastIndex;
  }
  return body.slice(at).trim() === ''
    ? undefined
    : `malformed attributes near '${body.slice(at).trim().slice(0, 30)}'`;
}

class LineIndex {
  private starts?: number[];

  constructor(private readonly xml: string) {}

  /** 0-based line and column -> offset. */
  offsetOf(line: number, column: number): number {
    const starts = this.lineStarts();
    return starts[Math.min(Math.max(line, 0), starts.length - 1)] + Math.max(column, 0);
  }

  /** Offset -> 1-based line. */
  lineOf(offset: number): number {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      const breaks = /\r\n|\r|\n/g;
      for (let m = breaks.exec(this.xml); m; m = breaks.exec(this.xml))
        starts.push(m.index + m[0].length);
      this.starts = starts;
    }
    return this.starts;
  }
}

export class XmlLocator {
  private tags?: Tag[];
  private readonly lines: LineIndex;

  constructor(private readonly xml: string) {
    this.lines = new LineIndex(xml);
  }

  /** `line` and `column` are 0-based, as saxen reports them. */
  locate(line: number, column: number): LocatedElement | undefined {
    const offset = this.lines.offsetOf(line, column);
    const tags = this.scan();
    let lo = 0;
    let hi = tags.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (tags[mid].start <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return undefined;
    const own = tags[found];
    for (let i = found; i >= 0; i = tags[i].parent) {
      if (tags[i].id) return { id: tags[i].id, tag: localName(tags[i].name) };
    }
    return { tag: localName(own.name) };
  }

  private scan(): Tag[] {
    if (this.tags) return this.tags;
    const tags: Tag[] = [];
    const stack: number[] = [];
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(this.xml); m; m = TOKEN.exec(this.xml)) {
      const name = m[2];
      if (!name) continue;
      if (m[1] === '/') {
        const at = stack.map((i) => tags[i].name).lastIndexOf(name);
        if (at >= 0) stack.length = at;
        continue;
      }
      const attrs = m[3];
      const idMatch = ID_ATTR.exec(attrs);
      const index = tags.length;
      tags.push({
        start: m.index,
        name,
        id: idMatch ? (idMatch[1] ?? idMatch[2]) : undefined,
        parent: stack.length > 0 ? stack[stack.length - 1] : -1,
      });
      if (!attrs.endsWith('/')) stack.push(index);
    }
    this.tags = tags;
    return tags;
  }
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i >= 0 ? name.slice(i + 1) : name;
}
