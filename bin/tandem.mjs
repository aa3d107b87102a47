#!/usr/bin/env node
// Entry for `npx tandem`: runs the TypeScript CLI through tsx, so no build step is needed in a checkout.
import { register } from 'tsx/esm/api';
register();
await import('../main/engine/cli/tandem-cli.ts');
