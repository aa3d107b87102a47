// The viewer page's entry (bundled by scripts/build-viewer.ts into dist/viewer/viewer.js): reads the
// node's page config, brands the page, starts the player and the interaction region.
import './csp-safe-zod.js';
import mpegts from 'mpegts.js';
import { applyBrand } from './brand.js';
import { el } from './dom.js';
import { Interaction } from './interaction.js';
import { candidateNodes } from './nodes.js';
import { PAGE_CONFIG_PATH, pageConfigSchema } from './page-config.js';
import { Player } from './player.js';
import { setStatus } from './status.js';
import { WebcastPhase } from './webcast.js';

async function main(): Promise<void> {
  const res = await fetch(PAGE_CONFIG_PATH, { cache: 'no-store' });
  const cfg = pageConfigSchema.parse(await res.json());
  applyBrand(cfg.brand);
  const video = el<HTMLVideoElement>('video');
  const sound = el('sound');
  sound.addEventListener('click', () => {
    video.muted = !video.muted;
    sound.textContent = video.muted ? 'Sound on' : 'Mute';
  });
  const nodes = candidateNodes(window.location.origin, cfg.nodes, cfg.flvPath);
  const interaction = el('interaction');
  if (!mpegts.isSupported()) {
    const phase = new WebcastPhase(null);
    const i = new Interaction(interaction, nodes, () => null);
    i.onWebcast(({ webcast, base }) => phase.apply(webcast, base));
    i.start();
    setStatus('offline', 'This browser cannot play the stream');
    return;
  }
  const player = new Player(mpegts, video, nodes, cfg.stallMs);
  const phase = new WebcastPhase(player);
  const i = new Interaction(interaction, nodes, () => player.clock());
  i.onWebcast(({ webcast, base }) => phase.apply(webcast, base));
  i.start();
  player.start();
}

main().catch(() => setStatus('offline', 'Offline'));
