// Container and pod naming in cgroup paths, for the runtimes and cgroup drivers Kubernetes nodes use:
//   systemd driver:  /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/
//                    cri-containerd-<id>.scope | crio-<id>.scope | docker-<id>.scope
//   cgroupfs driver: /kubepods/burstable/pod<uid>/<id>      plain docker: /docker/<id>   podman: libpod-<id>.scope

/** The container ID (64 hex) a cgroup path names, if any (last one wins: the innermost). */
export function containerIdOfPath(path: string): string | undefined {
  let found: string | undefined;
  for (const seg of path.split('/')) {
    const m = /^(?:docker-|cri-containerd-|crio-|libpod-|containerd-)?([0-9a-f]{64})(?:\.scope)?$/.exec(seg);
    if (m) found = m[1];
  }
  return found;
}

/** The pod UID (dashed form) a cgroup path names, if any. */
export function podUidOfPath(path: string): string | undefined {
  for (const seg of path.split('/')) {
    const m = /^(?:kubepods-(?:burstable-|besteffort-|guaranteed-)?)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/.exec(seg);
    if (m) return m[1]!.replace(/_/g, '-');
  }
  return undefined;
}

/** The path prefix up to and including the pod's segment, or undefined. */
export function podCgroupPath(path: string): string | undefined {
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) {
    if (podUidOfPath(`/${segs[i]}`) !== undefined) return segs.slice(0, i + 1).join('/') || '/';
  }
  return undefined;
}
