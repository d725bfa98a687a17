// Pod names and namespaces on a Kubernetes node, from the kubelet's own log directory: the kubelet makes
// /var/log/pods/<namespace>_<pod-name>_<pod-uid>/ for every pod it runs (log shippers such as fluent-bit read the
// same names from there). The cgroup tree names a pod only by its UID. Namespace and pod names are DNS-1123 names
// (lower-case letters, digits, '-' and '.'), so '_' separates the three fields without ambiguity. Read from
// `--path.rootfs` (the host's root when the agent runs in a pod with it mounted), never from the API server.
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';

/** A pod's names. */
export interface PodName {
  namespace: string;
  name: string;
}

const ENTRY = /^([a-z0-9][a-z0-9.-]*)_([a-z0-9][a-z0-9.-]*)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Parses one /var/log/pods entry; undefined for anything else. */
export function parsePodLogDir(entry: string): (PodName & { uid: string }) | undefined {
  const m = ENTRY.exec(entry);
  return m ? { namespace: m[1]!, name: m[2]!, uid: m[3]! } : undefined;
}

/**
 * Pod UID → names, cached: the directory is listed again only when a UID is asked that it did not hold, and then at
 * most once every `minRelistMs` (a node without Kubernetes costs one failed readdir per interval).
 */
export class PodNames {
  private readonly byUid = new Map<string, PodName>();
  private listedAtMs = -Infinity;

  constructor(private readonly host: HostPaths, private readonly minRelistMs = 10_000, private readonly clock: () => number = () => performance.now()) {}

  /** The names of the pod with this UID, when the kubelet's log directory has it. */
  lookup(uid: string): PodName | undefined {
    const hit = this.byUid.get(uid);
    if (hit || this.clock() - this.listedAtMs < this.minRelistMs) return hit;
    this.relist();
    return this.byUid.get(uid);
  }

  private relist(): void {
    this.listedAtMs = this.clock();
    let entries: string[];
    try {
      entries = fs.readdirSync(path.join(this.host.rootfs, 'var/log/pods'));
    } catch {
      return; // not a Kubernetes node, or not mounted: names stay unknown
    }
    this.byUid.clear();
    for (const e of entries) {
      const p = parsePodLogDir(e);
      if (p) this.byUid.set(p.uid, { namespace: p.namespace, name: p.name });
    }
  }
}
