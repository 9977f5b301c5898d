// One Jest configuration, two projects. bpmn-moddle, feelin and their
// dependencies ship ESM only; Jest's loader is CommonJS, so those packages are
// transformed by SWC like our own sources (transformIgnorePatterns below).
const esmPackages = [
  'bpmn-moddle',
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
  // NestJS 12 ships ESM only.
  '@nestjs',
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
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '^@baton/([a-z-]+)$': '<rootDir>/libs/$1/src',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,test,scripts,bench}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test,scripts,bench}/**/*.{int,e2e}-spec.ts'],
    },
  ],
};
