export { FakeClock } from './fake-clock';
export { FakePublisher } from './fake-publisher';
export { FakeSqlError, MemoryStore, type MethodName, type TableName, type TableRows } from './memory-store';
export { RecordingObserver } from './recording-observer';
export { engineFixture, fixture, RuntimeKit, type RuntimeKitOptions } from './runtime-kit';
export { MemoryInspection } from './memory-inspection';
