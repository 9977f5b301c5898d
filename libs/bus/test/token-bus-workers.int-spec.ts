import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { InProcessTokenBus, RabbitTokenBus } from '@baton/bus';
import { describeTokenBusWorkersContract } from './token-bus-workers.contract';

// Both adapters of the token bus port (README "What runs where"), the same checks: in-process and a real RabbitMQ.
const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
const quiet = { warn: () => undefined, error: () => undefined };

jest.setTimeout(30_000);

describeTokenBusWorkersContract('InProcessTokenBus', async () => {
  const bus = new InProcessTokenBus({ logger: quiet });
  return { bus, dispose: () => bus.close() };
});

describeTokenBusWorkersContract('RabbitTokenBus', async () => {
  const queue = `baton.test.workers.${process.pid}.${randomBytes(4).toString('hex')}`;
  const bus = new RabbitTokenBus({ url: RABBITMQ_URL, queue, connectionName: 'baton-test', logger: quiet });
  return {
    bus,
    dispose: async () => {
      await bus.close();
      const connection = await amqp.connect(RABBITMQ_URL);
      try {
        await (await connection.createChannel()).deleteQueue(queue);
      } finally {
        await connection.close();
      }
    },
  };
});
