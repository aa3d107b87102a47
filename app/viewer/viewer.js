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

function createViewer(video, nodes, stallMs) {
  const status = el('status');
  let index = 0;
  let failedInRound = 0;
  let player = null;
  let lastTime = null;
  let lastProgressAt = Date.now();
  let retryTimer = null;
  let switches = 0;

  function setState(state, text) {
    if (status.dataset.state === state && status.textContent === text) return;
    status.dataset.state = state;
    status.textContent = text;
    document.documentElement.dataset.state = state;
  }

  function teardown() {
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
    lastProgressAt = Date.now();
    const p = mpegts.createPlayer(
      { type: 'flv', isLive: true, hasAudio: true, hasVideo: true, url: node.url },
      {
        enableWorker: false,
        enableStashBuffer: false,
        lazyLoad: false,
        autoCleanupSourceBuffer: true,
        liveBufferLatencyChasing: true,
        liveBufferLatencyMaxLatency: 1.5,
        liveBufferLatencyMinRemain: 0.3,
      },
    );
    player = p;
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
    failedInRound += 1;
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
  };
}

// ---- Control plane (issue 4): banner, cues, Q&A over the node's /control WebSocket ----------------
// Every piece of user or presenter text reaches the DOM through textContent only.

const PROTOCOL_VERSION = 1;
const MAX_QUESTION_CHARS = 500;
const CONTROL_RETRY_MS = 1000;

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

function createInteraction(root, video, nodes) {
  const voter = voterId();
  /** Asked but not yet acknowledged: re-sent (same id) after a reconnect or failover. */
  const pending = new Map();
  const voted = new Set();
  const pendingCues = [];
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

  // A cue was stamped with the stream time when sent; it arrives about when that time reaches the
  // live edge of this page's buffer, so it is shown when playback reaches the buffered end seen then.
  function onCue(c) {
    const b = video.buffered;
    const playing = !video.paused && b.length > 0;
    pendingCues.push({ c, at: playing ? b.end(b.length - 1) : -1 });
    applyCues();
  }

  function applyCues() {
    while (pendingCues.length && (pendingCues[0].at < 0 || video.currentTime >= pendingCues[0].at || video.paused)) {
      const { c } = pendingCues.shift();
      const d = c.data;
      cue.textContent = typeof d === 'string' ? d : d && typeof d.title === 'string' ? d.title : c.kind;
      cue.hidden = false;
      cue.dataset.cueId = c.id;
    }
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
        return onCue(m.cue);
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
      setInterval(applyCues, 100);
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
  if (!window.mpegts || !mpegts.isSupported()) {
    createInteraction(el('interaction'), video, candidateNodes(cfg.nodes || [], cfg.stream)).start();
    el('status').textContent = 'This browser cannot play the stream';
    el('status').dataset.state = 'offline';
    return;
  }
  const nodes = candidateNodes(cfg.nodes || [], cfg.stream);
  createInteraction(el('interaction'), video, nodes).start();
  createViewer(video, nodes, cfg.stallMs || 3000).start();
}

main().catch(() => {
  el('status').textContent = 'Offline';
  el('status').dataset.state = 'offline';
});
