// Small named errors for the server node: each carries a code from a closed set and a human sentence.

export type NodeErrorCode = 'config' | 'weak-secret' | 'media-core' | 'brand' | 'listen';

export class NodeError extends Error {
  constructor(readonly code: NodeErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The configuration is missing something or has a value that cannot work. */
export class ConfigError extends NodeError {
  constructor(message: string) {
    super('config', message);
  }
}

/** The publish secret is absent, too short or a library default everyone knows. */
export class WeakSecretError extends NodeError {
  constructor(message: string) {
    super('weak-secret', message);
  }
}

/** The media core (node-media-server child) could not start or answer. */
export class MediaCoreError extends NodeError {
  constructor(message: string) {
    super('media-core', message);
  }
}

/** The brand file is unreadable or invalid. */
export class BrandError extends NodeError {
  constructor(message: string) {
    super('brand', message);
  }
}
