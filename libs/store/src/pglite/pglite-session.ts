import { protocol, type PGlite, type Results } from '@electric-sql/pglite';

const { serialize } = protocol;

type Parser = (value: string, typeId: number) => unknown;
type Serializer = (value: unknown) => string;

/** The options of a query the Prisma adapter passes (`rowMode: 'array'`, its own parsers). */
export interface SessionQueryOptions {
  readonly rowMode?: 'array' | 'object';
  readonly parsers?: Record<number, Parser>;
}

/** What pglite-prisma-adapter uses of a PGlite instance or of one of its transactions. */
export interface PgliteQueryable {
  query<T>(sql: string, params?: unknown[], options?: SessionQueryOptions): Promise<Results<T>>;
  exec(sql: string): Promise<Results[]>;
}

export interface PgliteSessionClient extends PgliteQueryable {
  transaction<T>(callback: (tx: PgliteTransactionClient) => Promise<T>): Promise<T>;
}

export interface PgliteTransactionClient extends PgliteQueryable {
  rollback(): Promise<void>;
  readonly closed: boolean;
}

/** The members of PGlite this module relies on beyond its typed API (present in 0.4; checked at creation). */
interface PgliteInternals {
  readonly serializers: Record<number, Serializer>;
  readonly parsers: Record<number, Parser>;
  _runExclusiveQuery<T>(work: () => Promise<T>): Promise<T>;
  _runExclusiveTransaction<T>(work: () => Promise<T>): Promise<T>;
}

interface BackendMessage {
  readonly name: string;
}
interface ParameterDescription extends BackendMessage {
  readonly dataTypeIDs: number[];
}
interface RowDescription extends BackendMessage {
  readonly fields: { readonly name: string; readonly dataTypeID: number }[];
}
interface DataRow extends BackendMessage {
  readonly fields: (string | null)[];
}
interface CommandComplete extends BackendMessage {
  readonly text: string;
}

/**
 * Statements kept prepared; beyond it the least recently used is closed. The
 * runtime's statements are a few dozen texts (their lists travel as array or
 * JSON parameters), so this bounds only the one-off texts of searches.
 */
const MAX_PREPARED = 200;

/** Numbers statement names across sessions: two sessions on one PGlite must not name alike. */
let named = 0;

interface Prepared {
  readonly name: string;
  /** Parameter types as Postgres inferred them, which pick each value's serializer. */
  readonly types: readonly number[];
}

/**
 * The query path of the embedded store, under pglite-prisma-adapter.
 *
 * PGlite's own `query` sends a statement's extended-protocol messages (parse,
 * describe, bind, describe, execute, sync) one call into the WebAssembly
 * backend at a time, six per statement, and asks Postgres for the parameter
 * types every time. That costs about ten times what Postgres then spends on a
 * simple statement, and, PGlite being on the event loop's thread, it is time
 * the API and the worker wait for. Here each SQL text is prepared once, as a
 * named statement (Postgres parses it once, and names its parameter types;
 * it still plans each execution for its values: `plan_cache_mode` in
 * pglite-client.factory.ts), and every execution is one call: bind, describe, execute
 * and sync together, the parameters serialized for those types by the
 * serializers PGlite uses, so values travel exactly as before. Results are
 * parsed as PGlite parses them. Statements outside a transaction wait for the
 * transaction in progress, as PGlite's `query` does.
 *
 * For a data directory on disk (NodeFS) or in memory only: PGlite's
 * `syncToFs`, which its `query` calls after each statement, does nothing
 * there (Postgres' own writes reach the files as it makes them), so it is
 * not called. A browser file system (IndexedDB) would need it.
 */
export function pgliteSession(pglite: PGlite): PgliteSessionClient {
  const db = pglite as unknown as PGlite & PgliteInternals;
  for (const member of ['_runExclusiveQuery', '_runExclusiveTransaction'] as const) {
    if (typeof db[member] !== 'function') throw new Error(`this PGlite version has no ${member}: the embedded store needs @electric-sql/pglite 0.4`);
  }
  /** Prepared statements by SQL text, the least recently used first. */
  const prepared = new Map<string, Prepared>();
  /** Close messages of statements dropped from `prepared`, sent ahead of the next statement. */
  let closing: Uint8Array[] = [];
  const mergedParsers = new WeakMap<object, Record<number, Parser>>();

  const parsersFor = (options?: SessionQueryOptions): Record<number, Parser> => {
    const own = options?.parsers;
    if (own === undefined) return db.parsers;
    let merged = mergedParsers.get(own);
    if (merged === undefined) {
      merged = { ...db.parsers, ...own };
      mergedParsers.set(own, merged);
    }
    return merged;
  };

  const pendingCloses = (): Uint8Array[] => {
    const messages = closing;
    closing = [];
    return messages;
  };

  const forget = (sql: string): void => {
    const statement = prepared.get(sql);
    if (statement === undefined) return;
    prepared.delete(sql);
    closing.push(serialize.close({ type: 'S', name: statement.name }));
  };

  const prepare = async (sql: string): Promise<Prepared> => {
    const known = prepared.get(sql);
    if (known !== undefined) {
      prepared.delete(sql);
      prepared.set(sql, known);
      return known;
    }
    // Room first: the backend never holds more than MAX_PREPARED of this session's statements.
    if (prepared.size >= MAX_PREPARED) forget(prepared.keys().next().value as string);
    const name = `baton_${++named}`;
    const described = await run(
      sql,
      [...pendingCloses(), serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()],
      undefined,
    );
    const description = described.find((m): m is ParameterDescription => m.name === 'parameterDescription');
    const statement: Prepared = { name, types: description?.dataTypeIDs ?? [] };
    prepared.set(sql, statement);
    return statement;
  };

  const run = async (sql: string, messages: Uint8Array[], params: unknown[] | undefined): Promise<BackendMessage[]> => {
    try {
      const { messages: answer } = await db.execProtocol(concat(messages), { syncToFs: false });
      return answer as BackendMessage[];
    } catch (e) {
      // As PGlite's query does: the failing statement travels with the error.
      if (e !== null && typeof e === 'object') Object.assign(e, { query: sql, params });
      throw e;
    }
  };

  /** One statement, the caller holding PGlite's query lock. */
  const statement = async <T>(sql: string, params: unknown[], options: SessionQueryOptions | undefined): Promise<Results<T>> => {
    const { name, types } = await prepare(sql);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = db.serializers[types[i]];
      return serializer === undefined ? String(value as string) : serializer(value);
    });
    let answer: BackendMessage[];
    try {
      answer = await run(
        sql,
        [...pendingCloses(), serialize.bind({ statement: name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()],
        params,
      );
    } catch (e) {
      // A table the statement reads changed its columns since it was prepared: prepared afresh next time.
      if ((e as { code?: string }).code === '0A000') forget(sql);
      throw e;
    }
    return results<T>(answer, parsersFor(options), options?.rowMode === 'array');
  };

  const outside = <T>(work: () => Promise<T>): Promise<T> =>
    db._runExclusiveTransaction(() => db._runExclusiveQuery(work));

  return {
    query: <T>(sql: string, params: unknown[] = [], options?: SessionQueryOptions) => outside(() => statement<T>(sql, params, options)),
    exec: (sql) => db.exec(sql),
    // PGlite's `transaction`, with BEGIN, COMMIT and ROLLBACK one call each (its `exec` takes two).
    transaction: <T>(callback: (tx: PgliteTransactionClient) => Promise<T>) =>
      db._runExclusiveTransaction(async () => {
        await db._runExclusiveQuery(() => run('BEGIN', [serialize.query('BEGIN')], undefined));
        let closed = false;
        const open = () => {
          if (closed) throw new Error('Transaction is closed');
        };
        const finish = async (command: 'COMMIT' | 'ROLLBACK') => {
          closed = true;
          await db._runExclusiveQuery(() => run(command, [serialize.query(command)], undefined));
        };
        let result: T;
        try {
          result = await callback({
            query: <R>(sql: string, params: unknown[] = [], options?: SessionQueryOptions) => {
              open();
              return db._runExclusiveQuery(() => statement<R>(sql, params, options));
            },
            exec: async (sql) => {
              open();
              return [results(await db._runExclusiveQuery(() => run(sql, [serialize.query(sql)], undefined)), db.parsers, false)];
            },
            rollback: async () => {
              open();
              await finish('ROLLBACK');
            },
            get closed() {
              return closed;
            },
          });
        } catch (e) {
          if (!closed) await finish('ROLLBACK');
          throw e;
        }
        if (!closed) await finish('COMMIT');
        return result;
      }),
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** PGlite's result parsing (parseResults) for one statement, with the parsers merged once instead of per call. */
function results<T>(messages: readonly BackendMessage[], parsers: Record<number, Parser>, arrays: boolean): Results<T> {
  let fields: { name: string; dataTypeID: number }[] = [];
  const rows: unknown[] = [];
  let affectedRows = 0;
  const parse = (value: string | null, typeId: number): unknown => {
    if (value === null) return null;
    const parser = parsers[typeId];
    return parser === undefined ? value : parser(value, typeId);
  };
  for (const message of messages) {
    switch (message.name) {
      case 'rowDescription':
        fields = (message as RowDescription).fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
        break;
      case 'dataRow': {
        const values = (message as DataRow).fields;
        if (arrays) rows.push(values.map((v, i) => parse(v, fields[i].dataTypeID)));
        else rows.push(Object.fromEntries(values.map((v, i) => [fields[i].name, parse(v, fields[i].dataTypeID)])));
        break;
      }
      case 'commandComplete':
        affectedRows += affected((message as CommandComplete).text);
        break;
    }
  }
  return { rows: rows as T[], fields, affectedRows };
}

function affected(tag: string): number {
  const words = tag.split(' ');
  switch (words[0]) {
    case 'INSERT':
      return parseInt(words[2], 10);
    case 'UPDATE':
    case 'DELETE':
    case 'COPY':
    case 'MERGE':
      return parseInt(words[1], 10);
    default:
      return 0;
  }
}
