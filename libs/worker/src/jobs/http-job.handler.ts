import { Injectable } from '@nestjs/common';
import { compileExpression, expressionSource, isExpression, type CompiledExpression, type Variables } from '@baton/engine';
import { JobFailure, type ActivatedJob, type JobContext } from '@baton/runtime';
import { JobHandler } from './job-handler.decorator';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const HTTP_DEFAULT_TIMEOUT_MS = 10_000;
/** No request outlives this, whatever `timeoutMs` says: the lock is heartbeated, but a job is not a download manager. */
const HTTP_MAX_TIMEOUT_MS = 300_000;
const MEMOISED_EXPRESSIONS = 1_000;

/**
 * The built-in `http` job type: a service task that calls a URL.
 *
 *     <zeebe:taskDefinition type="http" retries="3" />
 *     <zeebe:taskHeaders>
 *       <zeebe:header key="method" value="POST" />                           default GET
 *       <zeebe:header key="url" value="= &quot;https://api/orders/&quot; + orderId" />
 *       <zeebe:header key="body" value="= { amount: amount }" />             optional
 *       <zeebe:header key="resultVariable" value="charge" />                 default response
 *       <zeebe:header key="timeoutMs" value="5000" />                        default 10000
 *     </zeebe:taskHeaders>
 *
 * A header value that starts with `=` is FEEL, evaluated against the job's
 * variables (compiled once per distinct expression, as the engine does). A
 * body that is not a string is sent as JSON; a string body is sent as it is
 * (as JSON when it parses as JSON). The answer lands in `resultVariable` as
 * `{ status, body }`, the body parsed when it is JSON. A non-2xx status, a
 * network error or a timeout fail the attempt (retried with the backoff); a
 * header that cannot work (no URL, an unknown method, a FEEL error) opens the
 * incident at once, since retrying cannot fix the model.
 */
@Injectable()
export class HttpJobHandler {
  private readonly expressions = new Map<string, CompiledExpression>();

  @JobHandler('http')
  async handle(job: ActivatedJob, context: JobContext): Promise<Variables> {
    const request = this.request(job);
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = AbortSignal.any([timeout, context.signal]);
    const what = `${request.method} ${request.url}`;
    let status: number;
    let text: string;
    let contentType: string;
    try {
      const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal });
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      text = await response.text();
    } catch (e) {
      if (timeout.aborted) throw new Error(`http: ${what} did not answer within ${request.timeoutMs} ms`, { cause: e });
      if (context.signal.aborted) throw new Error(`http: ${what} was abandoned: the job's lock was lost`, { cause: e });
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new Error(`http: ${what} failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}`, { cause: e });
    }
    if (status < 200 || status > 299) {
      throw new Error(`http: ${what} answered ${status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`);
    }
    return { [request.resultVariable]: { status, body: parseBody(text, contentType) } };
  }

  private request(job: ActivatedJob): {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string | undefined;
    resultVariable: string;
    timeoutMs: number;
  } {
    const headers = job.customHeaders;
    const method = String(this.header(job, 'method') ?? 'GET').toUpperCase();
    if (!METHODS.has(method)) throw misconfigured(`method '${method}' is not one of ${[...METHODS].join(', ')}`);
    const url = this.header(job, 'url');
    if (typeof url !== 'string' || url === '') throw misconfigured(`the 'url' header is missing or not a string (${JSON.stringify(url)})`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw misconfigured(`'${url}' is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw misconfigured(`'${url}' is not an http(s) URL`);
    const timeoutMs = headers.timeoutMs === undefined ? HTTP_DEFAULT_TIMEOUT_MS : Number(this.header(job, 'timeoutMs'));
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > HTTP_MAX_TIMEOUT_MS) {
      throw misconfigured(`timeoutMs must be a whole number of milliseconds in 1..${HTTP_MAX_TIMEOUT_MS}, got '${headers.timeoutMs}'`);
    }
    const resultVariable = headers.resultVariable?.trim() || 'response';
    const requestHeaders: Record<string, string> = { accept: 'application/json, */*;q=0.5' };
    let body: string | undefined;
    if (headers.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      const value = this.header(job, 'body');
      if (typeof value === 'string') {
        body = value;
        requestHeaders['content-type'] = isJson(value) ? 'application/json' : 'text/plain; charset=utf-8';
      } else if (value !== null && value !== undefined) {
        body = JSON.stringify(value);
        requestHeaders['content-type'] = 'application/json';
      }
    }
    return { method, url, headers: requestHeaders, body, resultVariable, timeoutMs };
  }

  /** A header's value: the literal, or its FEEL expression evaluated against the job's variables. */
  private header(job: ActivatedJob, name: string): unknown {
    const value = job.customHeaders[name];
    if (value === undefined || !isExpression(value)) return value;
    try {
      return this.compiled(expressionSource(value)).evaluate(job.variables);
    } catch (e) {
      throw misconfigured(`the '${name}' header (${value}) cannot be evaluated: ${(e as Error).message}`);
    }
  }

  private compiled(source: string): CompiledExpression {
    let expression = this.expressions.get(source);
    if (expression === undefined) {
      expression = compileExpression(source);
      if (this.expressions.size >= MEMOISED_EXPRESSIONS) this.expressions.delete(this.expressions.keys().next().value as string);
      this.expressions.set(source, expression);
    }
    return expression;
  }
}

const misconfigured = (message: string): JobFailure => new JobFailure(`http: ${message}`, { retries: 0 });

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** JSON when the server says so (or says nothing and it parses), the text otherwise. */
function parseBody(text: string, contentType: string): unknown {
  if (text === '') return null;
  if (/json/i.test(contentType) || (contentType === '' && isJson(text))) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
