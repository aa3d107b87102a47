// The environment variables that carry secrets, and an environment without them for child
// processes: the media child gets its secret over IPC when configured, so it has no reason to
// inherit the publish secret or the presenter token (/proc/<pid>/environ is readable by the same
// user, and crash reporters and debuggers dump it). Imports nothing: the media child is forked
// before the node loads its modules.

export const SECRET_ENV_VARS = ['TANDEM_SECRET', 'TANDEM_CONTROL_TOKEN'] as const;

export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of SECRET_ENV_VARS) delete out[name];
  return out;
}
