import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The engine core and the DMN core stay pure: no framework, database, broker,
// cache or metrics client may be imported from libs/engine or libs/dmn.
const forbiddenInEngine = [
  '@nestjs/*',
  '@prisma/*',
  'prisma',
  'amqplib',
  'ioredis',
  'bullmq',
  'prom-client',
  'pg',
  'fs',
  'node:fs',
  'http',
  'node:http',
  'net',
  'node:net',
  'child_process',
  'node:child_process',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'tmp/**', '.baton/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Framework-free libraries: the apps and libs/host wrap them in Nest providers.
    files: ['libs/{runtime,bus,cache,config,store,metrics,support}/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*'] }],
    },
  },
  {
    // The cockpit runs in the browser (its own tsconfig has the DOM types) and talks to the API over HTTP only.
    files: ['apps/cockpit/**/*.{ts,tsx}'],
    ignores: ['apps/cockpit/vite.config.mts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', '@baton/*', '@nestjs/*'] }],
    },
  },
  {
    files: ['libs/engine/src/**/*.ts', 'libs/dmn/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInEngine }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The engine takes time from the event or the clock port.' },
        { object: 'Math', property: 'random', message: 'The engine takes ids from the id port.' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'The engine reads no environment.' }],
    },
  },
);
