// A node's configuration: defaults, then a JSON file, then TANDEM_* environment, then flags.
// Everything is parsed with zod so an operator gets one clear sentence per mistake.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { INSTALL_ROOT } from '../common/install-layout.js';
import { ID_PATTERN, MAX_ID_CHARS, MAX_TOKEN_CHARS, MIN_TOKEN_CHARS, STREAM_NAME_PATTERN } from '../common/limits.js';
import { SECRET_ADVICE, secretWeakness } from '../common/secret-strength.js';
import { ConfigError } from './errors.js';
import { assertUsableSecret } from './secret-check.js';

export const DEFAULT_BRAND_FILE = path.join(INSTALL_ROOT, 'assets/brand/brand.json');

/** A whole number from flags, environment or the file, with one sentence whatever is wrong with it. */
function wholeNumber(min: number, max: number, say = `must be a whole number from ${min} to ${max}`) {
  return z.coerce.number({ error: say }).int(say).min(min, say).max(max, say);
}
const port = wholeNumber(1, 65535, 'Ports are 1–65535');
const boolish = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) =>
  typeof v === 'boolean' ? v : ['1', 'true', 'yes'].includes(v),
);
const nodeUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && (u.pathname === '/' || u.pathname === '');
    } catch {
      return false;
    }
  }, 'Cluster nodes are base URLs like http://10.0.0.5:8080')
  .transform((s) => s.replace(/\/+$/, ''));

export const nodeConfigSchema = z
  .object({
    nodeId: z.string().regex(ID_PATTERN, `Node ids are 1–${MAX_ID_CHARS} letters, digits, _ . or -`).default('node-1'),
    /** Address of the public listeners (HTTP and RTMP). */
    host: z.string().min(1).default('0.0.0.0'),
    httpPort: port.default(8080),
    rtmpPort: port.default(1935),
    rtmpsPort: port.optional(),
    /** PEM key and certificate: the HTTP port then also speaks HTTPS/WSS, and rtmpsPort (if set) RTMPS. */
    tlsKeyFile: z.string().min(1).optional(),
    tlsCertFile: z.string().min(1).optional(),
    secret: z.string().optional(),
    /** The stream the viewer page plays. */
    stream: z.string().regex(STREAM_NAME_PATTERN, `Stream names are 1–${MAX_ID_CHARS} letters, digits, _ or -`).default('main'),
    /** How long viewers stay connected while no publisher sends media. */
    graceMs: wholeNumber(1000, 3_600_000, 'must be a whole number of milliseconds from 1000 to 3600000').default(30_000),
    /** A signed new publisher replaces one that has sent nothing for this long. */
    takeoverIdleMs: wholeNumber(500, 60_000, 'must be a whole number of milliseconds from 500 to 60000').default(2_000),
    /**
     * node-media-server in the node's own process instead of a child: the node starts no process at
     * all (a packaged app's demo nodes, which cannot run its binary as Node). No restart: a media core
     * that fails leaves the node up but not ready, saying why.
     */
    mediaInProcess: boolish.default(false),
    /** /readyz answers ready only while the configured stream is live. */
    readyRequiresLive: boolish.default(false),
    brandFile: z.string().min(1).default(DEFAULT_BRAND_FILE),
    /** Every node's public base URL, this one included; the viewer page fails over along this list. */
    cluster: z.array(nodeUrl).max(64).default([]),
    /** Presenter token for the control plane (/control); without one, only viewers can connect. */
    controlToken: z
      .string()
      .trim()
      .min(MIN_TOKEN_CHARS, `The control token is too short: use at least ${MIN_TOKEN_CHARS} characters (\`openssl rand -hex 32\`)`)
      .max(MAX_TOKEN_CHARS, `The control token is too long: use at most ${MAX_TOKEN_CHARS} characters`)
      .refine((t) => t.length < MIN_TOKEN_CHARS || secretWeakness(t) === null, {
        error: (i) => `The control token is too weak: ${secretWeakness(String(i.input))}; ${SECRET_ADVICE}`,
      })
      .optional(),
    /** Where the control plane keeps shared objects and the Q&A log; in memory only when unset. */
    controlDir: z.string().min(1).optional(),
    /** A module exporting operator methods callable through the control plane. */
    controlPlugin: z.string().min(1).optional(),
    /**
     * Load balancers whose X-Forwarded-For names the client (app/control/client-address.ts); from
     * anyone else the header is ignored and the socket's address counts.
     */
    trustedProxies: z.array(z.string().trim().refine((a) => isIP(a) !== 0, 'Trusted proxies are IP addresses like 127.0.0.1')).max(64).default([]),
    /**
     * Per client address (on top of each connection's own limits). A webinar's office or a campus
     * behind one NAT shares one address: 20 viewers' control connections, 10 questions and 60 votes a
     * minute leave them room, while one script can neither hold the node's sockets nor fill its
     * 10,000 questions (that takes one address 1,000 minutes).
     */
    maxConnectionsPerAddress: wholeNumber(1, 100_000).default(20),
    questionsPerAddressPerMin: wholeNumber(1, 10_000).default(10),
    votesPerAddressPerMin: wholeNumber(1, 100_000).default(60),
    /** A socket that has not completed the RTMP handshake (C0–C2) by then is cut. */
    rtmpHandshakeTimeoutMs: wholeNumber(100, 60_000, 'must be a whole number of milliseconds from 100 to 60000').default(5_000),
    /** An HTTP request whose headers have not all arrived by then is cut (half-sent requests hold no socket). */
    httpHeadersTimeoutMs: wholeNumber(100, 120_000, 'must be a whole number of milliseconds from 100 to 120000').default(10_000),
    /** Open RTMP(S) connections the node accepts (publishers: a few per presenter). */
    maxRtmpConnections: wholeNumber(1, 100_000).default(200),
    /** Open HTTP connections (each viewer holds one stream and one control socket). */
    maxHttpConnections: wholeNumber(1, 1_000_000).default(20_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.rtmpsPort !== undefined && (!c.tlsKeyFile || !c.tlsCertFile)) {
      ctx.addIssue({ code: 'custom', path: ['rtmpsPort'], message: 'RTMPS needs both tlsKeyFile and tlsCertFile' });
    }
    // A key and certificate alone serve https:// and wss:// on the HTTP port (app/http/front-door.ts).
    if (Boolean(c.tlsKeyFile) !== Boolean(c.tlsCertFile)) {
      ctx.addIssue({ code: 'custom', path: [c.tlsKeyFile ? 'tlsCertFile' : 'tlsKeyFile'], message: 'TLS needs both a key (--tls-key) and a certificate (--tls-cert)' });
    }
    const ports = [c.httpPort, c.rtmpPort, c.rtmpsPort].filter((p) => p !== undefined);
    if (new Set(ports).size !== ports.length) {
      ctx.addIssue({ code: 'custom', path: ['httpPort'], message: 'httpPort, rtmpPort and rtmpsPort must differ' });
    }
  });

export type NodeConfigInput = z.input<typeof nodeConfigSchema>;
export type NodeConfig = z.output<typeof nodeConfigSchema> & { secret: string };

const ENV: Record<string, keyof NodeConfigInput> = {
  TANDEM_NODE_ID: 'nodeId',
  TANDEM_HOST: 'host',
  TANDEM_HTTP_PORT: 'httpPort',
  TANDEM_RTMP_PORT: 'rtmpPort',
  TANDEM_RTMPS_PORT: 'rtmpsPort',
  TANDEM_TLS_KEY: 'tlsKeyFile',
  TANDEM_TLS_CERT: 'tlsCertFile',
  TANDEM_SECRET: 'secret',
  TANDEM_STREAM: 'stream',
  TANDEM_GRACE_MS: 'graceMs',
  TANDEM_TAKEOVER_IDLE_MS: 'takeoverIdleMs',
  TANDEM_READY_REQUIRES_LIVE: 'readyRequiresLive',
  TANDEM_MEDIA_IN_PROCESS: 'mediaInProcess',
  TANDEM_BRAND: 'brandFile',
  TANDEM_CLUSTER: 'cluster',
  TANDEM_LOG_LEVEL: 'logLevel',
  TANDEM_CONTROL_TOKEN: 'controlToken',
  TANDEM_CONTROL_DIR: 'controlDir',
  TANDEM_CONTROL_PLUGIN: 'controlPlugin',
  TANDEM_TRUSTED_PROXY: 'trustedProxies',
  TANDEM_RTMP_HANDSHAKE_TIMEOUT_MS: 'rtmpHandshakeTimeoutMs',
  TANDEM_HTTP_HEADERS_TIMEOUT_MS: 'httpHeadersTimeoutMs',
  TANDEM_MAX_RTMP_CONNECTIONS: 'maxRtmpConnections',
  TANDEM_MAX_HTTP_CONNECTIONS: 'maxHttpConnections',
  TANDEM_MAX_CONNECTIONS_PER_ADDRESS: 'maxConnectionsPerAddress',
  TANDEM_QUESTIONS_PER_ADDRESS_PER_MIN: 'questionsPerAddressPerMin',
  TANDEM_VOTES_PER_ADDRESS_PER_MIN: 'votesPerAddressPerMin',
};

/** Flag name → config key; flags win over everything. The secret has no flag: argv is visible in `ps`. */
const FLAGS: Record<string, keyof NodeConfigInput> = {
  'node-id': 'nodeId',
  host: 'host',
  'http-port': 'httpPort',
  'rtmp-port': 'rtmpPort',
  'rtmps-port': 'rtmpsPort',
  'tls-key': 'tlsKeyFile',
  'tls-cert': 'tlsCertFile',
  stream: 'stream',
  'grace-ms': 'graceMs',
  'takeover-idle-ms': 'takeoverIdleMs',
  brand: 'brandFile',
  cluster: 'cluster',
  'log-level': 'logLevel',
  'control-dir': 'controlDir',
  'control-plugin': 'controlPlugin',
  'trusted-proxy': 'trustedProxies',
  'rtmp-handshake-timeout-ms': 'rtmpHandshakeTimeoutMs',
  'http-headers-timeout-ms': 'httpHeadersTimeoutMs',
  'max-rtmp-connections': 'maxRtmpConnections',
  'max-http-connections': 'maxHttpConnections',
  'max-connections-per-address': 'maxConnectionsPerAddress',
  'questions-per-address-per-min': 'questionsPerAddressPerMin',
  'votes-per-address-per-min': 'votesPerAddressPerMin',
};

/** Keys given as comma-separated lists in the environment and flags. */
const LIST_KEYS = new Set<keyof NodeConfigInput>(['cluster', 'trustedProxies']);

export const nodeFlagOptions = {
  config: { type: 'string' },
  'secret-file': { type: 'string' },
  'control-token-file': { type: 'string' },
  'ready-requires-live': { type: 'boolean' },
  'media-in-process': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: 'string' }])),
} as const satisfies NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function splitList(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'this user may not read it' : code === 'EISDIR' ? 'it is a folder, not a file' : (code ?? String(err));
    throw new ConfigError(`Cannot read ${what} ${file}: ${why}`);
  }
}

export function formatZodError(err: z.ZodError, source: string): string {
  return err.issues
    .map((i) => `${source}: ${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`)
    .join('\n');
}

export interface LoadConfigInput {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Builds and validates the node's config; throws ConfigError or WeakSecretError with clear messages. */
export function loadNodeConfig({ argv, env, cwd = process.cwd() }: LoadConfigInput): NodeConfig {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: nodeFlagOptions, strict: true, allowPositionals: false });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const merged: Record<string, unknown> = {};

  const file = typeof flags.config === 'string' ? flags.config : env.TANDEM_CONFIG;
  if (file) {
    const abs = path.resolve(cwd, file);
    let json: unknown;
    let text = '';
    try {
      text = readText(abs, 'config file');
      json = JSON.parse(text);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      // Never echo the parser's message: it quotes the text around the error, which may be the secret.
      throw new ConfigError(`Config file ${abs} is not valid JSON${jsonErrorWhere(text, err)}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ConfigError(`Config file ${abs} must hold a JSON object`);
    }
    Object.assign(merged, json);
    // Relative paths in the file are relative to the file, as operators expect.
    for (const k of ['brandFile', 'tlsKeyFile', 'tlsCertFile', 'controlDir', 'controlPlugin'] as const) {
      if (typeof merged[k] === 'string') merged[k] = path.resolve(path.dirname(abs), merged[k] as string);
    }
  }
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    merged[key] = LIST_KEYS.has(key) ? splitList(v) : v;
  }
  for (const [flag, key] of Object.entries(FLAGS)) {
    const v = flags[flag];
    if (typeof v !== 'string') continue;
    merged[key] = LIST_KEYS.has(key) ? splitList(v) : v;
    if (key === 'brandFile' || key === 'tlsKeyFile' || key === 'tlsCertFile' || key === 'controlDir' || key === 'controlPlugin') merged[key] = path.resolve(cwd, v);
  }
  if (flags['ready-requires-live'] === true) merged.readyRequiresLive = true;
  if (flags['media-in-process'] === true) merged.mediaInProcess = true;
  const secretFile = typeof flags['secret-file'] === 'string' ? flags['secret-file'] : env.TANDEM_SECRET_FILE;
  if (secretFile) merged.secret = readText(path.resolve(cwd, secretFile), 'secret file').trim();
  const tokenFile = typeof flags['control-token-file'] === 'string' ? flags['control-token-file'] : env.TANDEM_CONTROL_TOKEN_FILE;
  if (tokenFile) merged.controlToken = readText(path.resolve(cwd, tokenFile), 'control token file').trim();

  const result = nodeConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(formatZodError(result.error, 'config'));
  assertUsableSecret(result.data.secret);
  return { ...result.data, secret: result.data.secret };
}

/** The key and certificate files read once at start, or a ConfigError naming what could not be read. */
export function readTlsPair(c: Pick<NodeConfig, 'tlsKeyFile' | 'tlsCertFile'>): { key: Buffer; cert: Buffer } | null {
  if (!c.tlsKeyFile || !c.tlsCertFile) return null;
  const pair = { key: Buffer.from(readText(c.tlsKeyFile, 'TLS key')), cert: Buffer.from(readText(c.tlsCertFile, 'TLS certificate')) };
  try {
    createSecureContext(pair);
  } catch (err) {
    // OpenSSL's reason (e.g. "key values mismatch"), never the files' content.
    throw new ConfigError(`The TLS key ${c.tlsKeyFile} and certificate ${c.tlsCertFile} cannot be used: ${(err as Error).message}`);
  }
  return pair;
}

/** " (line L, column C)" for a JSON.parse error, from its position only. */
function jsonErrorWhere(text: string, err: unknown): string {
  const pos = /position (\d+)/.exec((err as Error).message ?? '');
  if (!pos) return '';
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}
