import type { Iterator, Node, NodeOf, OrderOperator, Parameters, RangeBound } from './feel-ast';
import {
  parseDate,
  parseDateTime,
  parseDuration,
  parseTemporalLiteral,
  parseTime,
} from './feel-temporal';

/**
 * A FEEL parser for the grammar of feel-scala (`impl/parser/FeelParser.scala`),
 * hand-written so that it runs in linear time: one pass, one character of
 * lookahead plus bounded lookahead for names, no backtracking over parsed
 * subexpressions. (lezer-feel, which feelin uses, is context-sensitive and
 * takes quadratic time: a 100 KB list literal takes seconds.)
 *
 * Where feel-scala's PEG grammar tries alternatives in order, this parser
 * decides up front from the next characters; the language accepted is the
 * same for every expression a model contains. Deliberate differences are
 * listed in docs/feel.md.
 */

export class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly from: number,
    readonly to: number,
  ) {
    super(message);
    this.name = 'SyntaxFailure';
  }
}

/** Nesting deeper than this is refused (the evaluator recurses along the tree). */
export const MAX_NESTING = 200;

const RESERVED: ReadonlySet<string> = new Set([
  'null',
  'true',
  'false',
  'function',
  'in',
  'return',
  'then',
  'else',
  'satisfies',
  'and',
  'or',
]);

/** Built-in names that contain a reserved word; only callable, never a variable. */
const RESERVED_FUNCTION_NAMES: readonly string[] = [
  'date and time',
  'years and months duration',
  'get or else',
  'and',
  'or',
];

const TEMPORAL_CONSTRUCTORS: readonly string[] = ['date and time', 'duration', 'date', 'time'];

/** feel-scala `FeelWhitespace.isWhitespace` (DMN 1.5 grammar rules 61, 62). */
function isWhitespace(code: number): boolean {
  switch (code) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x180e:
    case 0x200b:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
    case 0xfeff:
      return true;
    default:
      return code >= 0x2000 && code <= 0x200a;
  }
}

const IDENTIFIER_START = /[\p{L}\p{Nl}\p{Sc}\p{Pc}]/u;
const IDENTIFIER_PART = /[\p{L}\p{Nl}\p{Sc}\p{Pc}\p{Mn}\p{Mc}\p{Nd}\p{Cf}]/u;

/** Java `Character.isJavaIdentifierStart`, ASCII first. */
function isIdentifierStart(code: number): boolean {
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 36;
  }
  return IDENTIFIER_START.test(String.fromCharCode(code));
}

/** Java `Character.isJavaIdentifierPart`, ASCII first. */
function isIdentifierPart(code: number): boolean {
  if (code < 128) {
    return (
      (code >= 97 && code <= 122) ||
      (code >= 65 && code <= 90) ||
      (code >= 48 && code <= 57) ||
      code === 95 ||
      code === 36
    );
  }
  return !isWhitespace(code) && IDENTIFIER_PART.test(String.fromCharCode(code));
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Nodes that are an arithmetic-level expression (may bound a range). */
function isMathLevel(node: Node): boolean {
  switch (node.type) {
    case 'null':
    case 'number':
    case 'string':
    case 'boolean':
    case 'temporal':
    case 'input':
    case 'list':
    case 'context':
    case 'arithmetic':
    case 'negation':
    case 'ref':
    case 'path':
    case 'filter':
    case 'call':
    case 'qualifiedCall':
    case 'function':
      return true;
    default:
      return false;
  }
}

function usesInput(node: Node): boolean {
  if (node.type === 'input') return true;
  if (node.type === 'unaryTestExpression') return false;
  for (const child of childrenOf(node)) if (usesInput(child)) return true;
  return false;
}

/** The direct subexpressions of a node. */
export function childrenOf(node: Node): Node[] {
  switch (node.type) {
    case 'list':
      return [...node.items];
    case 'context':
      return node.entries.map(([, value]) => value);
    case 'range':
    case 'inputInRange':
      return [node.start.value, node.end.value];
    case 'inputEquals':
    case 'inputCompare':
      return [node.value];
    case 'unaryTestExpression':
      return [node.expression];
    case 'arithmetic':
    case 'equals':
    case 'compare':
    case 'or':
    case 'and':
      return [node.left, node.right];
    case 'negation':
    case 'not':
      return [node.operand];
    case 'atLeastOne':
      return [...node.tests];
    case 'if':
      return [node.condition, node.then, node.otherwise];
    case 'in':
      return [node.value, node.test];
    case 'instanceOf':
      return [node.value];
    case 'path':
      return [node.target];
    case 'quantified':
      return [...node.iterators.map((it) => it.source), node.condition];
    case 'for':
      return [...node.iterators.map((it) => it.source), node.body];
    case 'filter':
      return [node.target, node.filter];
    case 'iterationRange':
      return [node.start, node.end];
    case 'invoke':
      return [
        node.target,
        ...(node.parameters.kind === 'positional'
          ? node.parameters.values
          : node.parameters.values.values()),
      ];
    case 'call':
    case 'qualifiedCall':
      return node.parameters.kind === 'positional'
        ? [...node.parameters.values]
        : [...node.parameters.values.values()];
    case 'function':
      return [node.body];
    default:
      return [];
  }
}

/**
 * The tree may be no deeper than this: compiling and evaluating recurse
 * along it, and a chain of operators (`a + b + ...`) nests as deep as it is
 * long.
 */
export const MAX_TREE_DEPTH = 1000;

/**
 * `names` are names in scope that are not one identifier (`Monthly Salary`,
 * `Date-Time`): where one of them stands, it is read as that name, the
 * longest first (DMN reads names with spaces from the names in scope).
 */
export interface ParseOptions {
  readonly names?: readonly string[];
  /**
   * DMN 1.5's grammar where it goes beyond feel-scala's: `= x` and `!= x` as
   * unary tests, exponents (`1.2e3`), `\u`/`\U` escapes, typed parameters
   * (`function(a: number)`), `instance of list<T>` (and `context<>`,
   * `range<>`, `function<> -> T`), calls of any value (`f(1)(2)`),
   * `--x`, ranges as operands (`[1..2] = [1..2]`, `[1..2].start`).
   */
  readonly dmn?: boolean;
}

export function parseExpressionText(source: string, options: ParseOptions = {}): Node {
  return checkDepth(
    new Parser(source, scopeNames(options.names), options.dmn === true).parseWhole(false),
  );
}

export function parseUnaryTestsText(source: string, options: ParseOptions = {}): Node {
  return checkDepth(
    new Parser(source, scopeNames(options.names), options.dmn === true).parseWhole(true),
  );
}

/** The names of `names` that the grammar cannot read as one identifier, longest first. */
function scopeNames(names: readonly string[] | undefined): readonly string[] {
  if (names === undefined || names.length === 0) return [];
  const special = new Set<string>();
  for (const name of names) {
    if (name.length === 0) continue;
    let plain = isIdentifierStart(name.charCodeAt(0));
    for (let i = 1; plain && i < name.length; i++) plain = isIdentifierPart(name.charCodeAt(i));
    if (!plain) special.add(name);
  }
  return [...special].sort((a, b) => b.length - a.length);
}

function checkDepth(root: Node): Node {
  const stack: [Node, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    if (depth > MAX_TREE_DEPTH) {
      throw new SyntaxFailure(
        `the expression nests deeper than ${MAX_TREE_DEPTH} levels`,
        node.from,
        node.to,
      );
    }
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return root;
}

/** A node as the parser builds it: the span is filled in when the node is done. */
type Draft = Node extends infer N ? (N extends Node ? Omit<N, 'from' | 'to'> : never) : never;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    /** Names in scope that are not one identifier, longest first. */
    private readonly scopeNames: readonly string[] = [],
    private readonly dmn = false,
  ) {}

  /** DMN: the nesting level of a range's end, where `[` closes the range (`[1..10[`) instead of filtering. */
  private rangeEndDepth = -1;

  /** DMN: the end of a name of several words (`date and time`) separated by any whitespace, or -1. */
  private spacedKeywordEnd(name: string, at: number): number {
    let pos = at;
    const words = name.split(' ');
    for (let i = 0; i < words.length; i++) {
      if (i > 0) {
        const start = pos;
        while (isWhitespace(this.code(pos))) pos++;
        if (pos === start) return -1;
      }
      if (!this.atKeyword(words[i], pos)) return -1;
      pos += words[i].length;
    }
    return pos;
  }

  /** The end of a name in scope with spaces or operator characters starting at `at`, or -1. */
  private scopeNameEnd(at: number): number {
    for (const name of this.scopeNames) {
      if (
        this.src.startsWith(name, at) &&
        !(
          isIdentifierPart(name.charCodeAt(name.length - 1)) &&
          isIdentifierPart(this.code(at + name.length))
        )
      )
        return at + name.length;
    }
    return -1;
  }

  parseWhole(unaryTests: boolean): Node {
    this.ws();
    if (this.pos >= this.src.length)
      throw new SyntaxFailure('the expression is empty', 0, this.src.length);
    const node = unaryTests ? this.unaryTests() : this.expression();
    this.ws();
    if (this.pos < this.src.length) this.unexpected();
    return node;
  }

  // characters and tokens /////////////////////////////////////////////

  private code(at = this.pos): number {
    return at < this.src.length ? this.src.charCodeAt(at) : -1;
  }

  /** Skips whitespace and comments (`// ...`, `/* ... *\/`). */
  private ws(): void {
    const src = this.src;
    for (;;) {
      const c = this.code();
      if (c === -1) return;
      if (isWhitespace(c)) {
        this.pos++;
      } else if (c === 47 /* / */ && this.code(this.pos + 1) === 47) {
        const end = src.indexOf('\n', this.pos + 2);
        this.pos = end === -1 ? src.length : end + 1;
      } else if (c === 47 && this.code(this.pos + 1) === 42 /* * */) {
        const end = src.indexOf('*/', this.pos + 2);
        if (end === -1)
          throw new SyntaxFailure(
            'a comment is not closed (`*/` is missing)',
            this.pos,
            src.length,
          );
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  private at(text: string): boolean {
    this.ws();
    return this.src.startsWith(text, this.pos);
  }

  private eat(text: string): boolean {
    if (!this.at(text)) return false;
    this.pos += text.length;
    return true;
  }

  private expect(text: string): void {
    if (!this.eat(text)) this.unexpected();
  }

  /** A keyword: the word, not followed by a part of a longer name. */
  private atKeyword(word: string, at?: number): boolean {
    if (at === undefined) {
      this.ws();
      at = this.pos;
    }
    return this.src.startsWith(word, at) && !isIdentifierPart(this.code(at + word.length));
  }

  private eatKeyword(word: string): boolean {
    if (!this.atKeyword(word)) return false;
    this.pos += word.length;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.eatKeyword(word)) this.unexpected();
  }

  /** The end of the identifier starting at `at`, or -1 (reserved words are not identifiers). */
  private identifierEnd(at: number): number {
    if (!isIdentifierStart(this.code(at))) return -1;
    let end = at + 1;
    while (isIdentifierPart(this.code(end))) end++;
    return RESERVED.has(this.src.slice(at, end)) ? -1 : end;
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) {
      throw new SyntaxFailure(
        `the expression nests deeper than ${MAX_NESTING} levels`,
        this.pos,
        this.pos + 1,
      );
    }
  }

  private leave(): void {
    this.depth--;
  }

  private node<D extends Draft>(
    from: number,
    draft: D,
  ): D & { readonly from: number; readonly to: number } {
    const node = draft as D & { from: number; to: number };
    node.from = from;
    node.to = this.pos;
    return node;
  }

  private unexpected(): never {
    this.ws();
    const src = this.src;
    if (this.pos >= src.length) {
      const before = /(\S+)\s*$/.exec(src.slice(0, this.pos));
      const after = before === null ? '' : ` after ${quote(before[1])}`;
      throw new SyntaxFailure(
        `the expression is incomplete: something is missing${after} at ${this.location(this.pos)}`,
        this.pos,
        this.pos,
      );
    }
    const end = this.tokenEnd(this.pos);
    throw new SyntaxFailure(
      `unexpected ${quote(src.slice(this.pos, end))} at ${this.location(this.pos)}`,
      this.pos,
      end,
    );
  }

  private tokenEnd(at: number): number {
    const c = this.code(at);
    let end = at + 1;
    if (isIdentifierPart(c)) {
      while (end < this.src.length && isIdentifierPart(this.code(end))) end++;
    } else if (c === 34 /* " */) {
      while (end < this.src.length && end - at < 31 && this.code(end) !== 34) end++;
      if (this.code(end) === 34) end++;
    }
    return end;
  }

  /** 1-based; the line only when the expression spans several. */
  private location(offset: number): string {
    const lastBreak = this.src.lastIndexOf('\n', offset - 1);
    const column = offset - lastBreak;
    if (lastBreak === -1 && !this.src.includes('\n', offset)) return `column ${column}`;
    let line = 1;
    for (let i = this.src.indexOf('\n'); i !== -1 && i < offset; i = this.src.indexOf('\n', i + 1))
      line++;
    return `line ${line}, column ${column}`;
  }

  // expressions ///////////////////////////////////////////////////////

  private expression(): Node {
    this.enter();
    try {
      this.ws();
      if (this.atKeyword('if')) return this.ifExpression();
      if (this.atKeyword('for') && this.iteratorFollows(3)) return this.forExpression();
      if (this.atKeyword('some') && this.iteratorFollows(4)) return this.quantified(false);
      if (this.atKeyword('every') && this.iteratorFollows(5)) return this.quantified(true);
      return this.disjunction();
    } finally {
      this.leave();
    }
  }

  /** `name in` after a keyword of `length` characters: `for`, `some`, `every` start an iteration. */
  private iteratorFollows(length: number): boolean {
    const saved = this.pos;
    try {
      this.pos += length;
      this.ws();
      const end = this.nameEnd(this.pos);
      if (end === -1) return false;
      this.pos = end;
      return this.atKeyword('in');
    } finally {
      this.pos = saved;
    }
  }

  private ifExpression(): Node {
    const from = this.pos;
    this.expectKeyword('if');
    const condition = this.expression();
    this.expectKeyword('then');
    const then = this.expression();
    this.expectKeyword('else');
    const otherwise = this.expression();
    return this.node(from, { type: 'if', condition, then, otherwise });
  }

  private forExpression(): Node {
    const from = this.pos;
    this.expectKeyword('for');
    const iterators = this.iterators();
    this.expectKeyword('return');
    const body = this.expression();
    return this.node(from, { type: 'for', iterators, body });
  }

  private quantified(every: boolean): Node {
    const from = this.pos;
    this.expectKeyword(every ? 'every' : 'some');
    const iterators = this.iterators();
    this.expectKeyword('satisfies');
    const condition = this.expression();
    return this.node(from, { type: 'quantified', every, iterators, condition });
  }

  private iterators(): Iterator[] {
    const iterators: Iterator[] = [];
    do {
      const name = this.name();
      this.expectKeyword('in');
      const from = this.pos;
      const start = this.math();
      let source = start;
      if (this.at('..')) {
        this.pos += 2;
        const end = this.math();
        source = this.node(from, { type: 'iterationRange', start, end });
      }
      iterators.push({ name, source });
    } while (this.eat(','));
    return iterators;
  }

  private disjunction(): Node {
    const from = this.pos;
    let left = this.conjunction();
    while (this.eatKeyword('or')) {
      const right = this.conjunction();
      left = this.node(from, { type: 'or', left, right });
    }
    return left;
  }

  private conjunction(): Node {
    const from = this.pos;
    let left = this.comparison();
    while (this.eatKeyword('and')) {
      const right = this.comparison();
      left = this.node(from, { type: 'and', left, right });
    }
    return left;
  }

  /** feel-scala `expLvl3`: a value with an optional comparison, or a simple unary test. */
  private comparison(): Node {
    this.ws();
    const from = this.pos;
    const c = this.code();
    if (c === 60 /* < */ || c === 62 /* > */) {
      const operator = this.orderOperator();
      const value = this.math();
      return this.node(from, { type: 'inputCompare', operator, value });
    }
    const equality = this.dmn ? this.equalityTest(from) : undefined;
    if (equality !== undefined) return equality;
    const value = this.math();
    if (value.type === 'range' && this.dmn && this.operatorFollows()) {
      return this.comparisonSuffix(from, value);
    }
    if (value.type === 'range') {
      return this.node(from, { type: 'inputInRange', start: value.start, end: value.end });
    }
    return this.comparisonSuffix(from, value);
  }

  /** DMN: `= x` and `!= x` as unary tests. */
  private equalityTest(from: number): Node | undefined {
    const negated = this.src.startsWith('!=', this.pos);
    if (!negated && !(this.code() === 61 /* = */)) return undefined;
    this.pos += negated ? 2 : 1;
    const value = this.math();
    const test = this.node(from, { type: 'inputEquals', value });
    return negated ? this.node(from, { type: 'not', operand: test }) : test;
  }

  /** An operator that takes a range as its left operand (DMN). */
  private operatorFollows(): boolean {
    this.ws();
    const c = this.code();
    return (
      c === 61 ||
      (c === 33 && this.code(this.pos + 1) === 61) ||
      this.atKeyword('in') ||
      this.atKeyword('instance')
    );
  }

  private orderOperator(): OrderOperator {
    for (const operator of ['<=', '>=', '<', '>'] as const) {
      if (this.eat(operator)) return operator;
    }
    return this.unexpected();
  }

  private comparisonSuffix(from: number, left: Node): Node {
    this.ws();
    const src = this.src;
    const p = this.pos;
    if (src.startsWith('!=', p)) {
      this.pos += 2;
      const right = this.math();
      const equals = this.node(from, { type: 'equals', left, right });
      return this.node(from, { type: 'not', operand: equals });
    }
    if (src.startsWith('=', p)) {
      this.pos += 1;
      const right = this.math();
      return this.node(from, { type: 'equals', left, right });
    }
    const c = this.code();
    if (c === 60 || c === 62) {
      const operator = this.orderOperator();
      const right = this.math();
      return this.node(from, { type: 'compare', operator, left, right });
    }
    if (this.eatKeyword('between')) {
      const low = this.math();
      this.expectKeyword('and');
      const high = this.math();
      const lower = this.node(from, { type: 'compare', operator: '>=', left, right: low });
      const upper = this.node(from, { type: 'compare', operator: '<=', left, right: high });
      return this.node(from, { type: 'and', left: lower, right: upper });
    }
    if (this.eatKeyword('instance')) {
      this.expectKeyword('of');
      return this.node(from, { type: 'instanceOf', value: left, typeName: this.typeName() });
    }
    if (this.eatKeyword('in')) {
      const test = this.at('(') ? this.parenthesizedTests() : this.simpleTest();
      return this.node(from, { type: 'in', value: left, test });
    }
    return left;
  }

  private typeName(): string {
    const base = this.baseTypeName();
    if (!this.dmn || !this.at('<')) return base;
    // DMN 1.5: `list<T>`, `context<k: T>`, `range<T>`, `function<T, U> -> R`
    const start = this.pos;
    let depth = 0;
    do {
      const c = this.code();
      if (c === -1) this.unexpected();
      if (c === 60) depth++;
      else if (c === 62 && this.code(this.pos - 1) !== 45) depth--;
      this.pos++;
    } while (depth > 0);
    let text = `${base}${this.src.slice(start, this.pos)}`;
    if (base === 'function') {
      this.expect('->');
      text += ` -> ${this.typeName()}`;
    }
    return text.replace(/\s+/g, ' ');
  }

  private baseTypeName(): string {
    for (const special of [
      'years and months duration',
      'days and time duration',
      'date and time',
      'function',
    ]) {
      if (this.atKeyword(special)) {
        this.pos += special.length;
        return special;
      }
    }
    return this.qualifiedName().join('.');
  }

  // arithmetic /////////////////////////////////////////////////////////

  private math(): Node {
    const from = this.pos;
    let left = this.multiplicative();
    for (;;) {
      this.ws();
      const c = this.code();
      if (c !== 43 /* + */ && c !== 45 /* - */) return left;
      this.pos++;
      const right = this.multiplicative();
      left = this.binary(from, c === 43 ? '+' : '-', left, right);
    }
  }

  private multiplicative(): Node {
    const from = this.pos;
    let left = this.exponent();
    for (;;) {
      this.ws();
      const c = this.code();
      if (c === 42 /* * */ && this.code(this.pos + 1) !== 42) {
        this.pos++;
        left = this.binary(from, '*', left, this.exponent());
      } else if (c === 47 /* / */) {
        this.pos++;
        left = this.binary(from, '/', left, this.exponent());
      } else {
        return left;
      }
    }
  }

  private exponent(): Node {
    const from = this.pos;
    let left = this.negation();
    while (this.eat('**')) left = this.binary(from, '**', left, this.negation());
    return left;
  }

  private binary(
    from: number,
    operator: '+' | '-' | '*' | '/' | '**',
    left: Node,
    right: Node,
  ): Node {
    if (left.type === 'range' || right.type === 'range') {
      throw new SyntaxFailure(`a range cannot be an operand of '${operator}'`, from, this.pos);
    }
    return this.node(from, { type: 'arithmetic', operator, left, right });
  }

  private negation(): Node {
    this.ws();
    const from = this.pos;
    if (this.code() === 45 /* - */) {
      this.pos++;
      const operand = this.dmn ? this.negation() : this.value();
      return this.node(from, { type: 'negation', operand });
    }
    return this.value();
  }

  // values ////////////////////////////////////////////////////////////

  /** A terminal value and its chain of paths and filters (`a.b[1].c`). */
  private value(): Node {
    this.ws();
    const from = this.pos;
    let node = this.terminal();
    for (;;) {
      this.ws();
      const c = this.code();
      if (c === 46 /* . */ && this.code(this.pos + 1) !== 46 && !isDigit(this.code(this.pos + 1))) {
        if (node.type === 'range' && !this.dmn) this.unexpected();
        this.pos++;
        node = this.node(from, { type: 'path', target: node, key: this.pathKey() });
      } else if (c === 91 /* [ */) {
        if (this.rangeEndDepth === this.depth) return node;
        if (node.type === 'range') this.unexpected();
        this.pos++;
        const filter = this.expression();
        this.expect(']');
        node = this.node(from, { type: 'filter', target: node, filter });
      } else if (c === 40 /* ( */ && this.dmn && node.type !== 'range') {
        this.pos++;
        const parameters = this.parameters();
        this.expect(')');
        node = this.node(from, { type: 'invoke', target: node, parameters });
      } else {
        return node;
      }
    }
  }

  private pathKey(): string {
    for (const spaced of ['time offset', 'start included', 'end included']) {
      if (this.atKeyword(spaced)) {
        this.pos += spaced.length;
        return spaced;
      }
    }
    return this.name();
  }

  private terminal(): Node {
    this.ws();
    const from = this.pos;
    const c = this.code();
    switch (c) {
      case -1:
        return this.unexpected();
      case 34 /* " */:
        return this.node(from, { type: 'string', value: this.stringLiteral() });
      case 91 /* [ */:
        return this.listOrRange();
      case 40 /* ( */:
        return this.parenthesizedOrRange();
      case 93 /* ] */:
        // `]a..b]`, an open start; a `]` that closes something is not one
        if (this.closesNext(this.pos + 1)) return this.unexpected();
        return this.rangeFrom(from, false, this.afterOpen());
      case 123 /* { */:
        return this.context();
      case 63 /* ? */:
        this.pos++;
        return this.node(from, { type: 'input' });
      case 64 /* @ */:
        if (this.code(this.pos + 1) === 34) {
          this.pos++;
          const text = this.stringLiteralRaw();
          return this.node(from, { type: 'temporal', value: parseTemporalLiteral(text) });
        }
        return this.unexpected();
      case 96 /* ` */:
        return this.nameReference();
    }
    if (this.scopeNames.length > 0 && this.scopeNameEnd(from) !== -1) return this.nameReference();
    if (isDigit(c) || (c === 46 && isDigit(this.code(this.pos + 1)))) return this.number();
    if (isIdentifierStart(c)) return this.word();
    return this.unexpected();
  }

  private closesNext(at: number): boolean {
    const saved = this.pos;
    this.pos = at;
    this.ws();
    const c = this.code();
    this.pos = saved;
    return c === -1 || c === 44 || c === 93 || c === 41 || c === 125;
  }

  private afterOpen(): Node {
    this.pos++;
    return this.math();
  }

  private number(): Node {
    const from = this.pos;
    while (isDigit(this.code())) this.pos++;
    if (this.code() === 46 && isDigit(this.code(this.pos + 1))) {
      this.pos++;
      while (isDigit(this.code())) this.pos++;
    }
    if (this.dmn && (this.code() === 101 || this.code() === 69) /* e E */) {
      const sign = this.code(this.pos + 1) === 43 || this.code(this.pos + 1) === 45 ? 1 : 0;
      if (isDigit(this.code(this.pos + 1 + sign))) {
        this.pos += 1 + sign;
        while (isDigit(this.code())) this.pos++;
      }
    }
    const value = Number(this.src.slice(from, this.pos));
    return this.node(from, { type: 'number', value: Number.isFinite(value) ? value : null });
  }

  /** The text between the quotes, escapes untouched. */
  private stringLiteralRaw(): string {
    const src = this.src;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      if (i >= src.length) {
        throw new SyntaxFailure(
          `a string is not closed (\`"\` is missing) at ${this.location(start)}`,
          start,
          src.length,
        );
      }
      const c = src.charCodeAt(i);
      if (c === 92 /* \ */) i += 2;
      else if (c === 34) break;
      else i++;
    }
    this.pos = i + 1;
    return src.slice(start + 1, i);
  }

  /** feel-scala `translateEscapes`: `\n \r \t \b \f \' \" \\`; any other `\x` stays as it is (regexes). */
  private stringLiteral(): string {
    const raw = this.stringLiteralRaw();
    if (!raw.includes('\\')) return raw;
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i];
      if (ch !== '\\' || i + 1 >= raw.length) {
        out += ch;
        continue;
      }
      const next = raw[++i];
      switch (next) {
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case "'":
        case '"':
        case '\\':
          out += next;
          break;
        case 'u':
        case 'U': {
          // DMN: `\uXXXX` (UTF-16 units) and `\UXXXXXX` (a code point)
          const digits = next === 'u' ? 4 : 6;
          const hex = raw.slice(i + 1, i + 1 + digits);
          if (this.dmn && hex.length === digits && /^[0-9a-fA-F]+$/.test(hex)) {
            const code = parseInt(hex, 16);
            if (code <= 0x10ffff) {
              out += next === 'u' ? String.fromCharCode(code) : String.fromCodePoint(code);
              i += digits;
              break;
            }
          }
          out += `\\${next}`;
          break;
        }
        default:
          out += `\\${next}`;
      }
    }
    return out;
  }

  /** `[` a list, or a range `[a..b]`. */
  private listOrRange(): Node {
    const from = this.pos;
    this.pos++;
    const items: Node[] = [];
    if (this.eat(']')) return this.node(from, { type: 'list', items });
    const first = this.expression();
    if (isMathLevel(first) && this.at('..')) return this.rangeFrom(from, true, first);
    items.push(first);
    while (this.eat(',')) items.push(this.expression());
    this.expect(']');
    // DMN: `[[1..3], [5..7]]` is a list of ranges
    const listed = this.dmn ? items.map(rangeOfTest) : items;
    return this.node(from, { type: 'list', items: listed });
  }

  /** `(` an expression `)`, or a range `(a..b)`. */
  private parenthesizedOrRange(): Node {
    const from = this.pos;
    this.pos++;
    const inner = this.expression();
    if (isMathLevel(inner) && this.at('..')) return this.rangeFrom(from, false, inner);
    this.expect(')');
    if (this.dmn && inner.type === 'inputCompare' && this.at('.')) {
      // DMN 1.5: `(< 10)` is the range with no start, `(>= 10)` the one with no end
      const none: Node = { type: 'null', from: inner.from, to: inner.from };
      const bound = { value: inner.value, closed: inner.operator.length === 2 };
      const open = { value: none, closed: false };
      return inner.operator.startsWith('<')
        ? this.node(from, { type: 'range', start: open, end: bound })
        : this.node(from, { type: 'range', start: bound, end: open });
    }
    return inner;
  }

  /** The rest of a range after its start value: `..b]`, `..b)`, `..b[`. */
  private rangeFrom(from: number, startClosed: boolean, start: Node): NodeOf<'range'> {
    this.expect('..');
    const saved = this.rangeEndDepth;
    if (this.dmn) this.rangeEndDepth = this.depth;
    let end: Node;
    try {
      end = this.math();
    } finally {
      this.rangeEndDepth = saved;
    }
    this.ws();
    const c = this.code();
    if (c !== 93 && c !== 41 && c !== 91) this.unexpected();
    this.pos++;
    const startBound: RangeBound = { value: start, closed: startClosed };
    const endBound: RangeBound = { value: end, closed: c === 93 };
    return this.node(from, { type: 'range', start: startBound, end: endBound });
  }

  private context(): Node {
    const from = this.pos;
    this.pos++;
    const entries: (readonly [string, Node])[] = [];
    if (!this.eat('}')) {
      do {
        const key = this.contextKey();
        this.expect(':');
        entries.push([key, this.expression()]);
      } while (this.eat(','));
      this.expect('}');
    }
    return this.node(from, { type: 'context', entries });
  }

  /** feel-scala `contextEntry` keys: any text up to `:` (but `"{}:,[]` and backticks), a string, or a name. */
  private contextKey(): string {
    this.ws();
    const c = this.code();
    if (c === 34) return this.stringLiteralRaw();
    if (c === 96) return this.name();
    const start = this.pos;
    let end = start;
    while (end < this.src.length && !'"{}:,[]`'.includes(this.src[end])) end++;
    let trimmed = end;
    while (trimmed > start && isWhitespace(this.code(trimmed - 1))) trimmed--;
    if (trimmed === start) this.unexpected();
    this.pos = trimmed;
    return this.src.slice(start, trimmed);
  }

  /** A name: an identifier or a backtick-quoted name. */
  private name(): string {
    this.ws();
    const known = this.scopeNames.length === 0 ? -1 : this.scopeNameEnd(this.pos);
    if (known !== -1) {
      const text = this.src.slice(this.pos, known);
      this.pos = known;
      return text;
    }
    const end = this.nameEnd(this.pos);
    if (end === -1) this.unexpected();
    const text = this.src.slice(this.pos, end);
    this.pos = end;
    return text.startsWith('`') ? text.slice(1, -1) : text;
  }

  private nameEnd(at: number): number {
    if (this.code(at) === 96) {
      const close = this.src.indexOf('`', at + 1);
      return close > at + 1 ? close + 1 : -1;
    }
    return this.identifierEnd(at);
  }

  private qualifiedName(): string[] {
    const names = [this.name()];
    for (;;) {
      this.ws();
      if (this.code() !== 46 || this.code(this.pos + 1) === 46) return names;
      const saved = this.pos;
      this.pos++;
      this.ws();
      if (
        this.nameEnd(this.pos) === -1 &&
        !this.atKeyword('time offset') &&
        (this.scopeNames.length === 0 || this.scopeNameEnd(this.pos) === -1)
      ) {
        this.pos = saved;
        return names;
      }
      names.push(this.pathKey());
    }
  }

  private nameReference(): Node {
    const from = this.pos;
    const names = this.qualifiedName();
    if (this.at('(')) return this.call(from, names);
    return this.node(from, { type: 'ref', names });
  }

  /**
   * A word at the start of a terminal: a literal, a function definition, a
   * temporal constructor with a string, a call (whose name may have spaces:
   * `string length(s)`), or a (qualified) name.
   */
  private word(): Node {
    const from = this.pos;
    for (const [word, value] of [
      ['null', null],
      ['true', true],
      ['false', false],
    ] as const) {
      if (this.atKeyword(word, from)) {
        this.pos += word.length;
        return value === null
          ? this.node(from, { type: 'null' })
          : this.node(from, { type: 'boolean', value });
      }
    }
    if (this.atKeyword('function', from)) return this.functionDefinition();
    const temporal = this.temporalConstant();
    if (temporal !== undefined) return temporal;
    for (const name of RESERVED_FUNCTION_NAMES) {
      const end = this.dmn ? this.spacedKeywordEnd(name, from) : from + name.length;
      if (end !== -1 && this.atKeyword(name.split(' ')[0], from) && this.parenthesisAt(end)) {
        if (!this.dmn && !this.atKeyword(name, from)) continue;
        this.pos = end;
        return this.call(from, [name]);
      }
    }
    const spaced = this.spacedCallName(from);
    if (spaced !== undefined) {
      this.pos = spaced.end;
      return this.call(from, [spaced.name]);
    }
    if (this.identifierEnd(from) === -1) this.unexpected();
    return this.nameReference();
  }

  private parenthesisAt(at: number): boolean {
    const saved = this.pos;
    this.pos = at;
    const result = this.at('(');
    this.pos = saved;
    return result;
  }

  /**
   * `date("...")`, `time("...")`, `date and time("...")`, `duration("...")`
   * with a string literal: a constant, as feel-scala parses it (an invalid
   * text is `null`).
   */
  private temporalConstant(): Node | undefined {
    const from = this.pos;
    for (const name of TEMPORAL_CONSTRUCTORS) {
      const end = this.dmn ? this.spacedKeywordEnd(name, from) : -1;
      if (end === -1 && !this.atKeyword(name, from)) continue;
      const saved = this.pos;
      this.pos = end === -1 ? from + name.length : end;
      if (this.eat('(') && this.at('"')) {
        const text = this.stringLiteralRaw();
        if (this.eat(')')) {
          const value =
            name === 'date'
              ? parseDate(text)
              : name === 'time'
                ? parseTime(text)
                : name === 'duration'
                  ? parseDuration(text)
                  : parseDateTime(text);
          return this.node(from, { type: 'temporal', value });
        }
      }
      this.pos = saved;
      return undefined;
    }
    return undefined;
  }

  /**
   * feel-scala `identifierWithWhitespaces ~ "("`: words separated by spaces
   * and followed by `(` name a function. The words `between` and `instance`
   * are operators there (`x between f(1) and 2`), which feel-scala itself
   * misreads as a call of `x between f`.
   */
  private spacedCallName(from: number): { name: string; end: number } | undefined {
    let end = this.identifierEnd(from);
    if (end === -1) return undefined;
    let words = 1;
    for (;;) {
      let next = end;
      while (this.code(next) === 32) next++;
      if (next === end) break;
      const wordEnd = this.identifierEnd(next);
      if (wordEnd === -1) break;
      const word = this.src.slice(next, wordEnd);
      if (word === 'between' || word === 'instance') return undefined;
      end = wordEnd;
      words++;
    }
    if (words < 2 || !this.parenthesisAt(end)) return undefined;
    return { name: this.src.slice(from, end).replace(/ +/g, ' '), end };
  }

  private functionDefinition(): Node {
    const from = this.pos;
    this.expectKeyword('function');
    this.expect('(');
    const params: string[] = [];
    if (!this.eat(')')) {
      do {
        params.push(this.parameterName());
        // DMN: `function(a: number)`; the type is not checked
        if (this.dmn && this.eat(':')) this.typeName();
      } while (this.eat(','));
      this.expect(')');
    }
    if (this.dmn && this.at(':') && !this.src.startsWith('::', this.pos)) {
      this.pos++;
      this.typeName();
    }
    if (this.atKeyword('external')) {
      throw new SyntaxFailure(
        'external functions are not supported',
        this.pos,
        this.pos + 'external'.length,
      );
    }
    const body = this.expression();
    return this.node(from, { type: 'function', params, body });
  }

  /** A parameter name: a name, or words separated by spaces (`start position`). */
  private parameterName(): string {
    this.ws();
    if (this.code() === 96) return this.name();
    const from = this.pos;
    let end = this.identifierEnd(from);
    if (end === -1) this.unexpected();
    for (;;) {
      let next = end;
      while (this.code(next) === 32) next++;
      if (next === end) break;
      const wordEnd = this.identifierEnd(next);
      if (wordEnd === -1) break;
      end = wordEnd;
    }
    this.pos = end;
    return this.src.slice(from, end).replace(/ +/g, ' ');
  }

  private call(from: number, names: readonly string[]): Node {
    this.expect('(');
    const parameters = this.parameters();
    this.expect(')');
    if (names.length === 1) return this.node(from, { type: 'call', name: names[0], parameters });
    return this.node(from, {
      type: 'qualifiedCall',
      path: names.slice(0, -1),
      name: names[names.length - 1],
      parameters,
    });
  }

  private parameters(): Parameters {
    this.ws();
    if (this.code() === 41 /* ) */) return { kind: 'positional', values: [] };
    if (this.namedParameterFollows()) {
      const values = new Map<string, Node>();
      do {
        const name = this.parameterName();
        this.expect(':');
        values.set(name, this.argument());
      } while (this.eat(','));
      return { kind: 'named', values };
    }
    const values: Node[] = [];
    do values.push(this.argument());
    while (this.eat(','));
    return { kind: 'positional', values };
  }

  private namedParameterFollows(): boolean {
    const saved = this.pos;
    try {
      if (this.code() !== 96 && this.identifierEnd(this.pos) === -1) return false;
      this.parameterName();
      return this.at(':');
    } catch (e) {
      if (e instanceof SyntaxFailure) return false;
      throw e;
    } finally {
      this.pos = saved;
    }
  }

  /** feel-scala `range | expression`: a range is a value here. */
  private argument(): Node {
    const node = this.expression();
    if (node.type === 'inputInRange') {
      return { type: 'range', start: node.start, end: node.end, from: node.from, to: node.to };
    }
    return node;
  }

  // unary tests ///////////////////////////////////////////////////////

  private unaryTests(): Node {
    this.ws();
    const from = this.pos;
    const rest = this.src.slice(this.pos).trim();
    if (rest === '-') {
      this.pos = this.src.length;
      return this.node(from, { type: 'boolean', value: true });
    }
    if (rest === 'true' || rest === 'false') {
      this.pos = this.src.length;
      const value = this.node(from, { type: 'boolean', value: rest === 'true' });
      return this.node(from, { type: 'inputEquals', value });
    }
    if (this.atKeyword('not') && this.parenthesisAt(this.pos + 3)) {
      const saved = this.pos;
      this.pos += 3;
      this.expect('(');
      const tests = this.positiveUnaryTests();
      if (this.eat(')')) {
        this.ws();
        if (this.pos >= this.src.length) return this.node(from, { type: 'not', operand: tests });
      }
      // `not(x) = y` and the like: an expression that starts with a call of `not`
      this.pos = saved;
    }
    return this.positiveUnaryTests();
  }

  private positiveUnaryTests(): Node {
    const from = this.pos;
    const tests = [this.positiveUnaryTest()];
    while (this.eat(',')) tests.push(this.positiveUnaryTest());
    return tests.length === 1 ? tests[0] : this.node(from, { type: 'atLeastOne', tests });
  }

  private positiveUnaryTest(): Node {
    this.ws();
    const from = this.pos;
    const node = this.expression();
    if (node.type === 'inputCompare' || node.type === 'inputInRange') return node;
    return this.node(from, {
      type: 'unaryTestExpression',
      expression: node,
      usesInput: usesInput(node),
    });
  }

  /**
   * The test after `in` without parentheses: a simple unary test or a value,
   * so that `x in [1..5] and y` reads as `(x in [1..5]) and y`.
   */
  private simpleTest(): Node {
    this.ws();
    const from = this.pos;
    const c = this.code();
    if (c === 60 || c === 62) {
      const operator = this.orderOperator();
      const value = this.math();
      return this.node(from, { type: 'inputCompare', operator, value });
    }
    const equality = this.dmn ? this.equalityTest(from) : undefined;
    if (equality !== undefined) return equality;
    const value = this.math();
    if (value.type === 'range') {
      return this.node(from, { type: 'inputInRange', start: value.start, end: value.end });
    }
    // `5 in ? < 10`: a comparison with the input is a test too
    const test = usesInput(value) ? this.comparisonSuffix(from, value) : value;
    return this.node(from, {
      type: 'unaryTestExpression',
      expression: test,
      usesInput: usesInput(test),
    });
  }

  private parenthesizedTests(): Node {
    const from = this.pos;
    this.expect('(');
    const first = this.positiveUnaryTest();
    if (first.type === 'unaryTestExpression' && isMathLevel(first.expression) && this.at('..')) {
      const range = this.rangeFrom(from, false, first.expression);
      return this.node(from, { type: 'inputInRange', start: range.start, end: range.end });
    }
    const tests = [first];
    while (this.eat(',')) tests.push(this.positiveUnaryTest());
    this.expect(')');
    return tests.length === 1 ? tests[0] : this.node(from, { type: 'atLeastOne', tests });
  }
}

/** `[1..3]` parsed as a test of the input, as the range value it is. */
function rangeOfTest(node: Node): Node {
  return node.type === 'inputInRange'
    ? { type: 'range', start: node.start, end: node.end, from: node.from, to: node.to }
    : node;
}

function quote(text: string): string {
  const short = text.length > 30 ? `${text.slice(0, 30)}…` : text;
  return `'${short}'`;
}
