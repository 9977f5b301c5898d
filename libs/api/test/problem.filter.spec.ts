import { Logger, NotFoundException, PayloadTooLargeException, type ArgumentsHost } from '@nestjs/common';
import { EngineError, EngineErrorCode } from '@baton/engine';
import { RuntimeError, RuntimeErrorCode } from '@baton/runtime';
import { ProblemFilter } from '../src/http/problem.filter';

function answer(exception: unknown): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const sent: { status: number; headers: Record<string, string>; body: string } = { status: 0, headers: {}, body: '' };
  const reply = {
    sent: false,
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: string) {
      sent.body = body;
      return reply;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ method: 'POST', url: '/api/v1/things?x=1' }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new ProblemFilter(1000).catch(exception, host);
  return { status: sent.status, headers: sent.headers, body: JSON.parse(sent.body) as Record<string, unknown> };
}

describe('ProblemFilter', () => {
  it('maps runtime error codes to statuses, with the details as errors', () => {
    const cases: [RuntimeErrorCode, number][] = [
      [RuntimeErrorCode.NotFound, 404],
      [RuntimeErrorCode.Conflict, 409],
      [RuntimeErrorCode.Unprocessable, 422],
      [RuntimeErrorCode.PayloadTooLarge, 413],
      [RuntimeErrorCode.InvalidDefinition, 400],
      [RuntimeErrorCode.BadRequest, 400],
    ];
    for (const [code, status] of cases) {
      const { body, headers } = answer(new RuntimeError(code, 'what happened', [{ variable: 'v', message: 'too big' }]));
      expect(headers['content-type']).toBe('application/problem+json');
      expect(body).toEqual({
        type: expect.stringMatching(/^urn:baton:problem:[a-z-]+$/),
        title: expect.any(String),
        status,
        detail: 'what happened',
        instance: '/api/v1/things',
        code,
        errors: [{ variable: 'v', message: 'too big' }],
      });
    }
    expect(answer(RuntimeError.notFound('x')).body).not.toHaveProperty('errors');
  });

  it('answers 422 for a process that cannot be started over REST, 500 for other engine errors', () => {
    expect(answer(new EngineError(EngineErrorCode.NoNoneStartEvent, 'no none start')).body).toMatchObject({ status: 422, code: 'NO_NONE_START_EVENT' });
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(answer(new EngineError(EngineErrorCode.Bug, 'broken')).status).toBe(500);
  });

  it('keeps framework statuses and names the body limit on 413', () => {
    expect(answer(new NotFoundException('Cannot GET /x')).body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404 });
    expect(answer(new PayloadTooLargeException()).body).toMatchObject({ status: 413, detail: expect.stringContaining('1000 bytes') });
    expect(answer(Object.assign(new Error('file too large'), { statusCode: 413 })).status).toBe(413);
  });

  it('answers anything else with a generic 500 and logs the stack', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { status, body } = answer(new Error('connection string secret=xyz'));
    expect(status).toBe(500);
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
      instance: '/api/v1/things',
    });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('secret=xyz'));
  });
});
