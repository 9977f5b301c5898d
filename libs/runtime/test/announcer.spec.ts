import { Announcer, FailureKind } from '../src';
import { engineFixture, FakePublisher, RecordingObserver, RuntimeKit } from './fakes';

describe('Announcer', () => {
  it('publishes the distinct ids of one announcement in one publish, and nothing for none', async () => {
    const publisher = new FakePublisher();
    const announcer = new Announcer(publisher, {});

    announcer.announce(['1', '2', '1']);
    announcer.announce([]);
    await announcer.settled();

    expect(publisher.calls).toEqual([['1', '2']]);
  });

  it('never waits for a publisher that hangs', async () => {
    const publisher = new FakePublisher();
    const announcer = new Announcer(publisher, {});
    publisher.hang();

    announcer.announce(['1']);
    announcer.announce(['2']);

    expect(publisher.calls).toEqual([['1'], ['2']]);
    expect(publisher.queue).toEqual([]);
    publisher.recover();
    await announcer.settled();
    expect(publisher.queue).toEqual(['1', '2']);
  });

  it('keeps at most maxInFlight publishes waiting and leaves the rest to the sweeper, counting them', async () => {
    const publisher = new FakePublisher();
    const observer = new RecordingObserver();
    const announcer = new Announcer(publisher, observer, { maxInFlight: 2 });
    publisher.hang();

    announcer.announce(['1']);
    announcer.announce(['2']);
    announcer.announce(['3', '4']);

    expect(publisher.calls).toEqual([['1'], ['2']]);
    expect(observer.failuresOf(FailureKind.PublishFailed).map((f) => f.detail)).toEqual([expect.stringContaining('2 item(s) left to the sweeper')]);
    publisher.recover();
    await announcer.settled();
    announcer.announce(['5']);
    await announcer.settled();
    expect(publisher.queue).toEqual(['1', '2', '5']);
  });

  it('counts a failed publish through the observer and does not throw', async () => {
    const publisher = new FakePublisher();
    const observer = new RecordingObserver();
    const announcer = new Announcer(publisher, observer);
    publisher.failNext(new Error('channel closed'));

    expect(() => announcer.announce(['1'])).not.toThrow();
    await announcer.settled();

    expect(observer.failuresOf(FailureKind.PublishFailed)).toEqual([
      { kind: FailureKind.PublishFailed, detail: expect.stringContaining('the sweeper will announce them'), error: expect.objectContaining({ message: 'channel closed' }) },
    ]);
  });

  it('lets API commands and worker batches answer while the broker hangs; the work is announced when it is back', async () => {
    const kit = new RuntimeKit();
    await kit.deploy(engineFixture('tasks/service-task.bpmn'));
    kit.publisher.hang();

    const { id } = await kit.instances.start('service-task', {});
    await kit.unitOfWork.runBatch([id]);
    expect((await kit.instances.cancel(id)).outcome).toBe('applied');

    expect((await kit.instances.get(id)).status).toBe('CANCELED');
    kit.publisher.recover();
    await kit.announcer.settled();
    expect(kit.publisher.queue).toEqual([id]);
  });
});
