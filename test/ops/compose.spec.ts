import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings, SETTING_NAMES } from '@baton/config';
import { VariableLimits } from '@baton/runtime';
import { ROOT, repoText, repoYaml } from './ops-files';

// No Docker engine runs where the tests run: these checks read the deployment
// files and hold them to each other and to the code (settings, entry points, ports).

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: string; memory?: string } } };
  volumes?: string[];
  configs?: { source: string; target: string }[];
  expose?: string[];
}
interface Compose {
  services: Record<string, Service>;
  configs?: Record<string, { content?: string; file?: string }>;
}

const compose = repoYaml<Compose>('docker-compose.scale.yml');
const services = compose.services;
const pkg = JSON.parse(repoText('package.json')) as { scripts: Record<string, string> };

/** Services that run the Baton image and read Baton's settings. */
const BATON = ['migrate', 'api', 'worker'] as const;
/** Read by scripts/db/migrate.mjs besides DATABASE_URL (README "Operate"). */
const MIGRATE_EXTRAS = ['DATABASE_SCHEMA'];

/** `${NAME:-default}` as Compose expands it when NAME is unset. */
const withDefaults = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const envOf = (name: string) =>
  Object.fromEntries(
    Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, withDefaults(String(v))]),
  );

describe('docker-compose.scale.yml', () => {
  it('has the services of the scaled deployment (README "Scale out")', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'grafana',
        'migrate',
        'nginx',
        'postgres',
        'prometheus',
        'rabbitmq',
        'redis',
        'worker',
      ].sort(),
    );
  });

  it('runs 3 workers and 2+ API replicas, each capped at 1 CPU and 1 GiB', () => {
    expect(services.worker.deploy?.replicas).toBe(3);
    expect(services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const name of ['api', 'worker']) {
      expect(services[name].deploy?.resources?.limits).toEqual({ cpus: '1', memory: '1G' });
    }
  });

  it('has a healthcheck on every long-running service', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') continue;
      expect({ name, healthcheck: (service.healthcheck?.test?.length ?? 0) > 1 }).toEqual({
        name,
        healthcheck: true,
      });
    }
  });

  it('starts a service only after what it needs is healthy (and migrations have run)', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(services)).toContain(dependency);
        if (dependency === 'migrate') {
          expect({ name, dependency, condition }).toEqual({
            name,
            dependency,
            condition: 'service_completed_successfully',
          });
        } else {
          expect({ name, dependency, condition }).toEqual({
            name,
            dependency,
            condition: 'service_healthy',
          });
          expect(services[dependency].healthcheck).toBeDefined();
        }
      }
    }
    for (const name of ['api', 'worker']) {
      expect(Object.keys(services[name].depends_on ?? {}).sort()).toEqual([
        'migrate',
        'postgres',
        'rabbitmq',
        'redis',
      ]);
    }
    expect(Object.keys(services.nginx.depends_on ?? {})).toEqual(['api']);
  });

  it('sets only settings Baton reads, and values it accepts', () => {
    for (const name of BATON) {
      const allowed = new Set<string>([
        ...SETTING_NAMES,
        ...(name === 'migrate' ? MIGRATE_EXTRAS : []),
      ]);
      const unknown = Object.keys(services[name].environment ?? {}).filter(
        (key) => !allowed.has(key),
      );
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
    for (const name of ['api', 'worker']) {
      const settings = loadSettings(envOf(name));
      // Distributed mode: every adapter on its server.
      expect(settings.DATABASE_URL).toMatch(/^postgresql:\/\/.+@postgres:5432\//);
      expect(settings.REDIS_URL).toBe('redis://redis:6379');
      expect(settings.RABBITMQ_URL).toMatch(/@rabbitmq:5672$/);
    }
    expect(envOf('migrate').DATABASE_URL).toBe(envOf('api').DATABASE_URL);
    // The same settings everywhere, but for the port each listens on.
    const { PORT: _port, ...shared } = envOf('api');
    expect(envOf('worker')).toEqual({ ...shared, METRICS_PORT: '9464' });
  });

  it('runs the entry points the build produces, from one image', () => {
    const script = (name: string) => pkg.scripts[name].split(' ');
    expect(services.api.command).toEqual(script('start:api'));
    expect(services.worker.command).toEqual(script('start:worker'));
    expect(services.migrate.command).toEqual(['node', 'scripts/db/migrate.mjs']);
    expect(new Set(BATON.map((name) => services[name].image)).size).toBe(1);
    expect(services.migrate.build).toBeDefined();
    expect(repoText('Dockerfile')).toContain(
      `CMD ${JSON.stringify(script('start:api')).replace(/,/g, ', ')}`,
    );
  });

  it('enables the RabbitMQ management and Prometheus plugins', () => {
    const plugins = services.rabbitmq.configs?.find(
      (c) => c.target === '/etc/rabbitmq/enabled_plugins',
    );
    const content = compose.configs?.[plugins?.source ?? '']?.content ?? '';
    expect(content).toMatch(/^\[.*\brabbitmq_management\b.*\]\.\s*$/);
    expect(content).toMatch(/\brabbitmq_prometheus\b/);
  });

  it('mounts files that exist in the repository', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source.startsWith('./'))
          expect({ volume, exists: existsSync(join(ROOT, source)) }).toEqual({
            volume,
            exists: true,
          });
      }
    }
  });
});

describe('prometheus/prometheus.yml', () => {
  interface ScrapeConfig {
    job_name: string;
    metrics_path?: string;
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
    static_configs?: { targets: string[] }[];
  }
  const prometheus = repoYaml<{ rule_files: string[]; scrape_configs: ScrapeConfig[] }>(
    'prometheus/prometheus.yml',
  );
  const job = (name: string) => prometheus.scrape_configs.find((c) => c.job_name === name);

  it('finds API and worker replicas through DNS, on the ports they listen on', () => {
    expect(job('api')?.dns_sd_configs).toEqual([
      expect.objectContaining({ names: ['api'], type: 'A', port: loadSettings(envOf('api')).PORT }),
    ]);
    expect(job('worker')?.dns_sd_configs).toEqual([
      expect.objectContaining({
        names: ['worker'],
        type: 'A',
        port: loadSettings(envOf('worker')).METRICS_PORT,
      }),
    ]);
    expect(job('api')?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job('worker')?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job('rabbitmq')?.static_configs?.[0].targets).toEqual(['rabbitmq:15692']);
  });

  it('loads the alert rules from where compose mounts them', () => {
    expect(services.prometheus.volumes).toContain('./prometheus:/etc/prometheus:ro');
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(existsSync(join(ROOT, 'prometheus/alerts.yml'))).toBe(true);
  });
});

describe('grafana provisioning', () => {
  const datasources = repoYaml<{ datasources: { uid: string; type: string; url: string }[] }>(
    'grafana/provisioning/datasources/prometheus.yml',
  );
  const providers = repoYaml<{ providers: { options: { path: string } }[] }>(
    'grafana/provisioning/dashboards/baton.yml',
  );
  const dashboard = JSON.parse(repoText('grafana/dashboards/baton.json')) as {
    uid: string;
    panels: {
      title: string;
      datasource?: { uid: string };
      targets?: { datasource?: { uid: string } }[];
    }[];
  };

  it('points the datasource at the compose Prometheus and the provider at the mounted dashboards', () => {
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://prometheus:9090',
      }),
    ]);
    const mount = services.grafana.volumes?.find((v) => v.startsWith('./grafana/dashboards:'));
    expect(mount?.split(':')[1]).toBe(providers.providers[0].options.path);
    expect(services.grafana.volumes).toContain(
      './grafana/provisioning:/etc/grafana/provisioning:ro',
    );
  });

  it('uses that datasource in every panel', () => {
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? [])
        expect({ panel: panel.title, uid: target.datasource?.uid }).toEqual({
          panel: panel.title,
          uid: 'prometheus',
        });
    }
  });
});

describe('nginx/nginx.conf', () => {
  const conf = repoText('nginx/nginx.conf');

  it('balances over the api service with least_conn and keep-alive connections', () => {
    const upstream = /upstream baton_api \{([^}]*)\}/.exec(conf)?.[1] ?? '';
    expect(upstream).toMatch(/^\s*least_conn;/m);
    expect(upstream).toMatch(/^\s*keepalive \d+;/m);
    expect(upstream).toContain(`server api:${loadSettings(envOf('api')).PORT} `);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/proxy_set_header Connection "";/);
  });

  it('accepts bodies the API accepts, and not much more', () => {
    const settings = loadSettings(envOf('api'));
    const apiLimit = new VariableLimits({
      maxVariableSize: settings.MAX_VARIABLE_SIZE,
      maxTotalVariables: settings.MAX_TOTAL_VARIABLES,
    }).maxBodyBytes;
    const [, size, unit] = /client_max_body_size (\d+)([km]?);/.exec(conf) ?? [];
    const bytes = Number(size) * (unit === 'm' ? 1 << 20 : unit === 'k' ? 1 << 10 : 1);
    expect(bytes).toBeGreaterThanOrEqual(apiLimit);
    expect(bytes).toBeLessThanOrEqual(apiLimit + (1 << 20));
  });

  it('rate-limits with 429 + Retry-After, hides /metrics, logs JSON with upstream timing', () => {
    expect(conf).toMatch(/limit_req_zone .* zone=\w+:\d+m rate=\d+r\/s;/);
    expect(conf).toMatch(/limit_req_status 429;/);
    expect(conf).toMatch(
      /location @too_many_requests \{[^}]*add_header Retry-After \d+ always;[^}]*return 429/,
    );
    expect(conf).toMatch(/location = \/metrics \{\s*return 404;/);
    expect(conf).toMatch(/log_format \w+ escape=json/);
    expect(conf).toContain('$upstream_response_time');
    expect(conf).toMatch(/^\s*gzip on;/m);
    expect(conf).toMatch(/proxy_read_timeout \d+s;/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = repoText('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and runs as a non-root user in a slim last stage with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const last = stages[stages.length - 1];
    expect(last).toMatch(/^USER (node|\d+)/m);
    expect(last).not.toMatch(/npm ci(?! --omit=dev)/);
    expect(last).toMatch(/COPY .*prisma/);
    expect(last).toMatch(/COPY .*scripts\/db/);
  });

  it('keeps local state out of the build context', () => {
    const ignored = repoText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', 'libs/store/src/generated'])
      expect(ignored).toContain(entry);
  });
});
