/**
 * A linear pre-scan of the document before moddle reads it, so that hostile
 * XML is refused with a clear message before any tree is built: no DOCTYPE
 * (entity expansion, external entities), bounded bytes, nesting depth and
 * element count. moddle's parser is not asked to cope with any of these.
 */

export interface XmlLimits {
  /** UTF-8 bytes of the document. */
  readonly maxBytes: number;
  /** Element nesting depth. */
  readonly maxDepth: number;
  /** Elements in the document. */
  readonly maxElements: number;
}

/** Returns why the document is refused, or `undefined` when it passes. */
export function checkXml(text: string, limits: XmlLimits): string | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    return `the document has ${bytes} bytes, more than the limit of ${limits.maxBytes}`;
  }
  let depth = 0;
  let elements = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) return 'a comment is not closed';
        i = text.indexOf('<', end + 3);
        continue;
      }
      if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i + 9);
        if (end < 0) return 'a CDATA section is not closed';
        i = text.indexOf('<', end + 3);
        continue;
      }
      // <!DOCTYPE, <!ENTITY and friends: entity definitions are refused outright
      return 'DOCTYPE and entity declarations are not allowed';
    }
    if (next === 0x3f /* ? */) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return 'a processing instruction is not closed';
      i = text.indexOf('<', end + 2);
      continue;
    }
    const end = tagEnd(text, i + 1);
    if (end < 0) return 'a tag is not closed';
    if (next === 0x2f /* / */) {
      depth--;
    } else if (text.charCodeAt(end - 1) !== 0x2f /* self-closing */) {
      depth++;
      elements++;
      if (depth > limits.maxDepth) {
        return `elements are nested more than ${limits.maxDepth} deep`;
      }
    } else {
      elements++;
      if (depth + 1 > limits.maxDepth) {
        return `elements are nested more than ${limits.maxDepth} deep`;
      }
    }
    if (elements > limits.maxElements) {
      return `the document has more than ${limits.maxElements} elements`;
    }
    i = text.indexOf('<', end + 1);
  }
  return undefined;
}

/** The index of the `>` closing the tag that starts before `from`, skipping quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return i;
    }
  }
  return -1;
}
