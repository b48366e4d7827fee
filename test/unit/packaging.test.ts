/**
 * Packaging artefacts that nothing else executes: the example config, the Slack app manifest, the
 * Kubernetes manifests and the Dockerfile. These tests keep them valid as the code evolves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigSchema } from '../../src/config/config-schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks a path of keys and indexes, failing the test with the path when something is missing. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) throw new Error(`expected an array before [${key}] in ${path.join('.')}`);
      current = current[key];
    } else {
      if (!isObj(current)) throw new Error(`expected an object before "${key}" in ${path.join('.')}`);
      current = current[key];
    }
  }
  return current;
}

function obj(value: unknown, ...path: (string | number)[]): Obj {
  const found = at(value, ...path);
  if (!isObj(found)) throw new Error(`expected an object at ${path.join('.')}`);
  return found;
}

function arr(value: unknown, ...path: (string | number)[]): unknown[] {
  const found = at(value, ...path);
  if (!Array.isArray(found)) throw new Error(`expected an array at ${path.join('.')}`);
  return found;
}

function str(value: unknown, ...path: (string | number)[]): string {
  const found = at(value, ...path);
  if (typeof found !== 'string') throw new Error(`expected a string at ${path.join('.')}`);
  return found;
}

const manifestFiles = readdirSync(`${root}manifests`)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

/** Every document of every manifests/*.yaml file, by file name (kustomization included). */
const manifestDocs = new Map<string, unknown[]>(
  manifestFiles.map((file) => {
    const docs = parseAllDocuments(read(`manifests/${file}`));
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`manifests/${file}: ${doc.errors[0]?.message}`);
    }
    return [file, docs.map((doc) => doc.toJS() as unknown)];
  }),
);

const kustomization = obj(manifestDocs.get('kustomization.yaml')?.[0]);

/** The files `kubectl apply -k manifests/` applies as they are (kustomization.yaml `resources`). */
const resourceFiles = arr(kustomization, 'resources').map(String);

/** Every Kubernetes object those files hold: what reaches the cluster besides generated objects. */
const resourceDocs = resourceFiles.flatMap((file) => manifestDocs.get(file) ?? []);

function resourceOfKind(kind: string): Obj {
  const found = resourceDocs.filter((doc) => isObj(doc) && doc.kind === kind);
  expect(found, `exactly one ${kind} in kustomization.yaml resources`).toHaveLength(1);
  return obj(found[0]);
}

function deploymentContainer(): Obj {
  return obj(resourceOfKind('Deployment'), 'spec', 'template', 'spec', 'containers', 0);
}

/** The configMapGenerator entry behind the Deployment's config volume. */
function configGenerator(): Obj {
  const pod = obj(resourceOfKind('Deployment'), 'spec', 'template', 'spec');
  const volume = arr(pod, 'volumes').find((v) => isObj(v) && isObj(v.configMap));
  const name = str(volume, 'configMap', 'name');
  const generators = arr(kustomization, 'configMapGenerator').filter((g) => str(g, 'name') === name);
  expect(generators, `one configMapGenerator named ${name}`).toHaveLength(1);
  return obj(generators[0]);
}

/** The one file the generator reads (`files: [vigil.yaml]`: key and file name are the same). */
function configGeneratorFile(): string {
  const files = arr(configGenerator(), 'files').map(String);
  expect(files).toHaveLength(1);
  return files[0] as string;
}

function exampleConfig(): Obj {
  return obj(parse(read('vigil.example.yaml')));
}

function configMapConfig(): Obj {
  return obj(parse(read(`manifests/${configGeneratorFile()}`)));
}

describe('vigil.example.yaml', () => {
  it('validates against ConfigSchema', () => {
    const result = ConfigSchema.safeParse(exampleConfig());
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('describes the example shop with the three core signals', () => {
    const config = ConfigSchema.parse(exampleConfig());
    expect(Object.keys(config.teams).sort()).toEqual(['checkout', 'payments', 'platform']);
    expect(config.services.length).toBeGreaterThanOrEqual(4);
    expect(config.services.every((s) => s.namespace === 'shop')).toBe(true);
    expect(config.signals.map((s) => s.name)).toEqual(['latency_p99', 'error_rate', 'request_rate']);
    expect(config.slack.mode).toBe('socket');
    expect(config.signals.some((s) => s.query.includes('{{step}}'))).toBe(false);
  });
});

describe("manifests/vigil.yaml (the ConfigMap's content)", () => {
  it('embeds a vigil.yaml that validates against ConfigSchema', () => {
    const result = ConfigSchema.safeParse(configMapConfig());
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('equals vigil.example.yaml except slack.mode, which is socket', () => {
    const fromConfigMap = configMapConfig();
    const example = exampleConfig();
    expect(str(fromConfigMap, 'slack', 'mode')).toBe('socket');
    delete obj(fromConfigMap, 'slack').mode;
    delete obj(example, 'slack').mode;
    expect(fromConfigMap).toEqual(example);
  });
});

describe('slack-app-manifest.yml', () => {
  const manifest = obj(parse(read('slack-app-manifest.yml')));
  const httpUrl = /^https?:\/\//;

  it('has a display name of 1-35 characters', () => {
    const name = str(manifest, 'display_information', 'name');
    expect(name.length).toBeGreaterThanOrEqual(1);
    expect(name.length).toBeLessThanOrEqual(35);
  });

  it('declares valid slash commands including /vigil', () => {
    const commands = arr(manifest, 'features', 'slash_commands');
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const name = str(command, 'command');
      expect(name).toMatch(/^\//);
      expect(name.length).toBeGreaterThanOrEqual(2);
      expect(name.length).toBeLessThanOrEqual(32);
      expect(str(command, 'description').length).toBeGreaterThan(0);
      const url = at(command, 'url');
      if (url !== undefined) expect(url).toMatch(httpUrl);
    }
    expect(commands.map((c) => str(c, 'command'))).toContain('/vigil');
  });

  it('has valid settings', () => {
    expect(at(manifest, 'settings', 'interactivity', 'is_enabled')).toBe(true);
    expect(typeof at(manifest, 'settings', 'socket_mode_enabled')).toBe('boolean');
    expect(str(manifest, 'settings', 'interactivity', 'request_url')).toMatch(httpUrl);
    expect(str(manifest, 'settings', 'event_subscriptions', 'request_url')).toMatch(httpUrl);
    expect(arr(manifest, 'settings', 'event_subscriptions', 'bot_events')).toEqual(
      expect.arrayContaining(['reaction_added', 'reaction_removed']),
    );
  });

  it('requests the bot scopes Vigil needs', () => {
    expect(arr(manifest, 'oauth_config', 'scopes', 'bot')).toEqual(
      expect.arrayContaining([
        'chat:write',
        'chat:write.public',
        'commands',
        'reactions:read',
        'usergroups:read',
        // Joining public channels (reactions arrive only from those), finding channel ids by name, and
        // finding an unanswered post in the channel's history.
        'channels:join',
        'channels:read',
        'groups:read',
        'channels:history',
        'groups:history',
      ]),
    );
  });
});

describe('manifests/', () => {
  it('contains only parseable YAML objects', () => {
    expect(manifestFiles.length).toBeGreaterThan(0);
    for (const [file, docs] of manifestDocs) {
      expect(docs.length, file).toBeGreaterThan(0);
      for (const doc of docs) expect(isObj(doc), file).toBe(true);
    }
  });

  it('runs one non-root pod with Recreate, probes, limits and the PVC', () => {
    const deployment = resourceOfKind('Deployment');
    const pvcName = str(resourceOfKind('PersistentVolumeClaim'), 'metadata', 'name');
    const pod = obj(deployment, 'spec', 'template', 'spec');
    const container = obj(pod, 'containers', 0);

    expect(at(deployment, 'spec', 'replicas')).toBe(1);
    expect(at(deployment, 'spec', 'strategy', 'type')).toBe('Recreate');
    expect(at(pod, 'securityContext', 'runAsNonRoot')).toBe(true);
    expect(at(container, 'securityContext', 'readOnlyRootFilesystem')).toBe(true);
    expect(at(container, 'securityContext', 'allowPrivilegeEscalation')).toBe(false);
    expect(str(container, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
    expect(str(container, 'readinessProbe', 'httpGet', 'path')).toBe('/ready');
    expect(at(container, 'resources', 'limits', 'cpu')).toBeDefined();
    expect(at(container, 'resources', 'limits', 'memory')).toBeDefined();
    // The heap is capped below the pod's memory limit (V8 would size it from the node's memory).
    const nodeOptions = arr(container, 'env').find((e) => str(e, 'name') === 'NODE_OPTIONS');
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(str(nodeOptions, 'value'))?.[1]);
    const limitMi = Number(/^(\d+)Mi$/.exec(str(container, 'resources', 'limits', 'memory'))?.[1]);
    expect(heapMb).toBeGreaterThan(0);
    expect(heapMb).toBeLessThan(limitMi / 2);

    const volumes = arr(pod, 'volumes');
    const pvcVolume = volumes.find(
      (v) => isObj(v) && isObj(v.persistentVolumeClaim) && v.persistentVolumeClaim.claimName === pvcName,
    );
    expect(pvcVolume, `a volume using claim ${pvcName}`).toBeDefined();
    const pvcVolumeName = str(pvcVolume, 'name');
    const mounts = arr(container, 'volumeMounts');
    expect(mounts.some((m) => str(m, 'name') === pvcVolumeName)).toBe(true);
  });

  it("keeps Slack's traffic reaching the pod while /ready reports a stale cycle or an unwritable database", () => {
    expect(at(resourceOfKind('Service'), 'spec', 'publishNotReadyAddresses')).toBe(true);
  });

  it('grants the service account exactly what the Kubernetes actions need, only in the configured namespaces', () => {
    const docs = resourceDocs;
    const roles = docs.filter((d) => str(d, 'kind') === 'Role');
    const bindings = docs.filter((d) => str(d, 'kind') === 'RoleBinding');
    expect(docs.some((d) => /^Cluster/.test(str(d, 'kind')))).toBe(false);
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(arr(role, 'rules')).toEqual([
        { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['patch'] },
      ]);
    }
    const allowed = ConfigSchema.parse(configMapConfig()).remediation.kubernetes.namespaces;
    const pod = obj(resourceOfKind('Deployment'), 'spec', 'template', 'spec');
    const account = str(pod, 'serviceAccountName');
    expect(str(resourceOfKind('ServiceAccount'), 'metadata', 'name')).toBe(account);
    expect(bindings.map((b) => str(b, 'metadata', 'namespace')).sort()).toEqual([...allowed].sort());
    for (const binding of bindings) {
      expect(str(binding, 'roleRef', 'kind')).toBe('Role');
      expect(arr(binding, 'subjects')).toEqual([{ kind: 'ServiceAccount', name: account, namespace: 'vigil' }]);
    }
  });

  it('kustomization.yaml applies every manifest but the Secret example and the ConfigMap source', () => {
    const generated = arr(kustomization, 'configMapGenerator').flatMap((g) => arr(g, 'files').map(String));
    const notApplied = ['kustomization.yaml', 'secret.example.yaml', ...generated];
    expect([...resourceFiles].sort()).toEqual(manifestFiles.filter((f) => !notApplied.includes(f)));
  });

  it('never applies a Secret, so the real one created out of band is not overwritten', () => {
    expect(resourceDocs.filter((doc) => isObj(doc) && doc.kind === 'Secret')).toEqual([]);
    expect(at(kustomization, 'secretGenerator')).toBeUndefined();

    // The example shows the keys of the Secret the Deployment loads, and the README how to create it.
    const secretName = str(deploymentContainer(), 'envFrom', 0, 'secretRef', 'name');
    const example = obj(manifestDocs.get('secret.example.yaml')?.[0]);
    expect(str(example, 'kind')).toBe('Secret');
    expect(str(example, 'metadata', 'name')).toBe(secretName);
    expect(Object.keys(obj(example, 'stringData'))).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN']));
    expect(read('README.md')).toContain(`kubectl -n vigil create secret generic ${secretName}`);
  });

  it('generates the ConfigMap with a content hash in its name, so a config change rolls the pod', () => {
    expect(resourceDocs.filter((doc) => isObj(doc) && doc.kind === 'ConfigMap')).toEqual([]);
    const generator = configGenerator();
    expect(str(generator, 'namespace')).toBe(str(resourceOfKind('Deployment'), 'metadata', 'namespace'));
    // A suffix-free name would leave the pod template unchanged when the config changes.
    for (const options of [generator.options, kustomization.generatorOptions]) {
      expect(isObj(options) ? options.disableNameSuffixHash : undefined).not.toBe(true);
    }

    // The file's name is the ConfigMap key, mounted where VIGIL_CONFIG points.
    const container = deploymentContainer();
    const mount = arr(container, 'volumeMounts').find((m) => str(m, 'mountPath') === '/etc/vigil');
    expect(mount, 'the config volume mounted at /etc/vigil').toBeDefined();
    const vigilConfig = arr(container, 'env').find((e) => str(e, 'name') === 'VIGIL_CONFIG');
    expect(str(vigilConfig, 'value')).toBe(`/etc/vigil/${configGeneratorFile()}`);
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const lastFrom = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  const finalStage = lines.slice(lastFrom);

  it('builds the final stage on node:24', () => {
    expect(lastFrom).toBeGreaterThanOrEqual(0);
    expect(finalStage[0]).toMatch(/^FROM\s+node:24[\w.-]*(\s|$)/i);
  });

  it('runs the final stage as a non-root user', () => {
    const users = finalStage.filter((line) => /^USER\s/i.test(line));
    expect(users.length).toBeGreaterThan(0);
    const user = users
      .at(-1)
      ?.replace(/^USER\s+/i, '')
      .split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });
});

describe("README's two commands", () => {
  const readme = read('README.md');
  const section = readme.slice(
    readme.indexOf('## Two commands'),
    readme.indexOf('\n## ', readme.indexOf('## Two commands') + 1),
  );
  const commands = [...section.matchAll(/```sh\n([^`]+)```/g)].map((m) => (m[1] ?? '').trim());
  const ciLines = read('.ci/run')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('set up through scripts/setup.sh, which needs no sudo as root, and CI runs the same test command', () => {
    expect(commands).toEqual([
      'bash scripts/setup.sh --build-tools && npm run demo',
      'bash scripts/setup.sh && npm test',
    ]);
    expect(ciLines).toContain('bash scripts/setup.sh');
    expect(ciLines.some((line) => /^npm test\b/.test(line))).toBe(true);
    // Everything CI installs, it installs through the script, so the README's command installs it too.
    expect(ciLines.some((line) => /apt-get|npm ci/.test(line))).toBe(false);
  });
});
