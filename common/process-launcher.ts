// How Tandem starts one of its own Node programs (the demo's nodes) as a process.
// Injected, because the right way depends on who asks: plain Node runs `process.execPath` on the
// module; the Electron app must use `utilityProcess.fork` (main/demo/utility-launcher.ts), since
// its binary runs as Node only through ELECTRON_RUN_AS_NODE, which the RunAsNode fuse turns off
// (and which would hand the child the app's camera and microphone permission on macOS).
import { spawn } from 'node:child_process';

export interface LaunchedProcess {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** Asks it to stop (SIGTERM); `force` kills it outright. */
  kill(force?: boolean): void;
  /** Once, when it has ended (the code, or null when killed by a signal or it never started). */
  onExit(listener: (code: number | null) => void): void;
  readonly exited: boolean;
}

export interface LaunchOptions {
  env: NodeJS.ProcessEnv;
  /** What the process is, for the OS's and Electron's process lists. */
  name: string;
}

export interface ProcessLauncher {
  /** `node-child-process` or `electron-utility-process`: which way processes are started. */
  readonly kind: string;
  launch(modulePath: string, args: readonly string[], o: LaunchOptions): LaunchedProcess;
}

/** The environment a launched program gets: never ELECTRON_RUN_AS_NODE, whatever we inherited. */
export function launchEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.ELECTRON_RUN_AS_NODE;
  return copy;
}

/**
 * Plain Node: `process.execPath` runs the module. Its stdin is a lifeline: it ends when this process
 * does, however it ends (even SIGKILL), and the program then stops (TANDEM_PARENT_STDIN). spawn, not
 * fork: inside Electron, fork would add ELECTRON_RUN_AS_NODE itself.
 */
export const nodeLauncher: ProcessLauncher = {
  kind: 'node-child-process',
  launch(modulePath, args, o) {
    const child = spawn(process.execPath, [modulePath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...launchEnv(o.env), TANDEM_PARENT_STDIN: '1' },
    });
    child.stdin.on('error', () => {}); // EPIPE once it has exited is expected, never fatal
    let exited = false;
    const listeners: ((code: number | null) => void)[] = [];
    const end = (code: number | null) => {
      if (exited) return;
      exited = true;
      for (const l of listeners.splice(0)) l(code);
    };
    child.once('exit', (code) => end(code));
    child.once('error', () => end(null));
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      kill: (force) => void child.kill(force ? 'SIGKILL' : 'SIGTERM'),
      onExit: (l) => (exited ? l(child.exitCode) : void listeners.push(l)),
      get exited() {
        return exited;
      },
    };
  },
};
