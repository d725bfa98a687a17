// What every live test in a lab guest checks first: root, qemu, the built CLI (and whatever else it names), and the
// guest kernel (fetched from Debian's archive into the lab cache once). "Cannot run here" goes through cannotRunHere,
// so it is a failure in CI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveGuestKernel } from '../lab/guest-kernel.js';
import { DEFAULT_LAB_CACHE } from '../lab/run-in-guest.js';
import { cannotRunHere } from './live.js';

/** The checkout's root (where dist/ and build/ are). */
export const CHECKOUT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Also needed: a program on the PATH (`program` run with `versionArg`), or a file of the checkout, with what to do. */
export type GuestNeed = { program: string; versionArg: string; hint: string } | { file: string; hint: string };

/** The guest kernel for a test, or undefined after saying why it cannot run here. */
export async function guestKernelForTest(t: TestContext, kernelPackage: string, needs: readonly GuestNeed[] = []): Promise<Awaited<ReturnType<typeof resolveGuestKernel>> | undefined> {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root');
  if (spawnSync('qemu-system-x86_64', ['--version']).error) return void cannotRunHere(t, 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');
  if (!fs.existsSync(path.join(CHECKOUT_ROOT, 'dist/cli/main.js'))) return void cannotRunHere(t, 'dist/ is not built (npm run build)');
  for (const n of needs) {
    if ('program' in n ? spawnSync(n.program, [n.versionArg]).error : !fs.existsSync(path.join(CHECKOUT_ROOT, n.file))) return void cannotRunHere(t, n.hint);
  }
  try {
    return await resolveGuestKernel(kernelPackage, { cacheDir: DEFAULT_LAB_CACHE });
  } catch (err) {
    return void cannotRunHere(t, `cannot fetch ${kernelPackage}: ${(err as Error).message}`);
  }
}
