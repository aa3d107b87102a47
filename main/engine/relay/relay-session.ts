// One publishing session of a relay: its publisher, its feed and what the relay tracks about it.
import type { RtmpPublisher } from '../rtmp/rtmp-publisher.js';
import type { AckLag } from './ack-lag.js';
import type { RelayFeed } from './relay-feed.js';
import type { SendProgress } from './send-progress.js';

export interface Session {
  pub: RtmpPublisher;
  startedAt: number;
  feed: RelayFeed;
  confirmed: boolean;
  progress: SendProgress;
  draining: boolean;
  pumpQueued: boolean;
  lag: AckLag;
}
