import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as amqp from 'amqplib';
import { Client } from 'pg';
import { BenchChild, freePort } from './children';
import { closedLoad, which, wrk } from './http-load';
import { sleep, stat, type Stat } from './stats';

const run = promisify(execFile);

export interface LimitPlan {
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly databaseUrl: string;
  readonly rabbitmqUrl: string;
}

export interface Limits {
  /** Single-row 500-byte INSERT transactions per second, 8 connections. */
  readonly pgInsertTps: Stat & { tool: string };
  /** Rows per second as 100-row multi-row INSERTs (8 connections, pg from Node). */
  readonly pgMultiRowRowsPerSec: Stat;
  /** Persistent messages per second through one durable queue: publisher confirms, manual acks. */
  readonly rabbitMsgsPerSec: Stat;
  /** A node:http server answering 2 bytes, keep-alive. */
  readonly nodeHttpRps: Stat & { tool: string; connections: number };
}

export async function measureLimits(plan: LimitPlan, log: (line: string) => void): Promise<Limits> {
  const pgMultiRowRowsPerSec = await pgMultiRow(plan);
  log(`  postgres 100-row INSERT: ${Math.round(pgMultiRowRowsPerSec.median)} rows/s`);
  const pgInsertTps = await pgInsert(plan);
  log(`  postgres single-row INSERT: ${Math.round(pgInsertTps.median)} tx/s (${pgInsertTps.tool})`);
  const rabbitMsgsPerSec = await rabbit(plan);
  log(`  rabbitmq persistent publish+consume: ${Math.round(rabbitMsgsPerSec.median)} msgs/s`);
  const nodeHttpRps = await nodeHttp(plan);
  log(`  node:http: ${Math.round(nodeHttpRps.median)} req/s (${nodeHttpRps.tool})`);
  return { pgInsertTps, pgMultiRowRowsPerSec, rabbitMsgsPerSec, nodeHttpRps };
}

const PAYLOAD_BYTES = 500;
const PG_CLIENTS = 8;

async function withScratchTable<T>(
  databaseUrl: string,
  body: (schema: string) => Promise<T>,
): Promise<T> {
  const schema = `bench_limits_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(
      `CREATE TABLE "${schema}".t (id bigserial PRIMARY KEY, payload text NOT NULL)`,
    );
    return await body(schema);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

/** pgbench when installed (what the INSERT-limit target is defined with), else 8 `pg` clients from Node. */
async function pgInsert(plan: LimitPlan): Promise<Stat & { tool: string }> {
  const pgbench = await which('pgbench');
  return withScratchTable(plan.databaseUrl, async (schema) => {
    const rounds: number[] = [];
    if (pgbench) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-pgbench-'));
      try {
        const script = path.join(dir, 'insert.sql');
        writeFileSync(
          script,
          `INSERT INTO "${schema}".t (payload) VALUES (repeat('x', ${PAYLOAD_BYTES}));\n`,
        );
        const url = new URL(plan.databaseUrl);
        url.searchParams.delete('schema');
        for (let r = 0; r < plan.rounds; r++) {
          const { stdout } = await run(
            pgbench,
            [
              '-n',
              '-c',
              String(PG_CLIENTS),
              '-j',
              String(Math.min(PG_CLIENTS, os.cpus().length)),
              '-T',
              String(Math.max(1, Math.round(plan.roundSeconds))),
              '-f',
              script,
              url.toString(),
            ],
            { timeout: (plan.roundSeconds + 30) * 1000 },
          );
          const tps =
            /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ??
            /tps = ([\d.]+)/.exec(stdout)?.[1];
          if (tps === undefined) throw new Error(`pgbench printed no tps:\n${stdout}`);
          rounds.push(Number(tps));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return { ...stat(rounds, 'transactions/s'), tool: `pgbench -c ${PG_CLIENTS}` };
    }
    const payload = 'x'.repeat(PAYLOAD_BYTES);
    for (let r = 0; r < plan.rounds; r++) {
      rounds.push(
        await pgClientsRound(plan, async (client) => {
          await client.query(`INSERT INTO "${schema}".t (payload) VALUES ($1)`, [payload]);
          return 1;
        }),
      );
    }
    return { ...stat(rounds, 'transactions/s'), tool: `pg from Node, ${PG_CLIENTS} connections` };
  });
}

async function pgMultiRow(plan: LimitPlan): Promise<Stat> {
  return withScratchTable(plan.databaseUrl, async (schema) => {
    const payloads = Array.from({ length: 100 }, () => 'x'.repeat(PAYLOAD_BYTES));
    const sql = `INSERT INTO "${schema}".t (payload) SELECT unnest($1::text[])`;
    const rounds: number[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      rounds.push(
        await pgClientsRound(plan, async (client) => {
          await client.query(sql, [payloads]);
          return payloads.length;
        }),
      );
    }
    return stat(rounds, 'rows/s');
  });
}

/** Runs `op` in a loop on 8 connections for one round; returns units per second. */
async function pgClientsRound(
  plan: LimitPlan,
  op: (client: Client) => Promise<number>,
): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: PG_CLIENTS }, async () => {
      const c = new Client({ connectionString: plan.databaseUrl });
      await c.connect();
      return c;
    }),
  );
  try {
    let units = 0;
    const start = performance.now();
    const end = start + plan.roundSeconds * 1000;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          // Not `units += await op(c)`: that reads `units` before the await and loses the other clients' counts.
          const n = await op(c);
          units += n;
        }
      }),
    );
    return units / ((performance.now() - start) / 1000);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/**
 * One durable queue; a confirm channel publishes persistent 64-byte messages
 * (up to 1,000 unconfirmed), a consumer on its own connection acks them
 * (prefetch 1,000, an ack per 100). Messages consumed per second.
 */
async function rabbit(plan: LimitPlan): Promise<Stat> {
  const queue = `baton.bench.limits.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
  const pub = await amqp.connect(plan.rabbitmqUrl);
  const sub = await amqp.connect(plan.rabbitmqUrl);
  try {
    const pch = await pub.createConfirmChannel();
    await pch.assertQueue(queue, { durable: true });
    const cch = await sub.createChannel();
    await cch.prefetch(1000);
    let consumed = 0;
    let unacked = 0;
    await cch.consume(queue, (msg) => {
      if (msg === null) return;
      consumed++;
      if (++unacked >= 100) {
        cch.ack(msg, true);
        unacked = 0;
      }
    });
    const body = Buffer.alloc(64, 'x');
    const rounds: number[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      let stop = false;
      const publishing = (async () => {
        while (!stop) {
          for (let i = 0; i < 1000; i++) pch.sendToQueue(queue, body, { persistent: true });
          await pch.waitForConfirms();
        }
      })();
      // The first fraction of a second fills the pipeline; count from there.
      await sleep(300);
      const c0 = consumed;
      const t0 = performance.now();
      await sleep(plan.roundSeconds * 1000);
      const rate = (consumed - c0) / ((performance.now() - t0) / 1000);
      stop = true;
      await publishing;
      rounds.push(rate);
      await sleep(200);
    }
    await pch.deleteQueue(queue);
    return stat(rounds, 'messages/s');
  } finally {
    await sub.close().catch(() => undefined);
    await pub.close().catch(() => undefined);
  }
}

const NODE_HTTP_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }); res.end('ok'); });
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A bare node:http server in its own process; wrk when installed, else the bench's own client. */
async function nodeHttp(plan: LimitPlan): Promise<Stat & { tool: string; connections: number }> {
  const port = await freePort();
  const server = new BenchChild('node-http', ['-e', NODE_HTTP_SERVER], { PORT: String(port) });
  const url = `http://127.0.0.1:${port}/`;
  const connections = 50;
  try {
    await server.ready(url, 10_000);
    const wrkPath = await which('wrk');
    const rounds: number[] = [];
    for (let r = 0; r < plan.rounds; r++) {
      if (wrkPath)
        rounds.push((await wrk(wrkPath, { url, connections, seconds: plan.roundSeconds })).rps);
      else
        rounds.push(
          (await closedLoad({ url, method: 'GET', connections, seconds: plan.roundSeconds })).rps,
        );
    }
    return {
      ...stat(rounds, 'requests/s'),
      tool: wrkPath ? `wrk -t2 -c${connections}` : `bench client, ${connections} connections`,
      connections,
    };
  } finally {
    await server.stop();
  }
}
