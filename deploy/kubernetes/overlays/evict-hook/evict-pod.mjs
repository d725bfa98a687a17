#!/usr/bin/env node
// reclaimwatch --on-incident hook: evicts the incident's pod through the Eviction API (PodDisruptionBudgets apply),
// only when that pod runs on this node. Reads the target from the agent's hook environment (RECLAIMWATCH_POD,
// RECLAIMWATCH_NAMESPACE); exit 0 evicted, 1 refused or failed, 2 nothing to do (not a pod, another node).
import fs from 'node:fs';

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const pod = process.env.RECLAIMWATCH_POD;
const ns = process.env.RECLAIMWATCH_NAMESPACE;
if (!pod || !ns) { console.log('not a pod: nothing to evict'); process.exit(2); }
const api = `https://${process.env.KUBERNETES_SERVICE_HOST}:${process.env.KUBERNETES_SERVICE_PORT}`;
const headers = { authorization: `Bearer ${fs.readFileSync(`${SA}/token`, 'utf8').trim()}`, 'content-type': 'application/json' };
const base = `${api}/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}`;
const signal = AbortSignal.timeout(10_000);

const got = await fetch(base, { headers, signal });
if (!got.ok) { console.log(`get pod ${ns}/${pod}: ${got.status}`); process.exit(1); }
const node = (await got.json()).spec?.nodeName;
if (node !== process.env.NODE_NAME) { console.log(`pod ${ns}/${pod} runs on ${node}, not ${process.env.NODE_NAME}`); process.exit(2); }
const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } };
const res = await fetch(`${base}/eviction`, { method: 'POST', headers, body: JSON.stringify(body), signal });
console.log(`evict ${ns}/${pod}: ${res.status} ${res.status === 429 ? '(PodDisruptionBudget says not now)' : ''}`.trim());
process.exit(res.status === 201 || res.status === 200 ? 0 : 1);
