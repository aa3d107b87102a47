// Viewer page: plays the node's live stream with mpegts.js over WebSocket-FLV (no 6-connections-per-host
// limit), shows live / reconnecting / offline, and fails over along the cluster's node list when the
// stream errors or stalls, resuming at the live edge. Plain browser script, served as is.
/* global document, window, mpegts */
'use strict';

const TICK_MS = 250;
const OFFLINE_RETRY_MS = 2000;
const LIVE_EDGE_S = 0.6;
const MAX_BEHIND_S = 2.5;

function el(id) {
  return document.getElementById(id);
}

function applyBrand(brand) {
  document.title = `${brand.name} — live`;
  el('brand-name').textContent = brand.name;
  el('brand-tagline').textContent = brand.tagline || '';
  const logo = el('brand-logo');
  logo.src = brand.logo;
  logo.alt = brand.name;
  const root = document.documentElement.style;
  for (const [key, value] of Object.entries(brand.colors)) {
    if (/^#[0-9a-fA-F]{3,6}$/.test(value)) root.setProperty(`--${key === 'background' ? 'bg' : key}`, value);
  }
}

/** This page's own origin first (it answered), then the rest of the cluster in configured order. */
function candidateNodes(configured, stream) {
  const own = window.location.origin;
  const list = configured.length ? configured.slice() : [own];
  const at = list.indexOf(own);
  const ordered = at >= 0 ? list.slice(at).concat(list.slice(0, at)) : [own].concat(list);
  return ordered.map((base) => ({ base, url: `${base.replace(/^http/, 'ws')}/live/${encodeURIComponent(stream)}.flv` }));
}

// ---- Stream time: which FLV timestamp is on screen ------------------------------------------------
// mpegts.js plays a live FLV stream from time 0: video.currentTime is (tag timestamp - base) / 1000.
// Its remuxer fixes base once, at the end of the first chunk that has complete frames after the
// sequence headers of every track the FLV header announces: the earliest first-audio or first-video
// frame timestamp seen by then. Cues are stamped in the node's FLV timeline, so the page
// follows the same rule on the same chunks (a custom loader around the WebSocket, like mpegts.js's
// own) and maps cue times onto video.currentTime.

const SNIFF_MAX_TAGS = 2000;
const SNIFF_MAX_BYTES = 8 * 1024 * 1024;

/** Reads FLV tag headers chunk by chunk, as mpegts.js's demuxer gets them, until base is known. */
function createFlvBaseSniffer(onBase) {
  const head = new Uint8Array(16);
  let have = 0;
  let want = 9; // the FLV header first
  let phase = 'header';
  let skip = 0;
  /** The tag whose body is being skipped: it counts once its last byte (and PreviousTagSize) is in. */
  let tag = null;
  let tags = 0;
  let bytes = 0;
  let expectAudio = true;
  let expectVideo = true;
  let audioConfig = false;
  let videoConfig = false;
  let firstAudio = null;
  let firstVideo = null;
  let done = false;

  function onTagComplete(t) {
    tags += 1;
    if (t.size < 2) return; // nothing mpegts.js would play
    if (t.type === 9) {
      const isExHeader = (t.b0 & 0x80) !== 0;
      const codec = t.b0 & 0x0f;
      // Enhanced FLV: PacketType 0 is the sequence start, 1 and 3 are frames. Legacy AVC/HEVC:
      // AVCPacketType 0 is the sequence header, 1 a frame, 2 the end of sequence.
      const packetType = isExHeader ? codec : t.b1;
      const hasConfig = isExHeader || codec === 7 || codec === 12;
      if (hasConfig && packetType === 0) videoConfig = true;
      else if (hasConfig ? packetType === 1 || (isExHeader && packetType === 3) : true) {
        if (!hasConfig) videoConfig = true;
        if (firstVideo === null) firstVideo = t.ts;
      }
    } else if (t.type === 8) {
      // AAC: AACPacketType 0 is the AudioSpecificConfig, 1 raw audio; other formats need no config.
      if (t.b0 >> 4 !== 10) {
        audioConfig = true;
        if (firstAudio === null) firstAudio = t.ts;
      } else if (t.b1 === 0) {
        audioConfig = true;
      } else if (firstAudio === null) {
        firstAudio = t.ts;
      }
    }
  }

  function endOfChunk() {
    const ready = (expectAudio || expectVideo) && (audioConfig || !expectAudio) && (videoConfig || !expectVideo);
    if (ready && (firstAudio !== null || firstVideo !== null)) {
      onBase(Math.min(firstAudio === null ? Infinity : firstAudio, firstVideo === null ? Infinity : firstVideo));
      done = true;
    } else if (tags >= SNIFF_MAX_TAGS || bytes > SNIFF_MAX_BYTES) {
      done = true; // not a stream this page can time: cues then show as they come
    }
  }

  return function feed(chunk) {
    if (done) return;
    const u8 = new Uint8Array(chunk);
    bytes += u8.length;
    let off = 0;
    while (off < u8.length) {
      if (skip > 0) {
        const n = Math.min(skip, u8.length - off);
        skip -= n;
        off += n;
        if (skip === 0 && tag) {
          onTagComplete(tag);
          tag = null;
        }
        continue;
      }
      const n = Math.min(want - have, u8.length - off);
      head.set(u8.subarray(off, off + n), have);
      have += n;
      off += n;
      if (have < want) break;
      if (phase === 'header') {
        if (head[0] !== 0x46 || head[1] !== 0x4c || head[2] !== 0x56) { done = true; return; }
        expectAudio = (head[4] & 4) !== 0;
        expectVideo = (head[4] & 1) !== 0;
        const dataOffset = ((head[5] << 24) | (head[6] << 16) | (head[7] << 8) | head[8]) >>> 0;
        skip = Math.max(0, dataOffset - 9) + 4; // the rest of the header, then PreviousTagSize0
        phase = 'tag';
        want = 11;
      } else if (phase === 'tag') {
        const size = (head[1] << 16) | (head[2] << 8) | head[3];
        const ts = ((head[7] << 24) | (head[4] << 16) | (head[5] << 8) | head[6]) >>> 0;
        tag = { type: head[0] & 0x1f, size, ts, b0: 0, b1: 0 };
        if (size >= 2) {
          phase = 'data';
          want = 13;
          continue; // keep the 11 header bytes, read the first two bytes of the body
        }
        skip = size + 4;
        want = 11;
      } else {
        tag.b0 = head[11];
        tag.b1 = head[12];
        skip = tag.size - 2 + 4;
        phase = 'tag';
        want = 11;
      }
      have = 0;
    }
    endOfChunk();
  };
}

// ---- Which tracks the stream has ---------------------------------------------------------------
// node-media-server's FLV header always announces audio and video, and mpegts.js, told so, waits for
// a video track an audio-only webcast never sends. The publisher's onMetaData says which codecs there
// are, so the page holds the first bytes until it has read that (or the first frame), and corrects
// the header's track flags before mpegts.js sees them.

const GATE_MAX_BYTES = 512 * 1024;
const GATE_MAX_TAGS = 16;

function hasAmfKey(body, key) {
  // An AMF0 object key: a 16-bit length, then the name.
  outer: for (let i = 0; i + key.length + 2 <= body.length; i++) {
    if (body[i] !== 0 || body[i + 1] !== key.length) continue;
    for (let j = 0; j < key.length; j++) if (body[i + 2 + j] !== key.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}

/** Track flags (4 audio, 1 video) from the stream's onMetaData, null if undecided, false to leave as is. */
function tracksFromHead(u8) {
  if (u8.length < 13) return null;
  if (u8[0] !== 0x46 || u8[1] !== 0x4c || u8[2] !== 0x56) return false;
  let off = (((u8[5] << 24) | (u8[6] << 16) | (u8[7] << 8) | u8[8]) >>> 0) + 4;
  for (let i = 0; i < GATE_MAX_TAGS; i++) {
    if (off + 11 > u8.length) return null;
    const type = u8[off] & 0x1f;
    const size = (u8[off + 1] << 16) | (u8[off + 2] << 8) | u8[off + 3];
    if (type !== 18) return false; // media before any metadata: nothing to go by
    if (off + 11 + size > u8.length) return null;
    const body = u8.subarray(off + 11, off + 11 + size);
    if (hasAmfKey(body, 'onMetaData')) {
      const audio = hasAmfKey(body, 'audiocodecid');
      const video = hasAmfKey(body, 'videocodecid');
      return audio || video ? (audio ? 4 : 0) | (video ? 1 : 0) : false;
    }
    off += 11 + size + 4;
  }
  return false;
}

/** Holds chunks until the track flags are known, then passes them on (the first one patched). */
function createTrackGate(pass) {
  let held = [];
  let heldBytes = 0;
  let open = false;
  return function feed(chunk) {
    if (open) return pass(chunk);
    held.push(new Uint8Array(chunk));
    heldBytes += chunk.byteLength;
    const all = new Uint8Array(heldBytes);
    let at = 0;
    for (const h of held) {
      all.set(h, at);
      at += h.length;
    }
    const flags = tracksFromHead(all);
    if (flags === null && heldBytes < GATE_MAX_BYTES) return undefined;
    if (typeof flags === 'number') all[4] = (all[4] & ~5) | flags;
    open = true;
    held = [];
    return pass(all.buffer);
  };
}

/** mpegts.js's WebSocket loader, with the track gate and the timestamp-base sniffer above. */
function timedWebSocketLoader(onBase) {
  const { BaseLoader, LoaderStatus, LoaderErrors } = mpegts;
  return class TimedWebSocketLoader extends BaseLoader {
    constructor() {
      super('tandem-websocket-loader');
      this._needStash = true;
      this._ws = null;
      this._requestAbort = false;
      this._receivedLength = 0;
      const sniff = createFlvBaseSniffer(onBase);
      this._feed = createTrackGate((chunk) => {
        sniff(chunk);
        const start = this._receivedLength;
        this._receivedLength += chunk.byteLength;
        if (this._onDataArrival) this._onDataArrival(chunk, start, this._receivedLength);
      });
    }

    destroy() {
      if (this._ws) this.abort();
      super.destroy();
    }

    open(dataSource) {
      try {
        const ws = new WebSocket(dataSource.url);
        this._ws = ws;
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => { this._status = LoaderStatus.kBuffering; };
        ws.onclose = () => {
          if (this._requestAbort) { this._requestAbort = false; return; }
          this._status = LoaderStatus.kComplete;
          if (this._onComplete) this._onComplete(0, this._receivedLength - 1);
        };
        ws.onmessage = (e) => {
          if (e.data instanceof ArrayBuffer) this._feed(e.data);
        };
        ws.onerror = () => {
          this._status = LoaderStatus.kError;
          if (this._onError) this._onError(LoaderErrors.EXCEPTION, { code: -1, msg: 'WebSocket error' });
        };
        this._status = LoaderStatus.kConnecting;
      } catch (e) {
        this._status = LoaderStatus.kError;
        if (this._onError) this._onError(LoaderErrors.EXCEPTION, { code: e.code, msg: e.message });
      }
    }

    abort() {
      const ws = this._ws;
      if (ws && (ws.readyState === 0 || ws.readyState === 1)) {
        this._requestAbort = true;
        ws.close();
      }
      this._ws = null;
      this._status = LoaderStatus.kComplete;
    }
  };
}

function createViewer(video, nodes, stallMs) {
  const status = el('status');
  let index = 0;
  let failedInRound = 0;
  /** Whether the current player has played at all. */
  let played = false;
  let player = null;
  let lastTime = null;
  let lastProgressAt = Date.now();
  let retryTimer = null;
  let switches = 0;
  /** The node being played and the FLV timestamp its player maps to time 0. */
  let playerTimeline = null;

  function setState(state, text) {
    if (status.dataset.state === state && status.textContent === text) return;
    status.dataset.state = state;
    status.textContent = text;
    document.documentElement.dataset.state = state;
  }

  function teardown() {
    playerTimeline = null;
    if (!player) return;
    const p = player;
    player = null;
    try { p.pause(); } catch { /* already stopped */ }
    try { p.unload(); } catch { /* already unloaded */ }
    try { p.detachMediaElement(); } catch { /* already detached */ }
    try { p.destroy(); } catch { /* already destroyed */ }
  }

  function connect() {
    teardown();
    clearTimeout(retryTimer);
    const node = nodes[index];
    document.documentElement.dataset.node = node.base;
    lastTime = null;
    played = false;
    lastProgressAt = Date.now();
    const timeline = { base: node.base, tsBase: null };
    const p = mpegts.createPlayer(
      // No hasAudio/hasVideo here: mpegts.js then takes them from the (corrected) FLV header.
      { type: 'flv', isLive: true, url: node.url },
      {
        enableWorker: false,
        enableStashBuffer: false,
        lazyLoad: false,
        autoCleanupSourceBuffer: true,
        liveBufferLatencyChasing: true,
        liveBufferLatencyMaxLatency: 1.5,
        liveBufferLatencyMinRemain: 0.3,
        customLoader: timedWebSocketLoader((ts) => { timeline.tsBase = ts; }),
      },
    );
    player = p;
    playerTimeline = timeline;
    p.on(mpegts.Events.ERROR, () => p === player && failover());
    // A live FLV stream that "completes" means the node closed it (grace expired, node stopping).
    p.on(mpegts.Events.LOADING_COMPLETE, () => p === player && failover());
    p.attachMediaElement(video);
    p.load();
    const playing = video.play();
    if (playing && playing.catch) playing.catch(() => undefined);
  }

  function failover() {
    teardown();
    switches += 1;
    // A player that was playing went away (its node stopped, or let it go for a new track layout):
    // try again at once, the same node if it is the only one; only failed attempts count.
    if (!played) failedInRound += 1;
    index = (index + 1) % nodes.length;
    document.documentElement.dataset.switches = String(switches);
    if (failedInRound >= nodes.length) {
      // Every node failed once in a row: say so, and keep trying at a calm pace.
      failedInRound = 0;
      setState('offline', 'Offline');
      retryTimer = setTimeout(connect, OFFLINE_RETRY_MS);
      return;
    }
    setState('reconnecting', 'Reconnecting…');
    connect();
  }

  function tick() {
    if (!player) return;
    const now = Date.now();
    const t = video.currentTime;
    // Progress is playback moving forward by about one tick; a bigger jump is a seek, not playing.
    if (lastTime !== null && t > lastTime + 0.01 && t - lastTime < 1.5) {
      lastProgressAt = now;
      failedInRound = 0;
      played = true;
      setState('live', 'Live');
    }
    lastTime = t;
    const b = video.buffered;
    if (b.length && b.end(b.length - 1) - t > MAX_BEHIND_S) video.currentTime = b.end(b.length - 1) - LIVE_EDGE_S;
    if (video.paused && b.length) {
      const playing = video.play();
      if (playing && playing.catch) playing.catch(() => undefined);
    }
    if (now - lastProgressAt > stallMs) failover();
  }

  return {
    start() {
      setState('reconnecting', 'Connecting…');
      connect();
      setInterval(tick, TICK_MS);
    },
    /** What is on screen: the node played and the FLV timestamp (ms) at the playback position, or null. */
    clock() {
      const t = playerTimeline;
      if (!t || t.tsBase === null || video.readyState < 2) return null;
      return { base: t.base, ms: t.tsBase + video.currentTime * 1000, playing: !video.paused };
    },
  };
}

// ---- Control plane (issue 4): banner, cues, Q&A over the node's /control WebSocket ----------------
// Every piece of user or presenter text reaches the DOM through textContent only.

const PROTOCOL_VERSION = 1;
const MAX_QUESTION_CHARS = 500;
const CONTROL_RETRY_MS = 1000;
/** How long a cue waits for the playing node's own stamp (after a failover) before it is shown anyway. */
const CUE_HOLD_MS = 5000;
const MAX_APPLIED_CUES = 500;
const MAX_CUE_LEAD_MS = 30_000;

function randomId(prefix) {
  const bytes = new Uint8Array(12);
  window.crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function voterId() {
  try {
    let id = window.localStorage.getItem('tandem-voter');
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = randomId('v-');
      window.localStorage.setItem('tandem-voter', id);
    }
    return id;
  } catch {
    return randomId('v-');
  }
}

function make(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function createInteraction(root, nodes, clock) {
  const voter = voterId();
  /** Asked but not yet acknowledged: re-sent (same id) after a reconnect or failover. */
  const pending = new Map();
  const voted = new Set();
  /** Cues not shown yet, by id (a replay from another node replaces the entry with its own stamp). */
  const pendingCues = new Map();
  const appliedCues = new Set();
  let cueTimer = null;
  let ws = null;
  let index = 0;
  let questions = [];

  const banner = make('p', { id: 'banner', class: 'banner', hidden: '' });
  const cue = make('p', { id: 'cue', class: 'cue', hidden: '', 'aria-live': 'polite' });
  const pinned = make('section', { id: 'qa-pinned', class: 'qa-pinned', hidden: '' });
  const heading = make('h2', {}, 'Questions');
  const form = make('form', { id: 'qa-form', class: 'qa-form' });
  const text = make('textarea', { id: 'qa-text', maxlength: String(MAX_QUESTION_CHARS), rows: '3', required: '', placeholder: 'Ask a question', 'aria-label': 'Your question' });
  const name = make('input', { id: 'qa-name', maxlength: '60', placeholder: 'Name (optional)', 'aria-label': 'Your name (optional)' });
  const submit = make('button', { type: 'submit' }, 'Ask');
  const note = make('p', { id: 'qa-note', class: 'qa-note', role: 'status' });
  form.append(text, name, submit, note);
  const list = make('ol', { id: 'qa-list', class: 'qa-list' });
  root.replaceChildren(banner, cue, pinned, heading, form, list);
  root.hidden = false;

  function send(m) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
  }

  function renderQuestion(q, tagName) {
    const li = make(tagName, { class: 'qa-item', 'data-id': q.id });
    if (q.pinned) li.classList.add('pinned');
    if (q.answered) li.classList.add('answered');
    li.append(make('p', { class: 'qa-text' }, q.text));
    const meta = make('p', { class: 'qa-meta' });
    meta.append(make('span', { class: 'qa-by' }, q.name ? q.name : 'Anonymous'));
    if (q.answered) meta.append(make('span', { class: 'qa-answered' }, 'Answered'));
    const vote = make('button', { type: 'button', class: 'qa-vote', 'aria-label': 'Upvote' }, `▲ ${Number(q.votes) || 0}`);
    if (voted.has(q.id)) vote.disabled = true;
    vote.addEventListener('click', () => {
      voted.add(q.id);
      vote.disabled = true;
      send({ type: 'qa.vote', questionId: q.id, voterId: voter });
    });
    meta.append(vote);
    li.append(meta);
    return li;
  }

  function render() {
    const pin = questions.find((q) => q.pinned);
    pinned.replaceChildren();
    pinned.hidden = !pin;
    if (pin) pinned.append(make('h2', {}, 'Pinned'), renderQuestion(pin, 'div'));
    list.replaceChildren(...questions.filter((q) => !q.pinned).map((q) => renderQuestion(q, 'li')));
  }

  function onSync(m) {
    if (m.name === 'banner' && m.slots.title) {
      const v = m.slots.title.value;
      banner.textContent = typeof v === 'string' ? v : '';
      banner.hidden = !banner.textContent;
    }
    if (m.name === 'qa' && m.slots.questions) {
      const v = m.slots.questions.value;
      questions = Array.isArray(v) ? v.filter((q) => q && typeof q.id === 'string' && typeof q.text === 'string') : [];
      render();
    }
  }

  // Cues: each node stamps a cue with its own FLV timeline (the engine maps stream time onto every
  // server's relay), so a cue is shown when this page's playback of that node reaches the stamp.
  // A cue from a node other than the one playing (the control session follows the player within a
  // second, and the new node replays its recent cues with its own stamps) waits for that replay.
  function onCue(c, base) {
    if (!c || typeof c.id !== 'string' || typeof c.streamTimeMs !== 'number' || appliedCues.has(c.id)) return;
    pendingCues.set(c.id, { c, base, receivedAt: Date.now() });
    applyCues();
  }

  function showCue(entry, at) {
    const { c } = entry;
    const d = c.data;
    cue.textContent = typeof d === 'string' ? d : d && typeof d.title === 'string' ? d.title : c.kind;
    cue.hidden = false;
    cue.dataset.cueId = c.id;
    cue.dataset.cueTs = String(c.streamTimeMs);
    cue.dataset.shownAtTs = at === null ? '' : String(Math.round(at));
    appliedCues.add(c.id);
    if (appliedCues.size > MAX_APPLIED_CUES) appliedCues.delete(appliedCues.values().next().value);
  }

  function applyCues() {
    clearTimeout(cueTimer);
    if (!pendingCues.size) return;
    const now = Date.now();
    const clk = clock();
    const due = [];
    let nextInMs = CUE_HOLD_MS;
    for (const [id, entry] of pendingCues) {
      let show = false;
      if (clk && clk.base === entry.base) {
        // Playing this cue's node: at its stamp. Paused (autoplay refused): now.
        // A stamp further ahead than any cue is sent for is not this timeline's: now as well.
        if (clk.ms >= entry.c.streamTimeMs || !clk.playing || entry.c.streamTimeMs - clk.ms > MAX_CUE_LEAD_MS) show = true;
        else nextInMs = Math.min(nextInMs, entry.c.streamTimeMs - clk.ms);
      } else if (now - entry.receivedAt >= CUE_HOLD_MS || !playerActive()) {
        // Nothing to play, or the playing node's own stamp never came: show it rather than never.
        show = true;
      } else {
        nextInMs = Math.min(nextInMs, entry.receivedAt + CUE_HOLD_MS - now);
      }
      if (show) {
        due.push(entry);
        pendingCues.delete(id);
      }
    }
    due.sort((a, b) => a.c.streamTimeMs - b.c.streamTimeMs);
    for (const entry of due) showCue(entry, clk && clk.base === entry.base ? clk.ms : null);
    if (pendingCues.size) cueTimer = setTimeout(applyCues, Math.max(10, Math.min(nextInMs, 250)));
  }

  /** False when the page plays nothing (offline, or a browser without MSE): cues show as they come. */
  function playerActive() {
    const state = document.documentElement.dataset.state;
    return state === 'live' || state === 'reconnecting';
  }

  function onMessage(m) {
    switch (m.type) {
      case 'welcome':
        root.dataset.controlNode = m.nodeId;
        for (const q of pending.values()) send(q);
        return;
      case 'so.sync':
        return onSync(m);
      case 'cue':
        return onCue(m.cue, ws && ws.base);
      case 'qa.asked':
        if (pending.delete(m.question.id)) note.textContent = 'Thanks, your question was sent.';
        return;
      case 'error':
        if (m.ref && pending.has(m.ref) && m.code !== 'rate-limited') pending.delete(m.ref);
        note.textContent = m.message;
        return;
      default:
    }
  }

  function connect() {
    const node = nodes[index % nodes.length];
    const sock = new WebSocket(`${node.base.replace(/^http/, 'ws')}/control`);
    sock.base = node.base;
    ws = sock;
    sock.onopen = () => sock.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'viewer' }));
    sock.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      if (m && typeof m.type === 'string') onMessage(m);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      delete root.dataset.controlNode;
      // Follow the cluster list like the player does: the next node, after a pause.
      index += 1;
      setTimeout(connect, CONTROL_RETRY_MS);
    };
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const t = text.value.trim();
    if (!t) return;
    const q = { type: 'qa.ask', id: randomId('q-'), text: t.slice(0, MAX_QUESTION_CHARS) };
    const n = name.value.trim();
    if (n) q.name = n.slice(0, 60);
    pending.set(q.id, q);
    note.textContent = 'Sending…';
    text.value = '';
    send(q);
  });

  // A browser cannot see WebSocket pings, so a frozen node would keep this session forever. The
  // player notices a stalled node and fails over: while it plays live, follow it to its node.
  function followPlayer() {
    const playing = document.documentElement.dataset.state === 'live' ? document.documentElement.dataset.node : null;
    if (!playing || !ws || ws.base === playing) return;
    const at = nodes.findIndex((n) => n.base === playing);
    if (at < 0) return;
    const old = ws;
    ws = null;
    old.onclose = null;
    old.close();
    delete root.dataset.controlNode;
    index = at;
    connect();
  }

  return {
    start() {
      connect();
      setInterval(applyCues, 1000);
      setInterval(followPlayer, 1000);
    },
  };
}

async function main() {
  const res = await fetch('/viewer-config.json', { cache: 'no-store' });
  const cfg = await res.json();
  applyBrand(cfg.brand);
  const video = el('video');
  const sound = el('sound');
  sound.addEventListener('click', () => {
    video.muted = !video.muted;
    sound.textContent = video.muted ? 'Sound on' : 'Mute';
  });
  const nodes = candidateNodes(cfg.nodes || [], cfg.stream);
  if (!window.mpegts || !mpegts.isSupported()) {
    createInteraction(el('interaction'), nodes, () => null).start();
    el('status').textContent = 'This browser cannot play the stream';
    el('status').dataset.state = 'offline';
    document.documentElement.dataset.state = 'offline';
    return;
  }
  const viewer = createViewer(video, nodes, cfg.stallMs || 3000);
  createInteraction(el('interaction'), nodes, () => viewer.clock()).start();
  viewer.start();
}

main().catch(() => {
  el('status').textContent = 'Offline';
  el('status').dataset.state = 'offline';
});
