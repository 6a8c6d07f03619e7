import { ConfigError } from '../errors.js';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` in every string of the parsed YAML with the environment variable's value, so a job
 * file can keep secrets out of itself. An unset variable is an error naming the key, never an empty string.
 */
export function interpolateEnv(node: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof node === 'string') {
    return node.replace(ENV_REF, (_m, name: string) => {
      const value = env[name];
      if (value === undefined) {
        throw new ConfigError(
          `${path.join('.') || 'job file'} refers to \${${name}}, but the environment variable ${name} is not set: export it before running sluice.`,
        );
      }
      return value;
    });
  }
  if (Array.isArray(node)) return node.map((v, i) => interpolateEnv(v, env, [...path, String(i)]));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateEnv(v, env, [...path, k]);
    return out;
  }
  return node;
}
