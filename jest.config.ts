import type { Config } from 'jest';

// swc strips types only; `tsc -b` is the type check. ESM-only packages (jose, ...) are transformed too.
const transform: Config['transform'] = {
  '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = [
  '/node_modules/(?!(\\.pnpm/)?(jose|@middy|fauxqs|p-limit|yocto-queue)[@+/])',
];
const resolver = '<rootDir>/tests/setup/resolver.cjs';

const config: Config = {
  // A global option: Jest ignores it inside a project. Integration tests wait on real queues and processes.
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/tests/setup/summary-reporter.cjs'],
  projects: [
    {
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{packages,services}/*/tests/unit/**/*.test.ts',
        '<rootDir>/packages/*/src/**/*.test.ts',
      ],
      transform,
      transformIgnorePatterns,
      resolver,
    },
    {
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{packages,services}/*/tests/integration/**/*.test.ts',
        '<rootDir>/tests/**/*.test.ts',
      ],
      transform,
      transformIgnorePatterns,
      resolver,
      globalSetup: '<rootDir>/tests/setup/global-setup.ts',
      globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
    },
  ],
};

export default config;
