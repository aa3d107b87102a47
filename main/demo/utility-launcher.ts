// The Electron shell's process launcher: Electron's `utilityProcess.fork`, which runs a Node module
// in a child of the app without ELECTRON_RUN_AS_NODE (off by fuse in electron-builder.yml). The
// shell (main/main.ts) passes Electron's utilityProcess in; this module never loads electron, so
// tests load it with a stand-in.
import { launchEnv, type LaunchedProcess, type ProcessLauncher } from '../../common/process-launcher.js';

/** The part of Electron's `utilityProcess` used here. */
export interface UtilityProcessApi {
  fork(modulePath: string, args?: string[], options?: { env?: Record<string, string>; stdio?: 'pipe'; serviceName?: string }): UtilityChild;
}

export interface UtilityChild {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(): boolean;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

export function utilityProcessLauncher(api: UtilityProcessApi): ProcessLauncher {
  return {
    kind: 'electron-utility-process',
    launch(modulePath, args, o): LaunchedProcess {
      // No lifeline on stdin (a utility process has none): Electron ends its utility processes with the app.
      const env = Object.fromEntries(Object.entries(launchEnv(o.env)).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'TANDEM_PARENT_STDIN'));
      const child = api.fork(modulePath, [...args], { env, stdio: 'pipe', serviceName: o.name });
      let exited = false;
      let exitCode: number | null = null;
      const listeners: ((code: number | null) => void)[] = [];
      child.once('exit', (code) => {
        exited = true;
        exitCode = code;
        for (const l of listeners.splice(0)) l(code);
      });
      return {
        stdout: child.stdout,
        stderr: child.stderr,
        // Electron sends SIGTERM on POSIX; there is no stronger kill to ask for.
        kill: () => void child.kill(),
        onExit: (l) => (exited ? l(exitCode) : void listeners.push(l)),
        get exited() {
          return exited;
        },
      };
    },
  };
}
