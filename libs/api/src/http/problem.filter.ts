import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '@baton/engine';
import { LockTimeoutError, RuntimeError, RuntimeErrorCode, StoreUnavailableError } from '@baton/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, STATUS_TITLES, type Problem } from './problem';

/** How long a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 2;

const RUNTIME_STATUS: Record<RuntimeErrorCode, { status: number; title: string }> = {
  [RuntimeErrorCode.NotFound]: { status: 404, title: 'Not Found' },
  [RuntimeErrorCode.Conflict]: { status: 409, title: 'Conflict' },
  [RuntimeErrorCode.Unprocessable]: { status: 422, title: 'Unprocessable Content' },
  [RuntimeErrorCode.PayloadTooLarge]: { status: 413, title: 'Content Too Large' },
  [RuntimeErrorCode.InvalidDefinition]: { status: 400, title: 'Invalid BPMN definition' },
  [RuntimeErrorCode.BadRequest]: { status: 400, title: 'Bad Request' },
  [RuntimeErrorCode.Unavailable]: { status: 503, title: 'Service Unavailable' },
};

/**
 * The one place where failures become HTTP answers (RFC 9457
 * `application/problem+json`): typed runtime and engine errors by their code,
 * framework errors (unknown route, body too large, malformed JSON) by their
 * status, anything else as a 500 whose detail says nothing and whose stack is
 * logged.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  constructor(
    private readonly maxBodyBytes: number,
    /** Told of every answer that says the store is unavailable (metrics). */
    private readonly onUnavailable: (error: Error) => void = () => undefined,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.problem(exception, request.url.split('?')[0]);
    if (problem.status === 503) {
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      if (exception instanceof StoreUnavailableError) this.onUnavailable(exception);
    }
    if (problem.status >= 500 && problem.status !== 503) {
      this.logger.error(
        `${request.method} ${request.url} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    if (reply.sent) return;
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private problem(exception: unknown, instance: string): Problem {
    if (exception instanceof StoreUnavailableError || exception instanceof LockTimeoutError) {
      return {
        type: 'urn:baton:problem:unavailable',
        title: 'Service Unavailable',
        status: 503,
        detail:
          exception instanceof StoreUnavailableError
            ? 'the database is not available right now; retry later'
            : 'the instance is busy; retry later',
        instance,
        code: RuntimeErrorCode.Unavailable,
      };
    }
    if (exception instanceof RuntimeError) {
      const { status, title } = RUNTIME_STATUS[exception.code];
      return {
        type: `urn:baton:problem:${exception.code.toLowerCase().replace(/_/g, '-')}`,
        title,
        status,
        detail: exception.message,
        instance,
        code: exception.code,
        ...(exception.errors.length > 0 ? { errors: exception.errors } : {}),
      };
    }
    if (
      exception instanceof EngineError &&
      (exception.code === EngineErrorCode.NoNoneStartEvent || exception.code === EngineErrorCode.UnknownStartEvent)
    ) {
      return {
        type: `urn:baton:problem:${exception.code.toLowerCase().replace(/_/g, '-')}`,
        title: 'Unprocessable Content',
        status: 422,
        detail: exception.message,
        instance,
        code: exception.code,
      };
    }
    const status = clientStatus(exception);
    if (status !== null) {
      return {
        type: 'about:blank',
        title: STATUS_TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Bad Request'),
        status,
        detail:
          status === 413
            ? `the request body is larger than the limit of ${this.maxBodyBytes} bytes`
            : (exception as Error).message,
        instance,
      };
    }
    return {
      type: 'about:blank',
      title: STATUS_TITLES[500],
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
      instance,
    };
  }
}

/**
 * The status of a framework error: Nest's HttpException (any status, it was
 * raised on purpose), or a 4xx carried by Fastify's and its plugins' errors.
 */
function clientStatus(exception: unknown): number | null {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}
