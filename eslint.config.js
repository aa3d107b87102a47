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
    // The presenter layer is plain Node: browser mode and every test run it without Electron (whose
    // binary may not even be installed), so an electron import here would break both.
    files: ['main/presenter/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'main/presenter/ is plain Node (browser mode and tests run it without Electron): take what you need from Electron through a constructor argument the shell passes.' }],
        patterns: [
          { group: ['**/app/**', '**/renderer/**'], message: 'The presenter layer talks to app/ and renderer/ only through common/.' },
          {
            // From main/presenter/: ../browser/… is browser mode, ../<file> is the Electron shell (main/*.ts).
            regex: '^\\.\\./(browser/|[^/]+$)',
            message: 'The presenter layer is assembled by the Electron shell (main/*.ts) and browser mode (main/browser/); it imports neither, so both can build the same one.',
          },
        ],
      }],
    },
  },
  {
    // Browser mode (`tandem studio`) and the demo launcher run in plain Node; the Electron shell is
    // the only code that may load Electron or its shell modules.
    files: ['main/browser/**/*.ts', 'main/demo/**/*.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'main/browser/, main/demo/ and main/cli/ run in plain Node (tandem studio, tandem live, tests): only the Electron shell (main/*.ts) may import electron.' }],
        patterns: [
          { group: ['**/app/**', '**/renderer/**'], message: 'main/ talks to app/ and renderer/ only through common/.' },
          { regex: '^\\.\\./[^/]+$', message: 'Browser mode and the demo launcher do not import the Electron shell (main/*.ts): they assemble the presenter layer (main/presenter/) themselves.' },
        ],
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
