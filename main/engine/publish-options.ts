// What MultiConnection.connect and publish take.

export interface ConnectOptions {
  /** The seed's setup window. */
  timeoutMs?: number;
}

export interface PublishOptions {
  /** Refuse to go live unless every server was ready at setup. */
  requireAll?: boolean;
  /** Record what the encoder produces into this folder (Matroska), as the webcast runs. */
  recording?: { dir: string; baseName: string; minFreeBytes?: number };
}
