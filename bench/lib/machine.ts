import os from 'node:os';
import * as amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { mb } from './stats';

export interface MachineInfo {
  readonly hostname: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemMB: number;
  readonly node: string;
  readonly postgres: string;
  readonly rabbitmq: string;
  readonly redis: string;
}

/** 1-, 5- and 15-minute load averages: the machine is shared, so the report says how busy it was. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = os.loadavg();
  return [round2(a), round2(b), round2(c)];
}

const round2 = (v: number) => Math.round(v * 100) / 100;

export async function machineInfo(urls: {
  databaseUrl: string;
  rabbitmqUrl: string;
  redisUrl: string;
}): Promise<MachineInfo> {
  const cpus = os.cpus();
  const [postgres, rabbitmq, redis] = await Promise.all([
    postgresVersion(urls.databaseUrl).catch((e: Error) => `unknown (${e.message})`),
    rabbitVersion(urls.rabbitmqUrl).catch((e: Error) => `unknown (${e.message})`),
    redisVersion(urls.redisUrl).catch((e: Error) => `unknown (${e.message})`),
  ]);
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemMB: mb(os.totalmem()),
    node: process.version,
    postgres,
    rabbitmq,
    redis,
  };
}

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0].server_version;
  } finally {
    await client.end();
  }
}

async function rabbitVersion(url: string): Promise<string> {
  const model = await amqp.connect(url);
  try {
    const props = (model.connection as unknown as { serverProperties?: { version?: string } })
      .serverProperties;
    return String(props?.version ?? 'unknown');
  } finally {
    await model.close();
  }
}

async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}
