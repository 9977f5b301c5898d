import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { READINESS_CHECKS, runReadinessChecks, type ReadinessCheck } from '@baton/host';
import { TokenWorker } from '../execution/token-worker';
import { METRICS_SOURCE, type MetricsSource } from './metrics-source';

/**
 * The worker's only listener (no Nest HTTP stack): liveness, readiness and
 * Prometheus metrics on METRICS_PORT, at the root as on the API (README "Health"),
 * bound to METRICS_HOST: loopback by default, so a model's `http` job or a
 * neighbour on the network cannot read the metrics unless the operator opens it.
 * Ready means: the consumer is subscribed and every readiness check passes
 * (Postgres answers within its timeout).
 */
@Injectable()
export class WorkerHttpServer implements OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHttpServer');
  private server?: Server;

  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(TokenWorker) private readonly worker: TokenWorker,
    @Inject(METRICS_SOURCE) private readonly metrics: MetricsSource,
  ) {}

  /** Resolves with the bound port once listening on `host` (default loopback only). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((e: unknown) => {
        this.logger.error(`${req.method} ${req.url} failed: ${(e as Error).message}`);
        if (!res.headersSent) send(res, 500, { status: 'error' });
        else res.end();
      });
    });
    // Scrapes and probes are short; a stuck client must not hold shutdown.
    server.keepAliveTimeout = 5_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, { status: 'method not allowed' });
    }
    switch (path) {
      case '/health':
        return send(res, 200, { status: 'ok' });
      case '/health/ready': {
        const report = await runReadinessChecks(this.checks);
        const consuming = this.worker.state === 'running';
        const checks = {
          ...report.checks,
          consumer: consuming ? { status: 'up' } : { status: 'down', message: this.worker.state },
        };
        const ready = report.ready && consuming;
        return send(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', checks });
      }
      case '/metrics': {
        const body = await this.metrics.metrics();
        res.writeHead(200, { 'Content-Type': this.metrics.contentType });
        res.end(body);
        return;
      }
      default:
        return send(res, 404, { status: 'not found' });
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
