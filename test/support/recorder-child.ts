// A presenter app reduced to its recording: encodes the test pattern and records it, printing the
// recorder's status as JSON lines; then stops normally or dies by SIGKILL, as the test asks.
//   node --import tsx test/support/recorder-child.ts <dir> <seconds> <minFreeBytes> <stop|kill>
import { silentLogger } from '../../main/engine/base/logger.js';
import { Encoder } from '../../main/engine/encoder/encoder.js';
import { sourceSpecSchema } from '../../main/engine/encoder/source.js';
import { findFfmpeg } from '../../main/engine/ffmpeg/find-ffmpeg.js';
import { Recorder } from '../../main/engine/recording/recorder.js';

const [dir, seconds, minFree, mode] = process.argv.slice(2);
const ffmpegPath = findFfmpeg();
const rec = new Recorder({ dir: dir!, baseName: 'webcast', ffmpegPath, logger: silentLogger, minFreeBytes: Number(minFree), checkEveryMs: 200 });
rec.onStatus((s) => console.log(JSON.stringify({ status: s })));
const enc = new Encoder(sourceSpecSchema.parse({ kind: 'test', width: 640, height: 360, fps: 25, videoKbps: 4000, preset: 'ultrafast' }), ffmpegPath, silentLogger);
let tags = 0;
enc.onHeader((h) => rec.onHeader(h));
enc.onTag((t) => {
  tags++;
  rec.onTag(t);
  if (t.timestamp >= Number(seconds) * 1000) finish();
});
enc.start();
let done = false;
function finish(): void {
  if (done) return;
  done = true;
  console.log(JSON.stringify({ tags, recorded: rec.status().durationMs }));
  if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
  void Promise.all([rec.stop(), enc.stop()]).then(() => process.exit(0));
}
