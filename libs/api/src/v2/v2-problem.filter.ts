import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '@baton/engine';
import { LockTimeoutError, RuntimeError, RuntimeErrorCode, StoreUnavailableError } from '@baton/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';

/** How long a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 2;

/**
 * A `/v2` failure as Camunda answers it: RFC 9457 problem details whose
 * `title` is Camunda's rejection name (`NOT_FOUND`, `INVALID_ARGUMENT`,
 * `INVALID_STATE`, `DEADLINE_EXCEEDED`, ...), `type` `about:blank`. Baton's
 * `code` and `errors` ride along as extension members.
 */
export class V2Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const RUNTIME: Record<RuntimeErrorCode, { status: number; title: string }> = {
  [RuntimeErrorCode.NotFound]: { status: 404, title: 'NOT_FOUND' },
  [RuntimeErrorCode.Conflict]: { status: 409, title: 'INVALID_STATE' },
  [RuntimeErrorCode.Unprocessable]: { status: 400, title: 'INVALID_ARGUMENT' },
  [RuntimeErrorCode.PayloadTooLarge]: { status: 413, title: 'PAYLOAD_TOO_LARGE' },
  [RuntimeErrorCode.InvalidDefinition]: { status: 400, title: 'INVALID_ARGUMENT' },
  [RuntimeErrorCode.BadRequest]: { status: 400, title: 'INVALID_ARGUMENT' },
  [RuntimeErrorCode.Unavailable]: { status: 503, title: 'UNAVAILABLE' },
};

const HTTP_TITLES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  409: 'INVALID_STATE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

@Catch()
export class V2ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const instance = request.url.split('?')[0];
    const problem = { type: 'about:blank', ...this.describe(exception), instance };
    if (problem.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    if (problem.status >= 500 && problem.status !== 503 && problem.status !== 504) {
      this.logger.error(
        `${request.method} ${request.url} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    if (reply.sent) return;
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private describe(exception: unknown): { status: number; title: string; detail: string; code?: string; errors?: readonly object[] } {
    if (exception instanceof V2Problem) return { status: exception.status, title: exception.title, detail: exception.detail };
    if (exception instanceof StoreUnavailableError || exception instanceof LockTimeoutError) {
      return {
        status: 503,
        title: 'UNAVAILABLE',
        detail:
          exception instanceof StoreUnavailableError
            ? 'the database is not available right now; retry later'
            : 'the instance is busy; retry later',
      };
    }
    if (exception instanceof RuntimeError) {
      return {
        ...RUNTIME[exception.code],
        detail: exception.message,
        code: exception.code,
        ...(exception.errors.length > 0 ? { errors: exception.errors } : {}),
      };
    }
    if (
      exception instanceof EngineError &&
      (exception.code === EngineErrorCode.NoNoneStartEvent || exception.code === EngineErrorCode.UnknownStartEvent)
    ) {
      return { status: 400, title: 'INVALID_ARGUMENT', detail: exception.message, code: exception.code };
    }
    const status = clientStatus(exception);
    if (status !== null) {
      return { status, title: HTTP_TITLES[status] ?? 'INVALID_ARGUMENT', detail: (exception as Error).message };
    }
    return { status: 500, title: 'INTERNAL', detail: 'an unexpected error occurred; it has been logged' };
  }
}

function clientStatus(exception: unknown): number | null {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}
