import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, fetch } from 'undici';
import { redact, type Settings } from '@baton/config';
import { compileExpression, expressionSource, isExpression, type CompiledExpression, type Variables } from '@baton/engine';
import { SETTINGS } from '@baton/host';
import { JobFailure, type ActivatedJob, type JobContext } from '@baton/runtime';
import { JobHandler } from './job-handler.decorator';
import { ipLiteral, OutboundPolicy, RefusedTarget } from './outbound-address';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const HTTP_DEFAULT_TIMEOUT_MS = 10_000;
/** No request outlives this, whatever `timeoutMs` says: the lock is heartbeated, but a job is not a download manager. */
const HTTP_MAX_TIMEOUT_MS = 300_000;
const MEMOISED_EXPRESSIONS = 1_000;
export const HTTP_DEFAULT_MAX_RESPONSE_BYTES = 1_048_576;

/** The settings this handler reads (tests pass them directly). */
export type HttpJobSettings = Partial<Pick<Settings, 'HTTP_JOB_ALLOW' | 'HTTP_JOB_MAX_RESPONSE_BYTES'>>;

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
 *
 * Outbound safety (docs/security.md): the target must be a public address
 * unless HTTP_JOB_ALLOW names its host or a CIDR around its address —
 * loopback, private, CGNAT, link-local (cloud metadata), unique-local and the
 * other special ranges are refused, IPv4-mapped IPv6 included. A host name is
 * resolved once, inside the connection (the dispatcher's `connect.lookup`),
 * every address it resolves to is checked, and the socket connects to the
 * checked address: no second lookup for DNS rebinding. A refused target opens
 * the incident at once (retrying cannot help). Redirects are never followed:
 * a 3xx fails the attempt like any non-2xx, naming its Location (a model that
 * wants the new address calls it in a task of its own, checked again). An
 * answer over HTTP_JOB_MAX_RESPONSE_BYTES is cut off and opens the incident.
 */
@Injectable()
export class HttpJobHandler implements OnApplicationShutdown {
  private readonly expressions = new Map<string, CompiledExpression>();
  private readonly policy: OutboundPolicy;
  private readonly maxResponseBytes: number;
  /** Every request goes through it: its `lookup` is where host names are checked. */
  private readonly dispatcher: Agent;

  constructor(@Optional() @Inject(SETTINGS) settings?: HttpJobSettings) {
    this.policy = new OutboundPolicy(settings?.HTTP_JOB_ALLOW ?? []);
    this.maxResponseBytes = settings?.HTTP_JOB_MAX_RESPONSE_BYTES ?? HTTP_DEFAULT_MAX_RESPONSE_BYTES;
    this.dispatcher = new Agent({ connect: { lookup: this.policy.lookup() } });
  }

  @JobHandler('http')
  async handle(job: ActivatedJob, context: JobContext): Promise<Variables> {
    const request = this.request(job);
    // Credentials in the URL (`https://user:password@host/`) stay out of incidents and logs.
    const what = `${request.method} ${redact(request.url)}`;
    this.checkLiteralTarget(request.url, what);
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = AbortSignal.any([timeout, context.signal]);
    let status: number;
    let text: string;
    let contentType: string;
    let location: string | null;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
        redirect: 'manual',
        dispatcher: this.dispatcher,
      });
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      location = response.headers.get('location');
      text = await this.readCapped(response, what);
    } catch (e) {
      if (e instanceof JobFailure) throw e;
      const refused = refusedTarget(e);
      if (refused !== undefined) throw new JobFailure(`http: ${what} refused: ${refused.message}`, { retries: 0 });
      if (timeout.aborted) throw new Error(`http: ${what} did not answer within ${request.timeoutMs} ms`, { cause: e });
      if (context.signal.aborted) throw new Error(`http: ${what} was abandoned: the job's lock was lost`, { cause: e });
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new Error(`http: ${what} failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}`, { cause: e });
    }
    if (status >= 300 && status <= 399 && location !== null) {
      throw new Error(
        `http: ${what} answered ${status}, a redirect to ${redact(location)}: not followed (the http job never follows ` +
          'redirects; call the new address in the url header)',
      );
    }
    if (status < 200 || status > 299) {
      throw new Error(`http: ${what} answered ${status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`);
    }
    return { [request.resultVariable]: { status, body: parseBody(text, contentType) } };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Closes the pooled connections (the app does it on shutdown; tests that construct a handler call it). */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /**
   * An IP literal never reaches `lookup` (the socket connects to it
   * directly): checked here. Host names are checked when they are resolved.
   */
  private checkLiteralTarget(url: string, what: string): void {
    const address = ipLiteral(new URL(url).hostname);
    if (address === undefined) return;
    const why = this.policy.refusal(address);
    if (why !== undefined) throw new JobFailure(`http: ${what} refused: ${new RefusedTarget(address, address, why).message}`, { retries: 0 });
  }

  /** The body as text, refusing (and cutting off) one larger than HTTP_JOB_MAX_RESPONSE_BYTES. */
  private async readCapped(response: Awaited<ReturnType<typeof fetch>>, what: string): Promise<string> {
    const limit = this.maxResponseBytes;
    const tooLarge = (size: string) =>
      new JobFailure(
        `http: ${what} answered more than HTTP_JOB_MAX_RESPONSE_BYTES (${limit} bytes)${size}; ` +
          'raise the setting or ask for less',
        { retries: 0 },
      );
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(`: its Content-Length is ${declared}`);
    }
    if (response.body === null) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge('');
      }
      chunks.push(value);
    }
    return new TextDecoder().decode(Buffer.concat(chunks));
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

/** The refusal of the dispatcher's lookup, wherever fetch wrapped it. */
function refusedTarget(e: unknown): RefusedTarget | undefined {
  for (let cause = e, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    if (cause instanceof RefusedTarget) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

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
