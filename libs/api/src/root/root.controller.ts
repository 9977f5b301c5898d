import { Controller, Get, Inject, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { serveRoot } from './cockpit';

/** Where the API's documentation is served (api-app.ts sets both up). */
export const DOCS_PATH = '/api/docs';
export const OPENAPI_PATH = '/api/docs-json';

/** A resource of `/api/v1`, as the index lists it. */
export interface ResourceLink {
  readonly href: string;
  readonly methods: readonly string[];
  readonly description: string;
}

export interface ApiIndex {
  readonly name: 'Baton';
  readonly description: string;
  readonly docs: { readonly html: string; readonly openapi: string };
  readonly resources: Readonly<Record<string, ResourceLink>>;
  readonly health: { readonly live: string; readonly ready: string; readonly metrics: string };
}

const V1 = '/api/v1';

/** The answer of `GET /api/v1`: one link per resource collection, and where the docs are. */
export const API_INDEX: ApiIndex = {
  name: 'Baton',
  description: 'BPMN 2.0 process engine, REST API v1. Every operation, with its parameters and examples, is in the docs.',
  docs: { html: DOCS_PATH, openapi: OPENAPI_PATH },
  resources: {
    processes: { href: `${V1}/processes`, methods: ['GET', 'POST'], description: 'Deploy BPMN documents; the deployed processes by key' },
    instances: { href: `${V1}/instances`, methods: ['GET'], description: 'Process instances (start one with POST /api/v1/processes/{key}/instances)' },
    tasks: { href: `${V1}/tasks`, methods: ['GET'], description: 'Open user tasks: claim and complete them' },
    jobs: { href: `${V1}/jobs/activate`, methods: ['POST'], description: 'Jobs of service tasks for external workers: activate, complete, fail' },
    messages: { href: `${V1}/messages`, methods: ['POST'], description: 'Publish a message to waiting subscriptions and message start events' },
    signals: { href: `${V1}/signals`, methods: ['POST'], description: 'Broadcast a signal' },
    conditionals: { href: `${V1}/conditionals/evaluation`, methods: ['POST'], description: 'Start the processes whose conditional start event holds for the variables given' },
    incidents: { href: `${V1}/incidents`, methods: ['GET'], description: 'Incidents of instances that cannot continue, and their resolution' },
    timers: { href: `${V1}/timers`, methods: ['GET'], description: 'Timers of instances and start timers, in the order they fall due (read only)' },
    messageSubscriptions: { href: `${V1}/message-subscriptions`, methods: ['GET'], description: 'What a published message would meet (read only)' },
    incidentGroups: { href: `${V1}/incident-groups`, methods: ['GET'], description: 'Open incidents grouped by type and message' },
    decisions: { href: `${V1}/decisions`, methods: ['GET', 'POST'], description: 'Deploy DMN documents; the deployed decisions, and evaluate one' },
    forms: { href: `${V1}/forms`, methods: ['GET', 'POST'], description: 'Deploy Camunda Forms; the deployed forms by form id' },
    batches: { href: `${V1}/batches`, methods: ['GET', 'POST'], description: 'Batch operations over the instances a filter matches, and their progress' },
    overview: { href: `${V1}/overview`, methods: ['GET'], description: 'Instances by state, open incidents, throughput of the last hour, job backlog, processes and queue depth' },
  },
  health: { live: '/health', ready: '/health/ready', metrics: '/metrics' },
};

/**
 * `GET /api/v1`: a small JSON index of the API's resources, so the URL the
 * start-up banner prints answers something useful. `GET /` redirects to the
 * cockpit (./cockpit.ts), or to the API docs when the cockpit was not built;
 * these are plain Fastify routes, outside the `/api/v1` prefix Nest puts on
 * every controller route.
 */
@ApiTags('index')
@Controller()
export class RootController implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    serveRoot(fastify, DOCS_PATH);
  }

  @Get()
  @ApiOperation({ summary: 'The resources of the API, with links, and where its documentation is' })
  @ApiResponse({ status: 200, description: 'An index of `/api/v1`', schema: { type: 'object', example: API_INDEX } })
  index(): ApiIndex {
    return API_INDEX;
  }
}
