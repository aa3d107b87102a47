#!/usr/bin/env node
// Entry for `npx tandem`: runs the compiled CLI (main/cli/tandem-cli.ts, built by `npm run build`).
import { runCompiled } from './run-compiled.mjs';

await runCompiled('tandem', 'dist/cli/tandem.js');
