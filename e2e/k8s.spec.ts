// The Kubernetes manifests are tested offline: rendered like `kubectl apply -k k8s/`, every object
// validated against Kubernetes' own schemas (or a registered custom-resource validator), the
// wiring cross-checked (labels, ports, probes, config and secret references), and each service
// started in production mode with exactly the environment its Deployment gives it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, serverUrl, testDatabasePrefix } from '@puente/testing';
import { type K8sObject, kustomizationDirs, renderKustomization, validateObject } from './kustomize';

jest.setTimeout(120_000);

const root = join(__dirname, '..');
const k8s = join(root, 'k8s');
const SERVICES = readdirSync(join(root, 'services'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const PROBE_ROUTES = ['/health/live', '/health/serving'];

/** Values for the secret keys a Deployment names (the real ones come from the node's secret store). */
const kek = `k8s-test:${randomBytes(32).toString('base64')}`;
const SECRET_PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: serverUrl(),
  PUENTE_KEKS: kek,
  PUENTE_ACTIVE_KEK: 'k8s-test',
  MATCH_AGREEMENT_KEYS: `gt-k8s-test:${randomBytes(32).toString('base64')}`,
};

type Json = any;

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'puente-k8s-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const deployment = (port: number | string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          env: [{ name: A, value: "1" }]
          ports: [{ name: http, containerPort: ${port} }]
`;

describe('kustomize rendering and validation (the test tool itself)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const render = (files: Record<string, string>) => {
    const dir = scratch(files);
    dirs.push(dir);
    return renderKustomization(dir);
  };

  it('renders resources, nested kustomizations, generators and both kinds of patches', () => {
    const objects = render({
      'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [web.yaml, extra]
configMapGenerator:
  - { name: web-config, literals: [LOG_LEVEL=info], options: { disableNameSuffixHash: true } }
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: web }
      spec: { template: { spec: { containers: [{ name: web, env: [{ name: B, value: "2" }] }] } } }
  - target: { kind: Deployment, name: web }
    patch: |
      - { op: replace, path: /spec/replicas, value: 3 }
`,
      'web.yaml': `${deployment(8080)}  replicas: 1\n`,
      'extra/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [svc.yaml]\n',
      'extra/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { selector: { app: web }, ports: [{ port: 80, targetPort: http }] }\n',
    });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/web', 'Service/web', 'ConfigMap/web-config']);
    const web = objects[0] as Json;
    expect(web.spec.replicas).toBe(3);
    expect(web.spec.template.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(objects[2]).toMatchObject({ data: { LOG_LEVEL: 'info' } });
    expect(objects.flatMap(validateObject)).toEqual([]);
  });

  it('refuses what it does not implement instead of skipping it', () => {
    expect(() => render({ 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonLabels: { a: b }\n' })).toThrow(/commonLabels/);
    expect(() => render({ 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsecretGenerator: [{ name: s, literals: [A=b] }]\n' })).toThrow(
      /disableNameSuffixHash/,
    );
    expect(() => render({ 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [missing.yaml]\n' })).toThrow(/missing\.yaml does not exist/);
  });

  it("fails a manifest that breaks Kubernetes' schema, an unknown kind, and a malformed custom resource", () => {
    const [broken] = render({ 'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [web.yaml]\n', 'web.yaml': deployment("'http'") });
    expect(validateObject(broken)).toEqual([expect.stringContaining('containerPort must be integer')]);
    const [misspelt] = render({
      'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [web.yaml]\n',
      'web.yaml': `${deployment(8080)}          readinesProbe: { httpGet: { path: /health/serving, port: http } }\n          livenessProbe: { httpGet: { path: /health/live, prot: http } }\n`,
    });
    expect(validateObject(misspelt)).toEqual([
      expect.stringContaining('httpGet must have required property'),
      'Deployment web: unknown field spec.template.spec.containers[0].readinesProbe',
      'Deployment web: unknown field spec.template.spec.containers[0].livenessProbe.httpGet.prot',
    ]);
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([expect.stringContaining('unknown kind example.com/v1/Widget')]);
    expect(validateObject({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'w' } })).toEqual([expect.stringContaining('unknown kind apps/v1/Deploymnet')]);
    const mm2 = (spec: Json): K8sObject => ({ apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaMirrorMaker2', metadata: { name: 'm' }, spec });
    const good = {
      version: '4.1.1',
      connectCluster: 'gt',
      clusters: [
        { alias: 'gt', bootstrapServers: 'gt:9093' },
        { alias: 'mx', bootstrapServers: 'mx:9093' },
      ],
      mirrors: [{ sourceCluster: 'gt', targetCluster: 'mx', topicsPattern: 'a\\..*', sourceConnector: { config: {} } }],
    };
    expect(validateObject(mm2(good))).toEqual([]);
    expect(validateObject(mm2({ ...good, version: undefined, connectCluster: 'us' }))).toEqual([
      'KafkaMirrorMaker2 m: spec.version must be the Kafka version',
      'KafkaMirrorMaker2 m: spec.connectCluster us is not a cluster alias',
    ]);
    expect(validateObject(mm2({ ...good, clusters: [{ alias: 'gt' }, { alias: 'mx', bootstrapServers: 'mx:9093' }] }))).toEqual([
      'KafkaMirrorMaker2 m: spec.clusters[0].bootstrapServers is required',
    ]);
    expect(validateObject(mm2({ ...good, mirrors: [{ sourceCluster: 'gt', targetCluster: 'br' }] }))).toEqual([
      'KafkaMirrorMaker2 m: spec.mirrors[0].targetCluster br is not a cluster alias',
      'KafkaMirrorMaker2 m: spec.mirrors[0] needs topicsPattern or topics',
      'KafkaMirrorMaker2 m: spec.mirrors[0].sourceConnector is required',
    ]);
  });
});

describe('k8s/: the manifests a node deploys', () => {
  const objects = renderKustomization(k8s);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind) as Json[];
  const deployments = byKind('Deployment');
  const containerOf = (service: string) => {
    const d = deployments.find((x) => x.spec.template.spec.containers.some((c: Json) => c.env?.some((e: Json) => e.name === 'SERVICE' && e.value === service)));
    if (!d) throw new Error(`no Deployment runs SERVICE=${service}`);
    return { deployment: d, container: d.spec.template.spec.containers[0] as Json };
  };

  it.each(kustomizationDirs(k8s).map((d) => [d.slice(root.length + 1)]))('%s renders and every object is valid', (dir) => {
    const rendered = renderKustomization(join(root, dir));
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.flatMap(validateObject)).toEqual([]);
    const names = rendered.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.length).toBe(new Set(names).size);
  });

  it.each(SERVICES)('%s: Deployment and Service wired (labels, ports, probes on the health routes, PORT)', (service) => {
    const { deployment: d, container } = containerOf(service);
    expect(Object.keys(d.spec.selector.matchLabels).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(d.spec.template.metadata.labels[k]).toBe(v);
    const ports: Json[] = container.ports ?? [];
    const port = (ref: string | number) => ports.find((p) => p.name === ref || p.containerPort === ref);
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      const get = container[probe]?.httpGet;
      expect(get).toBeDefined();
      expect(port(get.port)).toBeDefined();
      expect(PROBE_ROUTES).toContain(get.path);
    }
    expect(container.readinessProbe.httpGet.path).toBe('/health/serving');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    const envPort = container.env.find((e: Json) => e.name === 'PORT')?.value;
    expect(port('http')?.containerPort).toBe(Number(envPort));
    const svc = byKind('Service').find((s) => Object.entries(s.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
    expect(svc).toBeDefined();
    for (const p of svc.spec.ports) expect(port(p.targetPort)).toBeDefined();
  });

  it.each(SERVICES)('%s: configuration from ConfigMaps that exist; every secret named one by one, none in a ConfigMap', (service) => {
    const { container } = containerOf(service);
    const configMaps = byKind('ConfigMap');
    for (const from of container.envFrom ?? []) {
      expect(from.secretRef).toBeUndefined(); // a whole-secret import hides which secrets the service needs
      expect(configMaps.map((c) => c.metadata.name)).toContain(from.configMapRef.name);
    }
    for (const e of container.env) {
      const cm = e.valueFrom?.configMapKeyRef;
      if (cm) expect(Object.keys(configMaps.find((c) => c.metadata.name === cm.name)?.data ?? {})).toContain(cm.key);
      const secret = e.valueFrom?.secretKeyRef;
      if (secret) expect(Object.keys(SECRET_PLACEHOLDERS)).toContain(secret.key);
    }
    for (const c of configMaps) for (const key of Object.keys(c.data ?? {})) expect(key).not.toMatch(/KEK|KEYS|SECRET|PASSWORD|TOKEN|DATABASE_URL/);
  });

  /** The environment the container gets: its env (values, ConfigMap and Secret keys) over its envFrom ConfigMaps. */
  function containerEnv(container: Json): Record<string, string> {
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) Object.assign(env, byKind('ConfigMap').find((c) => c.metadata.name === from.configMapRef?.name)?.data);
    for (const e of container.env ?? []) {
      if (e.value !== undefined) env[e.name] = String(e.value);
      else if (e.valueFrom?.configMapKeyRef) env[e.name] = byKind('ConfigMap').find((c) => c.metadata.name === e.valueFrom.configMapKeyRef.name)?.data[e.valueFrom.configMapKeyRef.key];
      else if (e.valueFrom?.secretKeyRef) env[e.name] = SECRET_PLACEHOLDERS[e.valueFrom.secretKeyRef.key];
    }
    return env;
  }

  it.each(SERVICES)('%s starts in production with exactly what its Deployment gives it, and answers its probes', async (service) => {
    const { container } = containerOf(service);
    const env: Record<string, string> = {
      PATH: process.env.PATH as string,
      SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
      ...containerEnv(container),
      // Only where it runs changes: this machine's address, a free port, the test broker and databases.
      HOST: '127.0.0.1',
      PORT: '0',
      KAFKA_BROKERS: process.env.KAFKA_BROKERS as string,
      PUENTE_DB_PREFIX: `${testDatabasePrefix()}k8s_`,
      LOG_LEVEL: 'info',
    };
    expect(env.NODE_ENV).toBe('production');
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'services', env.SERVICE, 'src/main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      const started = await eventually(`${service} to listen or exit`, () => (child.exitCode !== null ? { exited: child.exitCode } : /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1]), 90_000).catch(
        (e: Error) => ({ exited: e.message }),
      );
      if (typeof started !== 'string') throw new Error(`${service} did not start with its manifest's environment (${started.exited}):\n${out.slice(-3000)}`);
      const url = started;
      for (const path of PROBE_ROUTES) expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 200]);
    } finally {
      child.kill('SIGKILL');
      await closed;
    }
  });
});
