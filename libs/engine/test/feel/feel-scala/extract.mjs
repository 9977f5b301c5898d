// Turns feel-scala's ScalaTest suites (src/test/scala/org/camunda/feel/impl/{builtin,interpreter}/*Test.scala)
// into cases.json: expression, variables, expected JSON result. Run:
//   node libs/engine/test/feel/feel-scala/extract.mjs <feel-scala checkout> <commit>
// Assertions whose values this script cannot turn into JSON (custom functions, Java objects as
// variables, string interpolation) are skipped and counted.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Temporal } from 'temporal-polyfill';

const [root, commit] = process.argv.slice(2);
const dirs = ['builtin', 'interpreter'].map((d) => join(root, 'src/test/scala/org/camunda/feel/impl', d));

class Skip extends Error {}

function tokenize(src) {
  const tokens = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { i = src.indexOf('\n', i); if (i < 0) break; continue; }
    if (src.startsWith('/*', i)) { i = src.indexOf('*/', i) + 2; continue; }
    const line = src.slice(0, i).split('\n').length;
    if (src.startsWith('"""', i) || src.startsWith('s"""', i)) {
      const interp = src[i] === 's';
      const start = i + (interp ? 4 : 3);
      let end = src.indexOf('"""', start);
      while (src[end + 3] === '"') end++;
      // Scala reads \uXXXX escapes in triple-quoted strings too
      const raw = src.slice(start, end).replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      tokens.push({ t: 'str', v: raw, interp, line });
      i = end + 3;
      continue;
    }
    if (c === '"' || (c === 's' && src[i + 1] === '"')) {
      const interp = c === 's';
      let j = i + (interp ? 2 : 1);
      let v = '';
      while (src[j] !== '"') {
        if (src[j] === '\\') {
          const n = src[j + 1];
          const map = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };
          if (n === 'u') { v += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16)); j += 6; continue; }
          v += map[n] ?? '\\' + n;
          j += 2;
        } else v += src[j++];
      }
      tokens.push({ t: 'str', v, interp, line });
      i = j + 1;
      continue;
    }
    if (c === "'" && src[i + 2] === "'") { tokens.push({ t: 'str', v: src[i + 1], line }); i += 3; continue; }
    if (c === "'" && src[i + 1] === '\\') {
      const end = src.indexOf("'", i + 2);
      const body = src.slice(i + 1, end);
      const map = { '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\b': '\b', '\\f': '\f', "\\'": "'", '\\"': '"', '\\\\': '\\' };
      tokens.push({ t: 'str', v: body.startsWith('\\u') ? String.fromCharCode(parseInt(body.slice(2), 16)) : map[body], line });
      i = end + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[LlDdFf]?/.exec(src.slice(i));
    if (num && !/[A-Za-z_]/.test(src[i - 1] ?? '')) { tokens.push({ t: 'num', v: num[0].replace(/[LlDdFf]$/, ''), line }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { tokens.push({ t: 'id', v: id[0], line }); i += id[0].length; continue; }
    const op = /^(->|=>|==|!=|<=|>=|\+\+|::|[-+*\/%(){}\[\],.=<>:!&|?@#;])/.exec(src.slice(i));
    tokens.push({ t: 'op', v: op ? op[0] : c, line });
    i += op ? op[0].length : 1;
  }
  return tokens;
}

/** Parses a Scala value expression into a tagged tree. */
class P {
  constructor(tokens, pos) { this.k = tokens; this.p = pos; }
  peek(o = 0) { return this.k[this.p + o]; }
  next() { return this.k[this.p++]; }
  is(v) { const t = this.peek(); return t && t.v === v && t.t !== 'str'; }
  expect(v) { const t = this.next(); if (!t || t.v !== v || t.t === 'str') throw new Skip(`expected ${v}`); }
  args() {
    this.expect('(');
    const args = [];
    while (!this.is(')')) {
      if (this.peek().t === 'id' && this.peek(1)?.v === '=' ) { const name = this.next().v; this.next(); args.push({ name, value: this.value() }); }
      else args.push({ value: this.value() });
      if (this.is(',')) this.next();
    }
    this.next();
    return args;
  }
  value() {
    let v = this.primary();
    for (;;) {
      if (this.is('->')) { this.next(); v = { pair: [v, this.value()] }; continue; }
      if (this.is('.') && this.peek(1)?.t === 'id') { this.next(); const m = this.next().v; const a = this.is('(') ? this.args() : []; v = { call: m, target: v, args: a }; continue; }
      if (this.is('*') || this.is('/') || this.is('+') || (this.is('-') && this.peek(1)?.t !== 'op')) throw new Skip('arithmetic in a Scala value');
      return v;
    }
  }
  primary() {
    const t = this.next();
    if (!t) throw new Skip('eof');
    if (t.t === 'str') { if (t.interp && t.v.includes('$')) throw new Skip('interpolation'); return { str: t.v }; }
    if (t.t === 'num') return { num: t.v };
    if (t.t === 'op' && t.v === '-' && this.peek()?.t === 'num') return { num: '-' + this.next().v };
    if (t.t === 'op' && t.v === '(') { const v = this.value(); this.expect(')'); return v; }
    if (t.t === 'id') {
      let name = t.v;
      while (this.is('.') && this.peek(1)?.t === 'id' && /^[A-Z]/.test(name)) { this.next(); name += '.' + this.next().v; }
      if (this.is('[')) { while (!this.is(']')) this.next(); this.next(); }
      if (this.is('(')) return { call: name, args: this.args() };
      return { id: name };
    }
    throw new Skip(`unexpected ${t.v}`);
  }
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
function scalaString(v) { if (!('str' in v)) throw new Skip('not a string'); return v.str; }
function scalaNumber(v) { if ('num' in v) return Number(v.num); if (v.call === 'BigDecimal' || v.call === 'ValNumber') return scalaNumber(v.args[0].value); if ('str' in v) return Number(v.str); throw new Skip('not a number'); }
function fmtTime(t) { const nanos = t.millisecond * 1e6 + t.microsecond * 1e3 + t.nanosecond; return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${nanos ? '.' + pad(nanos, 9).replace(/0+$/, '') : ''}`; }
function fmtDate(d) { return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`; }
function fmtOffset(ns) { const s = Math.round(ns / 1e9); if (s === 0) return 'Z'; const a = Math.abs(s); return `${s < 0 ? '-' : '+'}${pad(Math.trunc(a / 3600))}:${pad(Math.trunc(a / 60) % 60)}`; }
function fmtZoned(z) { return `${fmtDate(z)}T${fmtTime(z)}${fmtOffset(z.offsetNanoseconds)}`; }
function dayTime(totalNanos) {
  const s = Number(totalNanos / 1000000000n) - (totalNanos < 0n && totalNanos % 1000000000n !== 0n ? 1 : 0);
  const d = Math.trunc(s / 86400), h = Math.trunc(s / 3600) % 24, m = Math.trunc(s / 60) % 60, sec = s % 60;
  if (!d && !h && !m && !sec) return 'P0D';
  const part = (d, h, m, s) => { const t = `${h ? h + 'H' : ''}${m ? m + 'M' : ''}${s ? s + 'S' : ''}`; return `P${d ? d + 'D' : ''}${t ? 'T' + t : ''}`; };
  return d <= 0 && h <= 0 && m <= 0 && sec <= 0 ? '-' + part(-d, -h, -m, -sec) : part(d, h, m, sec);
}
function yearMonth(months) {
  const y = Math.trunc(months / 12), m = months % 12;
  if (!y && !m) return 'P0Y';
  const part = (y, m) => `P${y ? y + 'Y' : ''}${m ? m + 'M' : ''}`;
  return y <= 0 && m <= 0 ? '-' + part(-y, -m) : part(y, m);
}
function zone(v) {
  if (v.call === 'ZoneId.of') return scalaString(v.args[0].value);
  if (v.call === 'ZoneOffset.ofHours') { const h = scalaNumber(v.args[0].value); return `${h < 0 ? '-' : '+'}${pad(Math.abs(h))}:00`; }
  if (v.id === 'ZoneOffset.UTC') return '+00:00';
  throw new Skip('zone');
}
function javaDuration(text) {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/.exec(text);
  if (!m) throw new Skip('duration');
  const sign = m[1] === '-' ? -1n : 1n;
  const b = (x) => (x ? BigInt(x.replace('+', '')) : 0n);
  let ns = (b(m[2]) * 86400n + b(m[3]) * 3600n + b(m[4]) * 60n + b(m[5])) * 1000000000n;
  if (m[6]) ns += (m[5]?.startsWith('-') ? -1n : 1n) * BigInt(m[6].padEnd(9, '0'));
  return sign * ns;
}

const HELPERS = { date: 'LocalDate.parse', localTime: 'LocalTime.parse', time: 'ZonedTime.parse', dateTime: 'ZonedDateTime.parse', localDateTime: 'LocalDateTime.parse', yearMonthDuration: 'Period.parse', dayTimeDuration: 'Duration.parse' };
const TEMPORAL = /^(LocalDate|LocalTime|LocalDateTime|ZonedDateTime|OffsetDateTime|ZonedTime|Duration|Period|Val(Date|LocalTime|Time|LocalDateTime|DateTime|DayTimeDuration|YearMonthDuration))\b/;
let inVariables = false;

/** A Scala value as the JSON Baton's FEEL returns for it. */
function json(v) {
  if (v && v.call && HELPERS[v.call]) v = { ...v, call: HELPERS[v.call] };
  // a temporal value is not a string in FEEL: as a variable it has no JSON form
  if (inVariables && v && v.call && TEMPORAL.test(v.call)) throw new Skip('temporal variable');
  if (v === undefined) throw new Skip('missing value');
  if ('str' in v) return v.str;
  if ('num' in v) return Number(v.num);
  if ('pair' in v) throw new Skip('pair');
  if (v.id) {
    switch (v.id) {
      case 'true': case 'false': return v.id === 'true';
      case 'null': case 'ValNull': return null;
      case 'Nil': return [];
      case 'List.empty': case 'Seq.empty': return [];
      case 'Map.empty': return {};
      case 'Long.MaxValue': return 9223372036854775807;
      case 'Int.MaxValue': return 2147483647;
      default: throw new Skip(`identifier ${v.id}`);
    }
  }
  const a = (i) => v.args[i].value;
  switch (v.call) {
    case 'List': case 'Seq': case 'Vector': case 'Array': case 'ValList': case 'List.apply':
      if (v.call === 'ValList' && v.args.length === 1 && a(0).call) return json(a(0));
      return v.args.map((x) => json(x.value));
    case 'Map': case 'ValContext': case 'StaticContext': {
      if (v.call !== 'Map') { const inner = a(0); return json(inner.call === 'StaticContext' || inner.call === 'Map' ? inner : inner.args ? inner : inner); }
      const o = {};
      for (const x of v.args) { const p = x.value.pair; if (!p) throw new Skip('map entry'); o[scalaString(p[0])] = json(p[1]); }
      return o;
    }
    case 'ValNumber': case 'BigDecimal': return scalaNumber(a(0));
    case 'ValString': return scalaString(a(0));
    case 'ValBoolean': return json(a(0));
    case 'ValDate': case 'ValLocalTime': case 'ValTime': case 'ValLocalDateTime': case 'ValDateTime': case 'ValDayTimeDuration': case 'ValYearMonthDuration': {
      const inner = a(0);
      if ('str' in inner) {
        const map = { ValDate: 'LocalDate.parse', ValLocalTime: 'LocalTime.parse', ValTime: 'ZonedTime.parse', ValLocalDateTime: 'LocalDateTime.parse', ValDateTime: 'ZonedDateTime.parse', ValDayTimeDuration: 'Duration.parse', ValYearMonthDuration: 'Period.parse' };
        return json({ call: map[v.call], args: v.args });
      }
      return json(inner);
    }
    case 'LocalDate.parse': return fmtDate(Temporal.PlainDate.from(scalaString(a(0))));
    case 'LocalDate.of': return fmtDate(Temporal.PlainDate.from({ year: scalaNumber(a(0)), month: scalaNumber(a(1)), day: scalaNumber(a(2)) }));
    case 'LocalTime.parse': return fmtTime(Temporal.PlainTime.from(scalaString(a(0))));
    case 'LocalTime.of': return fmtTime(Temporal.PlainTime.from({ hour: scalaNumber(a(0)), minute: scalaNumber(a(1)), second: v.args[2] ? scalaNumber(a(2)) : 0, nanosecond: v.args[3] ? scalaNumber(a(3)) % 1000 : 0, microsecond: v.args[3] ? Math.trunc(scalaNumber(a(3)) / 1000) % 1000 : 0, millisecond: v.args[3] ? Math.trunc(scalaNumber(a(3)) / 1e6) : 0 }));
    case 'LocalDateTime.parse': { const d = Temporal.PlainDateTime.from(scalaString(a(0))); return `${fmtDate(d)}T${fmtTime(d)}`; }
    case 'LocalDateTime.of': { if (v.args.length < 5) throw new Skip('ldt of'); const d = Temporal.PlainDateTime.from({ year: scalaNumber(a(0)), month: scalaNumber(a(1)), day: scalaNumber(a(2)), hour: scalaNumber(a(3)), minute: scalaNumber(a(4)), second: v.args[5] ? scalaNumber(a(5)) : 0 }); return `${fmtDate(d)}T${fmtTime(d)}`; }
    case 'ZonedDateTime.parse': case 'OffsetDateTime.parse': {
      const text = scalaString(a(0));
      const m = /^(.*?)(Z|[+-]\d{2}:\d{2})(\[(.+)\])?$/.exec(text);
      if (!m) throw new Skip('zdt');
      const z = Temporal.ZonedDateTime.from(`${m[1]}${m[2] === 'Z' ? '+00:00' : m[2]}[${m[4] ?? (m[2] === 'Z' ? '+00:00' : m[2])}]`);
      return fmtZoned(z);
    }
    case 'ZonedDateTime.of': {
      if (v.args.length === 3) { const d = json(a(0)), t = json(a(1)); return fmtZoned(Temporal.PlainDateTime.from(`${d}T${t}`).toZonedDateTime(zone(a(2)))); }
      if (v.args.length === 2) { const dt = json(a(0)); return fmtZoned(Temporal.PlainDateTime.from(dt).toZonedDateTime(zone(a(1)))); }
      if (v.args.length !== 8) throw new Skip('zdt of');
      const d = Temporal.PlainDateTime.from({ year: scalaNumber(a(0)), month: scalaNumber(a(1)), day: scalaNumber(a(2)), hour: scalaNumber(a(3)), minute: scalaNumber(a(4)), second: scalaNumber(a(5)), nanosecond: scalaNumber(a(6)) % 1000 });
      return fmtZoned(d.toZonedDateTime(zone(a(7))));
    }
    case 'Duration.parse': return dayTime(javaDuration(scalaString(a(0))));
    case 'Duration.ofDays': return dayTime(BigInt(scalaNumber(a(0))) * 86400n * 1000000000n);
    case 'Duration.ofHours': return dayTime(BigInt(scalaNumber(a(0))) * 3600n * 1000000000n);
    case 'Duration.ofMinutes': return dayTime(BigInt(scalaNumber(a(0))) * 60n * 1000000000n);
    case 'Duration.ofSeconds': return dayTime(BigInt(scalaNumber(a(0))) * 1000000000n);
    case 'Duration.ofMillis': return dayTime(BigInt(scalaNumber(a(0))) * 1000000n);
    case 'Period.parse': {
      const m = /^([-+]?)P(?:([-+]?\d+)Y)?(?:([-+]?\d+)M)?(?:([-+]?\d+)D)?$/.exec(scalaString(a(0)));
      if (!m || (m[4] && Number(m[4]) !== 0)) throw new Skip('period');
      const s = m[1] === '-' ? -1 : 1;
      return yearMonth(s * (Number(m[2] ?? 0) * 12 + Number(m[3] ?? 0)));
    }
    case 'Period.of': return yearMonth(scalaNumber(a(0)) * 12 + scalaNumber(a(1)));
    case 'Period.ofYears': return yearMonth(scalaNumber(a(0)) * 12);
    case 'Period.ofMonths': return yearMonth(scalaNumber(a(0)));
    case 'normalized': return json(v.target);
    case 'ZonedTime.parse': {
      const m = /^(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2}|@(.+))$/.exec(scalaString(a(0)));
      if (!m) throw new Skip('zoned time');
      const t = fmtTime(Temporal.PlainTime.from(m[1]));
      return m[3] ? `${t}@${m[3]}` : `${t}${m[2] === '+00:00' ? 'Z' : m[2]}`;
    }
    default: throw new Skip(`call ${v.call}`);
  }
}

function variables(v) {
  if (!v) return undefined;
  inVariables = true;
  let value;
  try {
    value = json(v);
  } finally {
    inVariables = false;
  }
  if (typeof value !== 'object' || Array.isArray(value) || value === null) throw new Skip('variables');
  return value;
}

const cases = [];
const skipped = {};
const TEST_FUNCTIONS = new Set(['evaluateExpression', 'eval', 'evaluateUnaryTests', 'evalUnaryTests']);
for (const dir of dirs) {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('Test.scala')).sort()) {
    const tokens = tokenize(readFileSync(join(dir, name), 'utf8'));
    let ignoring = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      // `ignore should "..." in { ... }` blocks are switched off in feel-scala too
      if (tokens[i + 1]?.v === 'should' && tokens[i + 2]?.t === 'str') ignoring = t.t === 'id' && t.v === 'ignore';
      if (ignoring) continue;
      if (t.t !== 'id' || !TEST_FUNCTIONS.has(t.v) || tokens[i + 1]?.v !== '(' || tokens[i - 1]?.v === 'def') continue;
      const where = `${name}:${t.line}`;
      try {
        const p = new P(tokens, i + 1);
        const args = p.args();
        const named = Object.fromEntries(args.filter((x) => x.name).map((x) => [x.name, x.value]));
        const positional = args.filter((x) => !x.name).map((x) => x.value);
        if (named.functions || named.context || args.length === 0) throw new Skip('functions/context');
        if (p.peek()?.v !== 'should') throw new Skip('no should');
        p.next();
        let paren = false;
        if (p.is('(')) { p.next(); paren = true; }
        const matcher = p.next()?.v;
        const margs = p.is('(') ? p.args() : [];
        let c;
        if (t.v === 'evaluateUnaryTests' || t.v === 'evalUnaryTests') {
          const expr = t.v === 'evalUnaryTests' ? positional[1] ?? named.expression : named.expression ?? positional[0];
          const input = t.v === 'evalUnaryTests' ? positional[0] ?? named.input : named.inputValue ?? positional[1];
          inVariables = true;
          let inputValue;
          try {
            inputValue = json(input);
          } finally {
            inVariables = false;
          }
          c = { source: where, kind: 'unaryTests', expression: scalaString(expr), input: inputValue, variables: variables(named.variables ?? (t.v === 'evalUnaryTests' ? positional[2] : positional[2])) };
        } else {
          c = { source: where, kind: 'expression', expression: scalaString(named.expression ?? positional[0]), variables: variables(named.variables ?? positional[1]) };
        }
        if (matcher === 'returnResult' || matcher === 'be') {
          const v = margs[0]?.value;
          if (v === undefined) throw new Skip('matcher without value');
          if (v.call === 'ValError' || v.call === 'ValFatalError') c.expected = { error: true };
          else c.expected = { value: json(v) };
        } else if (matcher === 'returnNull') c.expected = { value: null };
        else if (matcher === 'failWith' || matcher === 'failToParse') c.expected = { error: true };
        else throw new Skip(`matcher ${matcher}`);
        if (c.variables === undefined) delete c.variables;
        cases.push(c);
        void paren;
      } catch (e) {
        if (!(e instanceof Skip)) throw e;
        skipped[e.message] = (skipped[e.message] ?? 0) + 1;
      }
    }
  }
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'cases.json');
writeFileSync(out, JSON.stringify({ origin: `camunda/feel-scala@${commit}`, license: 'Apache-2.0', cases }, null, 1) + '\n');
console.log(`${cases.length} cases written to ${out}; skipped:`, skipped);
