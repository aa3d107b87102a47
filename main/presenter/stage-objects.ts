// What viewers see beside the video, set by the presenter while live: shared objects (the banner,
// the slide title, any named slot) and cues stamped on the stream's timeline. Both go through the
// engine's control plane to every Tandem node, so both need a live session with a control session.
import type { Json } from '../../common/control-protocol.js';
import { Emitter } from '../../common/event.js';
import type { IDisposable } from '../../common/lifecycle.js';
import type { Logger } from '../engine/base/logger.js';
import { SharedObjectTooLargeError } from '../engine/control/control-plane.js';
import { HostError } from './host-error.js';
import type { LiveSession } from './live-session.js';
import { DOING, objectTooLarge } from './presenter-text.js';

export interface StageWrite {
  object: string;
  slot: string;
  changed: boolean;
}

export class StageObjects implements IDisposable {
  private readonly log: Logger;

  private readonly _onChange = new Emitter<string>();
  /** Fires with an object's name when a write changed it (the Q&A panel shows the banner and slide). */
  readonly onChange = this._onChange.event;

  constructor(
    private readonly session: Pick<LiveSession, 'current' | 'requireControl'>,
    logger: Logger,
  ) {
    this.log = logger.child({ part: 'stage' });
  }

  /** An object's `title` slot as viewers see it now, or '' (not live, unset, not text). */
  title(object: string): string {
    const v = this.session.current?.conn.control.getSo(object, 'title');
    return typeof v === 'string' ? v : '';
  }

  set(object: string, slot: string, value: Json): StageWrite {
    const control = this.session.requireControl(DOING.stage).control;
    let changed: boolean;
    try {
      changed = control.setSo(object, { [slot]: value }).length > 0;
    } catch (err) {
      if (err instanceof SharedObjectTooLargeError) throw new HostError('invalid-args', objectTooLarge(object));
      throw err;
    }
    this.log.info({ object, slot, changed }, 'shared object set');
    if (changed) this._onChange.fire(object);
    return { object, slot, changed };
  }

  /** A cue on the engine's clock; each node gets it stamped on its own timeline. */
  sendCue(name: string, payload: Json): { id: string; streamTimeMs: number } {
    const conn = this.session.requireControl(DOING.cues);
    const cue = conn.nsSend(name, payload);
    this.log.info({ cue: cue.id, kind: cue.kind, streamTimeMs: cue.streamTimeMs }, 'cue sent');
    return { id: cue.id, streamTimeMs: cue.streamTimeMs };
  }

  dispose(): void {
    this._onChange.dispose();
  }
}
