// deploy/kubernetes validated against the Kubernetes API schemas (kubernetes-models: the OpenAPI schemas compiled to
// validators), plus a strict unknown-field check (the validators let a typo such as `readonly: true` through, and
// that one would leave /sys writable), plus what this deployment promises: read-only host mounts except in the
// remediate variant, API access only in the eviction-hook variant, requests and limits, a priority class.
// Overlays are built with `kubectl kustomize`, which works without a cluster; `kubectl apply --dry-run=client`
// does not (it asks the API server for discovery), and the last test records that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IContainer } from 'kubernetes-models/v1';
import type { IDaemonSet } from 'kubernetes-models/apps/v1';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { cannotRunHere } from '../test-support/live.js';

const ROOT = path.resolve('deploy/kubernetes');
const MODELS = path.resolve('node_modules/kubernetes-models');

/** The kinds this deployment uses: the model class (schema validation) and its declaration file (field names). */
const KINDS: Record<string, { model: new (data: never) => { validate(): void }; dts: string }> = {
  'v1/Namespace': { model: Namespace, dts: 'v1/Namespace.d.ts' },
  'v1/Service': { model: Service, dts: 'v1/Service.d.ts' },
  'v1/ConfigMap': { model: ConfigMap, dts: 'v1/ConfigMap.d.ts' },
  'v1/ServiceAccount': { model: ServiceAccount, dts: 'v1/ServiceAccount.d.ts' },
  'apps/v1/DaemonSet': { model: DaemonSet, dts: 'apps/v1/DaemonSet.d.ts' },
  'scheduling.k8s.io/v1/PriorityClass': { model: PriorityClass, dts: 'scheduling.k8s.io/v1/PriorityClass.d.ts' },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: ClusterRole, dts: 'rbac.authorization.k8s.io/v1/ClusterRole.d.ts' },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { model: ClusterRoleBinding, dts: 'rbac.authorization.k8s.io/v1/ClusterRoleBinding.d.ts' },
};

type Obj = Record<string, unknown>;

// ---- strict fields: every key must be a property of the API type, read from kubernetes-models' declarations ----

/** Property → declaration file of its (element) type, '<leaf>' or '<map>'; undefined for a non-object type. */
function fieldsOf(file: string, cache: Map<string, Map<string, string> | undefined>): Map<string, string> | undefined {
  if (cache.has(file)) return cache.get(file);
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const imports = new Map([...text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)].map((m) => [m[1]!, m[2]!]));
  const start = /export interface \w+(?: extends [\w, ]+)? \{/.exec(text);
  let props: Map<string, string> | undefined;
  if (start) {
    props = new Map();
    let depth = 0;
    let key: string | undefined;
    let from = 0;
    for (let i = start.index + start[0].length; i < text.length; i++) {
      const c = text[i]!;
      if (key === undefined) {
        if (c === '}') break;
        const m = /^\s*"([^"]+)"\??:\s*/.exec(text.slice(i, i + 200));
        if (m) { key = m[1]!; i += m[0].length - 1; from = i + 1; }
        continue;
      }
      if ('{<('.includes(c)) depth++;
      else if ('}>)'.includes(c)) depth--;
      else if (c === ';' && depth === 0) {
        const type = text.slice(from, i).trim();
        const named = /^Array<(\w+)>$/.exec(type)?.[1] ?? type;
        const spec = imports.get(named);
        props.set(key, spec ? resolveDts(file, spec) : type.startsWith('{') ? '<map>' : '<leaf>');
        key = undefined;
      }
    }
  }
  cache.set(file, props);
  return props;
}

function resolveDts(from: string, spec: string): string {
  if (spec.startsWith('.')) return path.resolve(path.dirname(from), spec.replace(/\.js$/, '.d.ts'));
  for (const base of [path.join(MODELS, 'node_modules'), path.resolve('node_modules')]) {
    const f = path.join(base, `${spec}.d.ts`);
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`cannot find the declarations of ${spec}`);
}

/** Every key of `value` that its API type does not have, as JSON paths. */
function unknownFields(value: unknown, dts: string, where: string, cache = new Map<string, Map<string, string> | undefined>()): string[] {
  const fields = fieldsOf(dts, cache);
  if (!fields || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, dts, `${where}[${i}]`, cache));
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Obj)) {
    const t = fields.get(k);
    if (t === undefined) out.push(`${where}.${k}`);
    else if (t !== '<leaf>' && t !== '<map>') out.push(...unknownFields(v, t, `${where}.${k}`, cache));
  }
  return out;
}

/** Schema errors and unknown fields of one manifest; empty when it is valid. */
function problemsOf(doc: Obj): string[] {
  const key = `${String(doc['apiVersion'])}/${String(doc['kind'])}`;
  const kind = KINDS[key];
  if (!kind) return [`${key}: a kind this test does not know (add it to KINDS)`];
  const problems: string[] = [];
  try {
    new kind.model(doc as never).validate();
  } catch (err) {
    problems.push(`${key}: ${(err as Error).message}`);
  }
  for (const f of unknownFields(doc, path.join(MODELS, kind.dts), key)) problems.push(`${f}: unknown field`);
  return problems;
}

// ---- loading ----

function docsOf(text: string, source: string): Obj[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`${source}: ${d.errors[0]!.message}`);
    return d.toJS() as Obj;
  }).filter((d) => d !== null);
}

function kustomize(dir: string): Obj[] | undefined {
  const r = spawnSync('kubectl', ['kustomize', path.join(ROOT, dir)], { encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  assert.equal(r.status, 0, `kubectl kustomize ${dir}: ${r.stderr}`);
  return docsOf(r.stdout, dir);
}

const byKind = (docs: Obj[], kind: string): Obj[] => docs.filter((d) => d['kind'] === kind);
const daemonSet = (docs: Obj[]): IDaemonSet => {
  const ds = byKind(docs, 'DaemonSet');
  assert.equal(ds.length, 1);
  return ds[0] as unknown as IDaemonSet;
};
const agent = (ds: IDaemonSet): IContainer => ds.spec!.template.spec!.containers.find((c) => c.name === 'agent')!;
const hostPathOf = (ds: IDaemonSet, volume: string): string | undefined => ds.spec!.template.spec!.volumes?.find((v) => v.name === volume)?.hostPath?.path;
/** Host paths mounted writable, as [host path, mount path]. */
function writableHostMounts(ds: IDaemonSet): [string, string][] {
  return (agent(ds).volumeMounts ?? []).filter((m) => m.readOnly !== true && hostPathOf(ds, m.name) !== undefined).map((m) => [hostPathOf(ds, m.name)!, m.mountPath]);
}

const BASE_FILES = fs.readdirSync(path.join(ROOT, 'base')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const VARIANTS = ['base', 'overlays/remediate', 'overlays/evict-hook', 'overlays/npd-sidecar'];

// ---- tests ----

test('every manifest file in base is valid against the Kubernetes API schemas, with no unknown field', () => {
  assert.ok(BASE_FILES.length >= 5, BASE_FILES.join(' '));
  for (const f of BASE_FILES) {
    for (const doc of docsOf(fs.readFileSync(path.join(ROOT, 'base', f), 'utf8'), f)) assert.deepEqual(problemsOf(doc), [], f);
  }
});

test('a broken manifest fails: a wrong type, a bad enum, a missing required field, a typo in a field name', () => {
  const ds = docsOf(fs.readFileSync(path.join(ROOT, 'base/daemonset.yaml'), 'utf8'), 'daemonset.yaml')[0]!;
  const broken = (edit: (d: IDaemonSet) => void): string[] => {
    const copy = structuredClone(ds) as unknown as IDaemonSet;
    edit(copy);
    return problemsOf(copy as unknown as Obj);
  };
  assert.match(broken((d) => { (agent(d).ports![0] as unknown as Obj)['containerPort'] = 'metrics'; }).join('\n'), /containerPort must be integer/);
  assert.match(broken((d) => { (agent(d) as unknown as Obj)['imagePullPolicy'] = 'Sometimes'; }).join('\n'), /imagePullPolicy must be equal to one of the allowed values/);
  assert.match(broken((d) => { delete (d.spec as unknown as Obj)['selector']; }).join('\n'), /must have required property 'selector'|required property selector/);
  assert.match(broken((d) => { agent(d).resources!.limits!['memory'] = 'lots'; }).join('\n'), /memory must match format "quantity"/);
  // The schema validators accept this; the strict field check does not. Kubernetes would drop it: /sys writable.
  const typo = broken((d) => { const m = agent(d).volumeMounts!.find((v) => v.name === 'sys')! as unknown as Obj; delete m['readOnly']; m['readonly'] = true; });
  assert.deepEqual(typo, ['apps/v1/DaemonSet.spec.template.spec.containers[0].volumeMounts[1].readonly: unknown field']);
});

test('each variant builds with kubectl kustomize and every object in it is valid', (t) => {
  for (const v of VARIANTS) {
    const docs = kustomize(v);
    if (!docs) return void cannotRunHere(t, 'kubectl is not installed (it builds the overlays)');
    assert.ok(docs.length >= 5, v);
    for (const d of docs) assert.deepEqual(problemsOf(d), [], `${v}: ${String(d['kind'])}/${String((d['metadata'] as Obj)['name'])}`);
  }
});

test('base: hostPID, /proc and /sys read-only, only the store writable, no API token, no RBAC, requests, limits and a priority class', (t) => {
  const docs = kustomize('base');
  if (!docs) return void cannotRunHere(t, 'kubectl is not installed');
  const ds = daemonSet(docs);
  const pod = ds.spec!.template.spec!;
  const c = agent(ds);
  assert.equal(pod.hostPID, true);
  assert.notEqual(pod.hostNetwork, true);
  assert.equal(pod.automountServiceAccountToken, false);
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.mountPath, m]));
  assert.equal(mounts.get('/host/proc')?.readOnly, true);
  assert.equal(mounts.get('/host/sys')?.readOnly, true);
  assert.equal(mounts.get('/host/sys')?.recursiveReadOnly, 'IfPossible');
  assert.equal(hostPathOf(ds, 'proc'), '/proc');
  assert.equal(hostPathOf(ds, 'sys'), '/sys');
  assert.deepEqual(writableHostMounts(ds), [['/var/lib/reclaimwatch', '/var/lib/reclaimwatch']]);
  assert.equal(c.securityContext?.privileged, false);
  assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
  assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
  assert.ok(!c.securityContext?.capabilities?.add?.includes('KILL'), 'no KILL without remediation');
  for (const k of ['cpu', 'memory']) {
    assert.ok(c.resources?.requests?.[k], `request ${k}`);
    assert.ok(c.resources?.limits?.[k], `limit ${k}`);
  }
  const pc = byKind(docs, 'PriorityClass');
  assert.deepEqual(pc.map((p) => (p['metadata'] as Obj)['name']), [pod.priorityClassName]);
  assert.ok((pc[0]!['value'] as number) <= 1_000_000_000, 'user-defined priority classes go up to 1e9');
  assert.deepEqual(byKind(docs, 'ClusterRole').concat(byKind(docs, 'ClusterRoleBinding'), byKind(docs, 'ServiceAccount')), []);
  assert.ok(c.args?.includes('--listen=0.0.0.0:9847'));
  assert.ok(!c.args?.some((a) => a.startsWith('--remediate')), 'remediation at its default, dry-run');
  assert.match(fs.readFileSync(path.join(ROOT, 'base/daemonset.yaml'), 'utf8'), /0\.0\.0\.0 only because Prometheus scrapes this pod over the pod network/);
});

test('base: the Service selects the agent pods and names the metrics port; the NPD ConfigMap is the NPD config file', (t) => {
  const docs = kustomize('base');
  if (!docs) return void cannotRunHere(t, 'kubectl is not installed');
  const ds = daemonSet(docs);
  const svc = byKind(docs, 'Service')[0] as { spec: { selector: Record<string, string>; clusterIP: string; ports: { targetPort: string; port: number }[] } };
  const labels = ds.spec!.template.metadata!.labels!;
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(labels[k], v, `selector ${k}`);
  assert.equal(svc.spec.clusterIP, 'None');
  const port = agent(ds).ports!.find((p) => p.name === svc.spec.ports[0]!.targetPort);
  assert.equal(port?.containerPort, 9847);
  const cm = byKind(docs, 'ConfigMap').find((d) => (d['metadata'] as Obj)['name'] === 'reclaimwatch-npd-config') as { data: Record<string, string> };
  const file = JSON.parse(fs.readFileSync(path.resolve('deploy/node-problem-detector/reclaimwatch-monitor.json'), 'utf8')) as unknown;
  assert.deepEqual(JSON.parse(cm.data['reclaimwatch-monitor.json']!), file);
});

test('remediate: the cgroup tree, and only it, becomes writable; restart is on with a match; still no API access', (t) => {
  const docs = kustomize('overlays/remediate');
  if (!docs) return void cannotRunHere(t, 'kubectl is not installed');
  const ds = daemonSet(docs);
  const c = agent(ds);
  assert.deepEqual(writableHostMounts(ds).sort(), [['/sys/fs/cgroup', '/host/sys/fs/cgroup'], ['/var/lib/reclaimwatch', '/var/lib/reclaimwatch']]);
  assert.equal(c.volumeMounts!.find((m) => m.mountPath === '/host/sys')?.readOnly, true);
  assert.ok(c.args?.includes('--remediate=restart'));
  assert.ok(c.args?.some((a) => a.startsWith('--remediate-match=')), 'restart needs a match');
  assert.ok(c.securityContext?.capabilities?.add?.includes('KILL'));
  assert.equal(ds.spec!.template.spec!.automountServiceAccountToken, false);
  assert.deepEqual(byKind(docs, 'ClusterRole'), []);
});

test('evict-hook: RBAC is exactly pods get/list and pods/eviction create, bound to the agent\'s account; cgroups stay read-only', (t) => {
  const docs = kustomize('overlays/evict-hook');
  if (!docs) return void cannotRunHere(t, 'kubectl is not installed');
  const ds = daemonSet(docs);
  const pod = ds.spec!.template.spec!;
  const roles = byKind(docs, 'ClusterRole') as unknown as { metadata: { name: string }; rules: IPolicyRule[] }[];
  assert.equal(roles.length, 1);
  assert.deepEqual(roles[0]!.rules.map((r) => [r.apiGroups, r.resources, r.verbs]), [[[''], ['pods'], ['get', 'list']], [[''], ['pods/eviction'], ['create']]]);
  const binding = byKind(docs, 'ClusterRoleBinding')[0] as { roleRef: { name: string; kind: string }; subjects: { kind: string; name: string; namespace: string }[] };
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roles[0]!.metadata.name });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: ds.metadata!.namespace }]);
  assert.equal(pod.automountServiceAccountToken, true);
  assert.deepEqual(writableHostMounts(ds), [['/var/lib/reclaimwatch', '/var/lib/reclaimwatch']]);
  const hook = agent(ds).args!.find((a) => a.startsWith('--on-incident='))!.slice('--on-incident='.length);
  const mount = agent(ds).volumeMounts!.find((m) => hook.startsWith(`${m.mountPath}/`))!;
  const cmName = pod.volumes!.find((v) => v.name === mount.name)!.configMap!.name!;
  const cm = byKind(docs, 'ConfigMap').find((d) => (d['metadata'] as Obj)['name'] === cmName) as { data: Record<string, string> };
  const script = cm.data[path.basename(hook)]!;
  const check = spawnSync(process.execPath, ['--check', '--input-type=module'], { input: script, encoding: 'utf8' });
  assert.equal(check.status, 0, `the hook parses: ${check.stderr}`);
});

test('npd-sidecar: NPD runs check from the agent\'s image against the agent\'s port, and only NPD holds an API token', (t) => {
  const docs = kustomize('overlays/npd-sidecar');
  if (!docs) return void cannotRunHere(t, 'kubectl is not installed');
  const ds = daemonSet(docs);
  const pod = ds.spec!.template.spec!;
  const npd = pod.containers.find((c) => c.name === 'node-problem-detector')!;
  assert.equal(npd.image, agent(ds).image, 'the agent image carries reclaimwatch for the plugin');
  assert.equal(pod.automountServiceAccountToken, false);
  assert.ok(!(agent(ds).volumeMounts ?? []).some((m) => m.mountPath.startsWith('/var/run/secrets')), 'the agent has no token');
  const tokenMount = npd.volumeMounts!.find((m) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount')!;
  assert.ok(pod.volumes!.find((v) => v.name === tokenMount.name)?.projected?.sources?.some((s) => s.serviceAccountToken));
  const binding = byKind(docs, 'ClusterRoleBinding')[0] as { roleRef: { name: string }; subjects: { name: string }[] };
  assert.equal(binding.roleRef.name, 'system:node-problem-detector');
  assert.deepEqual(binding.subjects.map((s) => s.name), [pod.serviceAccountName]);
  // The monitor config NPD reads is the ConfigMap, and its rules run what the image has, at the agent's port.
  const cfgArg = npd.command!.find((a) => a.startsWith('--config.custom-plugin-monitor='))!.split('=')[1]!;
  const cfgMount = npd.volumeMounts!.find((m) => cfgArg.startsWith(`${m.mountPath}/`))!;
  const cmName = pod.volumes!.find((v) => v.name === cfgMount.name)!.configMap!.name!;
  const cm = byKind(docs, 'ConfigMap').find((d) => (d['metadata'] as Obj)['name'] === cmName) as { data: Record<string, string> };
  const monitor = JSON.parse(cm.data[path.basename(cfgArg)]!) as { rules: { path: string; args: string[] }[] };
  const port = agent(ds).ports!.find((p) => p.name === 'metrics')!.containerPort;
  for (const r of monitor.rules) {
    assert.equal(r.path, agent(ds).command![0]);
    assert.equal(r.args[r.args.indexOf('--agent') + 1], `http://127.0.0.1:${port}`);
  }
});

test('the agent accepts every option the variants give it (as its --help lists them)', (t) => {
  const help = spawnSync(process.execPath, [path.resolve('dist/cli/main.js'), 'agent', '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(help.status, 0, `reclaimwatch agent --help (is dist/ built?): ${help.stderr}`);
  const known = new Set([...help.stdout.matchAll(/(?:^|[\s,])(--[a-z][a-z0-9.-]*)/g)].map((m) => m[1]!));
  for (const v of VARIANTS) {
    const docs = kustomize(v);
    if (!docs) return void cannotRunHere(t, 'kubectl is not installed');
    const args = agent(daemonSet(docs)).args ?? [];
    assert.equal(args[0], 'agent', v);
    const unknown = args.slice(1).map((a) => a.split('=')[0]!).filter((f) => !known.has(f));
    assert.deepEqual(unknown, [], `${v}: reclaimwatch agent does not know ${unknown.join(' ')}`);
  }
});

test('kubectl apply --dry-run=client: runs offline, or fails only for want of an API server (say which)', (t) => {
  const r = spawnSync('kubectl', ['apply', '--dry-run=client', '-k', path.join(ROOT, 'base'), '-o', 'name'],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: '/dev/null' } });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return void cannotRunHere(t, 'kubectl is not installed');
  if (r.status === 0) {
    assert.match(r.stdout, /daemonset\.apps\/reclaimwatch/);
    return;
  }
  // kubectl's client-side dry run still asks the API server for its resource list and OpenAPI schema.
  assert.match(r.stderr, /connection refused|failed to download openapi|unable to recognize|couldn't get current server API group list/, r.stderr);
  t.diagnostic(`kubectl apply --dry-run=client needs an API server here: ${r.stderr.split('\n').find((l) => l.trim() !== '') ?? ''}`);
});
