import { loadSettings } from '@baton/config';
import { exportSinkNames, stepExporter } from '../src/export';

describe('event export settings', () => {
  it('configures no sink by default, and then writes nothing', () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({ EXPORT_MAX_ATTEMPTS: 10, EXPORT_RETRY_BACKOFF: 'exponential', EXPORT_RETRY_DELAY_MS: 1000, EXPORT_BATCH_SIZE: 100 });
    expect(exportSinkNames(settings)).toEqual([]);
    expect(stepExporter(settings)).toBeUndefined();
  });

  it('names the sinks the settings configure', () => {
    const settings = loadSettings({
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
      EXPORT_WEBHOOK_URL: 'https://lake.example/hook',
      EXPORT_RABBITMQ_EXCHANGE: 'baton.events',
      EXPORT_RETRY_BACKOFF: 'Fixed',
    });
    expect(exportSinkNames(settings)).toEqual(['webhook', 'rabbitmq']);
    expect(stepExporter(settings)?.sinks).toEqual(['webhook', 'rabbitmq']);
    expect(settings.EXPORT_RETRY_BACKOFF).toBe('fixed');
  });

  it('refuses bad values, naming the setting', () => {
    expect(() => loadSettings({ EXPORT_WEBHOOK_URL: 'ftp://lake.example/hook' })).toThrow(/EXPORT_WEBHOOK_URL must use http:\/\/ or https:\/\//);
    expect(() => loadSettings({ EXPORT_RETRY_BACKOFF: 'linear' })).toThrow(/EXPORT_RETRY_BACKOFF must be exponential or fixed, got 'linear'/);
    expect(() => loadSettings({ EXPORT_MAX_ATTEMPTS: '0' })).toThrow(/EXPORT_MAX_ATTEMPTS/);
    expect(() => exportSinkNames(loadSettings({ EXPORT_RABBITMQ_EXCHANGE: 'baton.events' }))).toThrow(/EXPORT_RABBITMQ_EXCHANGE needs RABBITMQ_URL/);
  });

  it('keeps the webhook secret out of printed settings', () => {
    const settings = loadSettings({ EXPORT_WEBHOOK_URL: 'https://lake.example/hook', EXPORT_WEBHOOK_SECRET: 'hunter2' });
    expect(JSON.stringify(settings)).not.toContain('hunter2');
  });
});
