import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['eslint.config.js', 'node_modules/', '.serverless/', '.esbuild/', '.local-data/', 'coverage/', 'test/bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // The console's build script and serverless-esbuild's plugins file are plain CommonJS.
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['local/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Layering (ARCHITECTURE.md): no import cycles, type-only imports included.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The domain is pure: nothing outside shared/domain, no AWS or Lambda.
    files: ['shared/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*', '../../*'], message: 'shared/domain imports nothing outside itself.' },
            { group: ['@aws-sdk/*', 'aws-lambda', '@middy/*', '@aws-lambda-powertools/*'], message: 'shared/domain never uses AWS or Lambda.' },
          ],
        },
      ],
    },
  },
  {
    // Services take ports (declared in shared/services) and never import what implements them.
    files: ['shared/services/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/*', '**/adapters/**'], message: 'Services import ports (shared/services/*Port*.ts), not adapters.' },
            { group: ['**/wiring/*', '**/functions/*', '**/http/*', '**/local/*'], message: 'Services do not depend on wiring, HTTP or entry points.' },
            { group: ['@aws-sdk/*', 'aws-lambda', '@middy/*'], message: 'Services reach AWS through ports.' },
          ],
        },
      ],
    },
  },
);
