import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../kernel/errors.js';

/**
 * The argv that runs `reclaimwatch <args>` in a guest: this Node binary and the built CLI (dist/cli/main.js)
 * of this package, both seen in the guest through the shared host root.
 */
export function reclaimwatchArgv(args: readonly string[], packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')): string[] {
  const main = path.join(packageRoot, 'dist', 'cli', 'main.js');
  if (!fs.existsSync(main)) throw new UsageError(`${main} is missing: build reclaimwatch first (npm run build in ${packageRoot})`);
  return [process.execPath, main, ...args];
}
