#!/usr/bin/env node
// Entry for `npx tandem-node`: runs the compiled server node (app/cli.ts, built by `npm run build`).
import { runCompiled } from './run-compiled.mjs';

await runCompiled('tandem-node', 'dist/app/cli.js');
