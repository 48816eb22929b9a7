// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // The domain is the functional core: it must not reach for frameworks or I/O.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['express', 'bullmq', 'ioredis', 'simple-git', 'nodemailer', '@slack/*', 'jenkins', 'pino*', 'node:*'], message: 'domain/ is plain TypeScript: put I/O behind a port.' },
          { group: ['../adapters/*', '../http/*', '../jobs/*', '../workflows/*', '../config/*'], message: 'domain/ imports nothing from the outer layers.' },
        ],
      }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
