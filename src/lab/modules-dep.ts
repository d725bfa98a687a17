// Resolves the kernel modules a guest needs, in load order, from depmod's modules.dep.
// https://man7.org/linux/man-pages/man5/modules.dep.5.html
// "kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko"

/** Module name → its file (relative to the modules directory) and the files it depends on. */
export type ModulesDep = Map<string, { file: string; deps: string[] }>;

/** The name modprobe uses for a module file: basename without .ko[.xz|.zst|.gz], dashes as underscores. */
export function moduleName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

/** Parses modules.dep. Lines that are not "file: deps" are skipped. */
export function parseModulesDep(text: string): ModulesDep {
  const out: ModulesDep = new Map();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const file = line.slice(0, colon).trim();
    const deps = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    out.set(moduleName(file), { file, deps });
  }
  return out;
}

/** Parses modules.builtin (one "kernel/.../x.ko" per line) into module names. */
export function parseModulesBuiltin(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim()).filter(Boolean).map(moduleName));
}

/** What `resolveModuleLoadOrder` found. */
export interface ModulePlan {
  /** Module files to load, dependencies first, each once. */
  load: string[];
  /** Wanted modules built into the kernel (nothing to load). */
  builtin: string[];
  /** Wanted modules that are neither in modules.dep nor built in. */
  missing: string[];
}

/**
 * Orders the wanted modules and everything they depend on so each is loaded after its dependencies.
 * `optional` names are loaded when present and silently skipped when absent.
 */
export function resolveModuleLoadOrder(dep: ModulesDep, builtin: ReadonlySet<string>, wanted: readonly string[], optional: readonly string[] = []): ModulePlan {
  const load: string[] = [];
  const seen = new Set<string>();
  const plan: ModulePlan = { load, builtin: [], missing: [] };
  const visit = (name: string, stack: string[]): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const entry = dep.get(name);
    if (!entry) return;
    if (stack.includes(name)) return;
    for (const d of entry.deps) visit(moduleName(d), [...stack, name]);
    load.push(entry.file);
  };
  for (const raw of [...wanted, ...optional]) {
    const name = raw.replace(/-/g, '_');
    if (builtin.has(name)) plan.builtin.push(name);
    else if (!dep.has(name)) {
      if (wanted.includes(raw)) plan.missing.push(name);
    } else visit(name, []);
  }
  return plan;
}
