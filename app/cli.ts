// `tandem-node`: run a server node, start a local demo cluster, or print a signed publish URL (the
// commands are in app/commands.ts). This entry stays small and imports no package: when it is about
// to run a node, it forks the media core's process first, which loads node-media-server while this
// process loads the rest (so a node, a restarted cluster node above all, serves sooner).
import { forkMediaChildEarly } from './media/media-child-fork.js';

const argv = process.argv.slice(2);
// Read before anything is forked, and removed so that no child of ours takes it for its own.
const parentStdin = process.env.TANDEM_PARENT_STDIN === '1';
delete process.env.TANDEM_PARENT_STDIN;

const NOT_A_NODE = new Set(['cluster', 'sign', 'help', '--help', '-h']);
// A node whose media core runs in its own process (--media-in-process) starts no child at all.
const inProcess = argv.includes('--media-in-process') || ['1', 'true', 'yes'].includes(process.env.TANDEM_MEDIA_IN_PROCESS ?? '');
if (!NOT_A_NODE.has(argv[0] ?? '') && !inProcess) forkMediaChildEarly();

const { runCommand, runSpare } = await import('./commands.js');
if (argv[0] === 'spare') await runSpare({ parentStdin });
else await runCommand(argv, { parentStdin });
