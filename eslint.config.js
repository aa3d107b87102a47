// Lint keeps the architecture honest: folders are layers, and imports only point inward to common/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Only the Electron shell (main/*.ts) may import electron.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'test/artifacts/**', 'app/viewer/vendor/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/main/**', '**/app/**', '**/renderer/**'], message: 'common/ imports none of main/, app/, renderer/.' }],
      }],
    },
  },
  {
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/app/**', '**/renderer/**'], message: 'The engine talks to app/ and renderer/ only through common/.' }],
      }],
    },
  },
  {
    files: ['main/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        // Typed IPC only: raw channels live in the two wrappers (GitHub Desktop's rule).
        paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'Use the typed wrappers main/ipc-main.ts and main/preload.ts.' }],
        patterns: [{ group: ['**/app/**', '**/renderer/**'], message: 'main/ talks to app/ and renderer/ only through common/.' }],
      }],
    },
  },
  {
    // The two wrappers, and the composition root that hands ipcMain to its wrapper.
    files: ['main/ipc-main.ts', 'main/preload.ts', 'main/main.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/app/**', '**/renderer/**'], message: 'main/ talks to app/ and renderer/ only through common/.' }],
      }],
    },
  },
  {
    files: ['app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/main/**', '**/renderer/**'], message: 'app/ imports only common/.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/main/**', '**/app/**'], message: 'renderer/ reaches the engine only through the IPC contract in common/.' }],
      }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
);
