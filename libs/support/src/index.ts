export { atMost, backoffDelay, sleep, yieldToEventLoop, type BackoffOptions } from './timing';
export { MicroBatcher, type MicroBatcherOptions, type Pending } from './micro-batcher';
