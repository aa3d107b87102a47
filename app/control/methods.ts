// Remote methods a presenter can call on a node: built-ins (ping, getStats) and operator methods
// from a plugin module named in the node's config (`controlPlugin`). A plugin's default export (or
// its `methods` export) maps method names to functions of (args, context) returning JSON.
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Json, NodeStats } from '../../common/control-protocol.js';
import { MAX_ID_CHARS } from '../../common/limits.js';
import { ConfigError } from '../errors.js';

export interface MethodContext {
  nodeId: string;
}
export type ControlMethod = (args: Json[], ctx: MethodContext) => Json | Promise<Json>;

/** What a presenter's `call` may name (the protocol's method names are ids), starting with a letter. */
const NAME = new RegExp(`^[A-Za-z][A-Za-z0-9_.]{0,${MAX_ID_CHARS - 1}}$`);

export async function loadPlugin(file: string): Promise<Record<string, ControlMethod>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`Cannot load control plugin ${file}: ${(err as Error).message}`);
  }
  const table = (mod.methods ?? mod.default) as unknown;
  if (typeof table !== 'object' || table === null) throw new ConfigError(`Control plugin ${file} must export an object of methods (default or "methods")`);
  const out: Record<string, ControlMethod> = {};
  for (const [name, fn] of Object.entries(table)) {
    if (!NAME.test(name) || typeof fn !== 'function') throw new ConfigError(`Control plugin ${file}: "${name}" is not a usable method`);
    out[name] = fn as ControlMethod;
  }
  return out;
}

export interface StatsSource {
  stats(): NodeStats;
}

export function builtinMethods(stats: StatsSource): Record<string, ControlMethod> {
  return {
    ping: () => ({ pong: Date.now() }),
    getStats: () => stats.stats() as unknown as Json,
  };
}
