import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ErrorCode } from '../errors.js';
import { ConfigError } from './config-error.js';
import { ConfigSchema, crossReferenceIssues, type VigilConfig } from './config-schema.js';
import { EnvSchema, type VigilEnv } from './env-schema.js';

export { ConfigError };

export interface LoadedConfig {
  config: VigilConfig;
  env: VigilEnv;
  configPath: string;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
  });
}

export function parseEnv(env: NodeJS.ProcessEnv = process.env): VigilEnv {
  const result = EnvSchema.safeParse(env);
  if (!result.success) throw new ConfigError(ErrorCode.ConfigInvalid, 'environment', formatIssues(result.error.issues));
  return result.data;
}

/** Validates a YAML text; `source` names it in errors (the file path). */
export function parseConfigText(text: string, source: string): VigilConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      ErrorCode.ConfigInvalid,
      source,
      doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  // zod skips whole-file checks once a field is invalid; run them anyway so every problem is listed.
  const problems = formatIssues(result.error.issues);
  for (const issue of crossReferenceIssues(raw)) {
    const line = `${issue.path.map(String).join('.')}: ${issue.message}`;
    if (!problems.includes(line)) problems.push(line);
  }
  throw new ConfigError(ErrorCode.ConfigInvalid, source, problems);
}

/** Reads VIGIL_CONFIG (default ./vigil.yaml) and validates it with the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const parsedEnv = parseEnv(env);
  const configPath = parsedEnv.VIGIL_CONFIG;
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new ConfigError(ErrorCode.ConfigMissing, configPath, [
      `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? 'error'}); set VIGIL_CONFIG or copy vigil.example.yaml to ./vigil.yaml`,
    ]);
  }
  return { config: parseConfigText(text, configPath), env: parsedEnv, configPath };
}

/** The secrets the bot needs to talk to Slack in the configured mode; lists every missing one. */
export interface SlackSecrets {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
}

/** How to get each secret, for the error that lists the missing ones. */
const SLACK_SECRET_HINTS = {
  SLACK_BOT_TOKEN: 'required (the xoxb- bot token from OAuth & Permissions)',
  SLACK_SIGNING_SECRET: 'required in HTTP mode (Basic Information → Signing Secret)',
  SLACK_APP_TOKEN: 'required in Socket Mode (an xapp- token with connections:write)',
} as const;

export type SlackSecretName = keyof typeof SLACK_SECRET_HINTS;

/** The environment variables a Slack mode needs: the one rule requireSlackSecrets enforces. */
export function slackSecretNames(mode: VigilConfig['slack']['mode']): SlackSecretName[] {
  return mode === 'http' ? ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] : ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN'];
}

export function requireSlackSecrets(config: VigilConfig, env: VigilEnv): SlackSecrets {
  const missing = slackSecretNames(config.slack.mode)
    .filter((name) => !env[name])
    .map((name) => `${name}: ${SLACK_SECRET_HINTS[name]}`);
  if (missing.length > 0 || !env.SLACK_BOT_TOKEN)
    throw new ConfigError(ErrorCode.SecretsMissing, 'environment', missing);
  return {
    botToken: env.SLACK_BOT_TOKEN,
    ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
    ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
    ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
  };
}
