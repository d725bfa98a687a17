// Where the native parts built by `npm install` (binding.gyp → build/Release) are, and how they are loaded.
// Every caller has a fallback: a missing compiler at install time leaves reclaimwatch working, slower.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** build/Release of this checkout (the same from src/ through tsx and from dist/). */
export const NATIVE_BUILD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/Release');

/** Loads an N-API addon `name`.node; undefined when absent, unloadable, or RECLAIMWATCH_NO_NATIVE=1. */
export function loadNativeAddon<T>(name: string): T | undefined {
  if (process.env['RECLAIMWATCH_NO_NATIVE'] === '1') return undefined;
  try {
    return createRequire(import.meta.url)(path.join(NATIVE_BUILD_DIR, `${name}.node`)) as T;
  } catch {
    return undefined;
  }
}

/** Path of a native executable, when it was built. */
export function nativeExecutable(name: string): string | undefined {
  const p = path.join(NATIVE_BUILD_DIR, name);
  return fs.existsSync(p) ? p : undefined;
}
