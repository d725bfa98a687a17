// Frame colours: deterministic per name (the same function keeps its colour across graphs), warm for user
// frames and blue for kernel frames so that "the CPU went into the kernel" is visible at a glance.

/** `kernel` colours kernel frames apart (blue); `hot` draws every frame warm, as classic flame graphs do. */
export type FlamePalette = 'kernel' | 'hot';

/** Palettes the renderer knows. */
export const FLAME_PALETTES: readonly FlamePalette[] = ['kernel', 'hot'];

function hash(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return ((h >>> 0) % 1000) / 1000;
}

/** The fill colour of a frame, as `rgb(r,g,b)`. */
export function frameColour(name: string, kernel: boolean, palette: FlamePalette): string {
  const a = hash(name, 1);
  const b = hash(name, 2);
  const c = hash(name, 3);
  if (kernel && palette === 'kernel') {
    return `rgb(${Math.round(40 + 60 * b)},${Math.round(140 + 70 * a)},${Math.round(200 + 55 * c)})`;
  }
  return `rgb(${Math.round(205 + 50 * c)},${Math.round(230 * a)},${Math.round(55 * b)})`;
}
