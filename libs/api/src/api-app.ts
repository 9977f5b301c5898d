import { Logger, RequestMethod, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Settings } from '@baton/config';
import { nestLogger, nestLogLevels, openStore, RUNTIME_OBSERVER, type Store } from '@baton/host';
import { BatonMetrics } from '@baton/metrics';
import {
  DefinitionRegistry,
  FailureKind,
  IncidentService,
  InstanceService,
  JobService,
  TaskService,
  VariableLimits,
  type RuntimeObserver,
} from '@baton/runtime';
import type { FastifyInstance } from 'fastify';
import { ApiModule } from './api.module';
import { observeHttp } from './http/http-metrics';
import { ProblemFilter } from './http/problem.filter';
import { serveSwaggerUi } from './http/swagger-ui';
import { refuseUnacceptedContent } from './http/content-types';
import { utf8 } from './http/utf8';
import { refuseUnstorableInput } from './http/unstorable-input';
import { principalRateLimit, registerHttpSecurity } from './http/security';
import { registerETags } from './http/etag';
import { V2_PREFIX } from './v2';
import { ApiKeyService } from './auth/api-keys';
import { authLookups } from './auth/auth-lookups';
import { registerAuthHook } from './auth/auth-hook';
import { registerAuditLog } from './auth/audit-log';
import { PgAuditRepository } from '@baton/store';
import { authenticatorFor, authModes } from './auth/auth-setup';

export const API_PREFIX = 'api/v1';

export interface ApiAppOptions {
  /** Nest's logger; default the levels LOG_LEVEL names. `false` silences it (tests). */
  readonly logger?: false;
  /** More modules in the same application, on the same host (embedded mode adds the worker's). */
  readonly compose?: (store: Store) => DynamicModule[];
  /** Nest's own SIGTERM/SIGINT handling (default on); off when the caller handles signals itself. */
  readonly shutdownHooks?: boolean;
}

/**
 * The API application, configured but not listening: `main` listens on PORT,
 * tests on port 0. Opens (and, with MIGRATE_ON_START, migrates) the store
 * before anything else; a failure closes it again and rejects.
 */
export async function createApiApp(settings: Settings, options: ApiAppOptions = {}): Promise<NestFastifyApplication> {
  // Refused before anything is opened: AUTH unset is a configuration error (auth/auth-setup.ts).
  authModes(settings);
  const logger = options.logger === false ? false : nestLogLevels(settings.LOG_LEVEL);
  if (logger !== false) Logger.overrideLogger(logger);
  const store: Store = await openStore(settings, nestLogger('Store'));
  const maxBodyBytes = new VariableLimits({
    maxVariableSize: settings.MAX_VARIABLE_SIZE,
    maxTotalVariables: settings.MAX_TOTAL_VARIABLES,
  }).maxBodyBytes;
  try {
    const adapter = new FastifyAdapter({
      // Larger than any valid request (docs/limits.md): 413 beyond it, before anything is parsed.
      bodyLimit: maxBodyBytes,
      multipart: { limits: { fileSize: maxBodyBytes, files: 1, fields: 10 } },
      // X-Forwarded-For is believed only from these proxies (docs/security.md).
      trustProxy: typeof settings.TRUST_PROXY === 'boolean' ? settings.TRUST_PROXY : [...settings.TRUST_PROXY],
    });
    // Composed first, so a module that claims the shared host (HostModule.forRoot) names it.
    const composed = options.compose?.(store) ?? [];
    const root = ApiModule.forRoot(settings, store);
    const module = composed.length > 0 ? { ...root, imports: [...(root.imports ?? []), ...composed] } : root;
    const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
      logger,
      abortOnError: false,
      // Fastify's own parsers, with the JSON one replaced below; no urlencoded bodies.
      bodyParser: false,
    });
    // Before any route is added, so that every route gets the headers and the rate limit.
    await registerHttpSecurity(app, settings);
    // After the rate limit (a guessed password counts against it), before any body is read.
    registerAuthHook(app.getHttpAdapter().getInstance(), {
      authenticator: authenticatorFor(settings, app.get(ApiKeyService)),
      metricsToken: settings.METRICS_TOKEN,
      principalLimit: principalRateLimit(app.getHttpAdapter().getInstance(), settings),
      lookups: authLookups(app.get(JobService), app.get(TaskService), app.get(InstanceService), app.get(IncidentService), app.get(DefinitionRegistry)),
    });
    if (authModes(settings).length > 0 && settings.AUDIT_RETENTION_DAYS > 0) {
      registerAuditLog(app.getHttpAdapter().getInstance(), app.get(PgAuditRepository), settings.AUDIT_RETENTION_DAYS, nestLogger('Audit'));
    }
    registerBodyParsers(app.getHttpAdapter().getInstance());
    refuseUnacceptedContent(app.getHttpAdapter().getInstance());
    refuseUnstorableInput(app.getHttpAdapter().getInstance());
    observeHttp(app.getHttpAdapter().getInstance(), app.get(BatonMetrics));
    // Polled reads (the cockpit) answer 304 when nothing changed.
    registerETags(app.getHttpAdapter().getInstance());
    app.setGlobalPrefix(API_PREFIX, {
      // Camunda 8's Orchestration Cluster REST API is served where its clients look for it.
      exclude: ['health', 'health/ready', 'metrics', { path: `${V2_PREFIX}/{*path}`, method: RequestMethod.ALL }],
    });
    const observer = app.get<RuntimeObserver>(RUNTIME_OBSERVER);
    app.useGlobalFilters(
      new ProblemFilter(maxBodyBytes, (e) => observer.failure?.(FailureKind.StoreUnavailable, `answered 503: ${e.message}`)),
    );
    if (options.shutdownHooks !== false) app.enableShutdownHooks();
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Baton')
        .setDescription('BPMN 2.0 process engine. Errors are RFC 9457 application/problem+json.')
        .setVersion('0.1.0')
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { ui: false, raw: ['json'], jsonDocumentUrl: 'api/docs-json' });
    serveSwaggerUi(app.getHttpAdapter().getInstance(), '/api/docs', '/api/docs-json');
    await app.init();
    return app;
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
}

/**
 * BPMN arrives as `application/xml` / `text/xml` (kept as a string). A JSON
 * content type with an empty body (common for action routes such as
 * `/cancel`) is an absent body rather than a 400. Bodies are decoded as
 * strict UTF-8: a byte sequence that is not UTF-8 is a 400, never replaced
 * with U+FFFD behind the sender's back.
 */
function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (_request, body, done) => {
    const text = utf8(body as Buffer);
    if (text instanceof Error) done(text, undefined);
    else done(null, text);
  });
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = utf8(body as Buffer);
    if (text instanceof Error) {
      done(text, undefined);
      return;
    }
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
}
