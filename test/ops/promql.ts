/**
 * Metric names in PromQL and in Prometheus text, for checking that every
 * dashboard panel and alert asks for something the apps really export.
 * Not a PromQL parser: it drops what cannot be a metric name (strings, label
 * matchers, ranges, grouping lists, offsets, Grafana variables, numbers,
 * keywords) and keeps identifiers that are not called like functions.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
  'inf',
  'nan',
]);

export function metricNamesInPromQL(expr: string): string[] {
  let s = expr
    // Grafana's label_values(metric, label): the metric is the first argument.
    .replace(/label_values\s*\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,[^)]*\)/g, ' $1 ')
    .replace(/label_values\s*\([^)]*\)/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[0-9a-zA-Z]+/g, ' ')
    .replace(/\$\{[^}]*\}|\$[a-zA-Z_][a-zA-Z0-9_]*/g, ' ');
  // Numbers (0.95, 1e3, 0x1f) go before identifiers are read.
  s = s.replace(/(^|[^a-zA-Z0-9_:])(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)/g, '$1 ');
  const names = new Set<string>();
  for (const match of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const rest = s.slice((match.index ?? 0) + name.length).trimStart();
    if (rest.startsWith('(')) continue; // a function or an aggregation
    if (KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Metric families of a scrape: `# TYPE` lines, plus the names of samples without one. */
export function metricNamesInScrape(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type !== null) families.set(type[1], type[2]);
    else if (line !== '' && !line.startsWith('#')) {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (name !== undefined && !families.has(name)) families.set(name, 'untyped');
    }
  }
  return families;
}

/** Whether `name` (possibly `_bucket`, `_sum`, `_count` of a histogram or summary) is in the scrape. */
export function scrapeHas(families: Map<string, string>, name: string): boolean {
  if (families.has(name)) return true;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (base === null) return false;
  const type = families.get(base[1]);
  return type === 'histogram' || (type === 'summary' && base[2] !== 'bucket');
}

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

/** Every PromQL expression of a Grafana dashboard: panel targets (rows included) and query variables. */
export function dashboardExpressions(dashboard: {
  panels?: readonly Panel[];
  templating?: {
    list?: readonly { type?: string; query?: string | { query?: string }; definition?: string }[];
  };
}): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const walk = (panels: readonly Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined && target.expr.trim() !== '')
          out.push({ where: `panel "${panel.title}"`, expr: target.expr });
      }
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (query !== undefined)
      out.push({ where: `variable ${JSON.stringify(variable)}`.slice(0, 80), expr: query });
  }
  return out;
}

/** Every rule expression of a Prometheus rules file. */
export function ruleExpressions(rules: {
  groups?: readonly { rules?: readonly { alert?: string; record?: string; expr?: string }[] }[];
}): { where: string; expr: string }[] {
  return (rules.groups ?? []).flatMap((g) =>
    (g.rules ?? []).map((r) => ({
      where: `rule ${r.alert ?? r.record}`,
      expr: String(r.expr ?? ''),
    })),
  );
}

/** Names the apps do not export but Prometheus and the RabbitMQ plugin provide (README "Operate"). */
export const EXTERNAL_METRIC = (name: string): boolean =>
  name === 'up' || name.startsWith('rabbitmq_');
