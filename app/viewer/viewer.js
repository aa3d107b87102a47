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
    el('status').textContent = 'This browser cannot play the stream';
    el('status').dataset.state = 'offline';
    return;
  }
  createViewer(video, candidateNodes(cfg.nodes || [], cfg.stream), cfg.stallMs || 3000).start();
}

main().catch(() => {
  el('status').textContent = 'Offline';
  el('status').dataset.state = 'offline';
});
