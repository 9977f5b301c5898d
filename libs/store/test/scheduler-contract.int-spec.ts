import { describeSchedulerContract } from './scheduler.contract';
import { STORE_ADAPTERS } from './store-fixtures';

// Jobs and timers live in the store: one suite, both store adapters.
for (const adapter of STORE_ADAPTERS) describeSchedulerContract(adapter);
