export type { BatchHandler, ConsumeOptions, Consumer, TokenBus, WorkItem } from './token-bus.port';
export { consoleBusLogger, type BusLogger } from './bus-logger';
export { BusError, BusErrorCode } from './bus.error';
export { decodeWorkMessage } from './work-item.codec';
export type { BackoffOptions } from '@baton/support';
export {
  InProcessTokenBus,
  type InProcessTokenBusOptions,
} from './in-process/in-process-token-bus';
export {
  DEFAULT_WORK_QUEUE,
  RabbitTokenBus,
  type AmqpConnect,
  type RabbitTokenBusOptions,
} from './rabbit/rabbit-token-bus';
