#!/usr/bin/env node
// Entry for `npx tandem-node`: runs the server node's TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';
register();
await import('../app/cli.ts');
