// One Jest configuration, two projects. bpmn-moddle, feelin and their
// dependencies ship ESM only; Jest's loader is CommonJS, so those packages are
// transformed by SWC like our own sources (transformIgnorePatterns below).
const esmPackages = [
  'bpmn-moddle',
  'dmn-moddle',
  'moddle',
  'moddle-xml',
  'saxen',
  'min-dash',
  'feelin',
  'lezer-feel',
  '@lezer',
  'temporal-polyfill',
  'temporal-utils',
  'uuid',
  'jose',
  // NestJS 12 ships ESM only.
  '@nestjs',
  // PGlite's CommonJS build loads fs, zlib and its WebAssembly through dynamic import(), which
  // Jest's module loader refuses without --experimental-vm-modules; SWC turns them into require().
  '@electric-sql',
];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '^@baton/([a-z-]+)$': '<rootDir>/libs/$1/src',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testEnvironment: 'node',
};

// Every in-memory PGlite the suites open (the embedded project opens one per app) would run
// Postgres' initdb in WebAssembly, 5-10 s each; with this directory set, the first one migrated
// is dumped there and the others start from it in about a second (libs/store/src/pglite/memory-template.ts).
process.env.PGLITE_TEMPLATE_DIR ??= require('node:path').join(require('node:os').tmpdir(), 'baton-pglite-templates');

module.exports = {
  // Integration suites use real Postgres, RabbitMQ and Redis: a fresh schema or a broker round trip
  // can take seconds on a loaded machine (Jest reads this only at the top level, not per project).
  // Tests and hooks that need longer say so.
  testTimeout: 30_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,test,scripts,bench,loadtest}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test,scripts,bench}/**/*.{int,e2e}-spec.ts'],
    },
    {
      // The REST e2e suites again, on the embedded composition `npm start` runs (API + worker on
      // one host, PGlite): their `./api-harness` import is mapped to the embedded harness.
      ...shared,
      displayName: 'embedded',
      testMatch: ['<rootDir>/apps/api/test/*.e2e-spec.ts'],
      // RabbitMQ and Redis per se, and Postgres schemas: nothing embedded about them. The HTTP layer
      // alone (the OpenAPI document, security headers, CORS and rate limits, /me and ETags) is the
      // same code in both: `npm start`'s app is createApiApp with the worker added (apps/baton).
      testPathIgnorePatterns: [
        '/node_modules/',
        '/adapters\\.e2e-spec\\.ts$',
        '/outages\\.e2e-spec\\.ts$',
        '/openapi\\.e2e-spec\\.ts$',
        '/security\\.e2e-spec\\.ts$',
        '/auth-rate-limit\\.e2e-spec\\.ts$',
        '/cockpit-support\\.e2e-spec\\.ts$',
      ],
      moduleNameMapper: {
        ...shared.moduleNameMapper,
        '^\\./api-harness$': '<rootDir>/apps/baton/test/embedded-api-harness.ts',
      },
    },
  ],
};
