// `lab matrix`: the same command on every kernel × MGLRU setting, one guest each, one after another.
import { GuestFailedError } from './guest-failed-error.js';
import { type GuestKernel, resolveGuestKernel } from './guest-kernel.js';
import { type CellVerdict, parseCellVerdict } from './matrix-verdict.js';
import { DEFAULT_LAB_CACHE, type RunInGuestOptions, runInGuest } from './run-in-guest.js';

/** MGLRU settings of a matrix: "keep" leaves each kernel's default. */
export type MatrixMglru = 'keep' | 'on' | 'off' | 'both';

/** One kernel × MGLRU result. */
export interface MatrixCell extends CellVerdict {
  kernel: string;
  release: string | undefined;
  /** MGLRU asked for ("keep" when left as booted). */
  mglru: 'keep' | 'on' | 'off';
  /** /sys/kernel/mm/lru_gen/enabled as read in the guest before the command, when present. */
  mglruRead: string | undefined;
  exitCode: number | undefined;
  accel: 'kvm' | 'tcg' | undefined;
  bootMs: number | undefined;
  commandMs: number | undefined;
  /** Set when the guest run failed (timeout, setup, crash). */
  error: string | undefined;
  /** How the host's files reached the guest (9p, or a disk image for kernels without 9p). */
  share?: '9p' | 'disk';
}

/** Options of `runMatrix`. */
export interface MatrixOptions extends Omit<RunInGuestOptions, 'kernel' | 'mglru' | 'argv'> {
  kernels: string[];
  mglru: MatrixMglru;
  /** The command of every cell (already with --json when it is a reclaimwatch command). */
  argv: string[];
  /** Called when a cell starts and when it ends. */
  onCell?: (event: 'start' | 'end', cell: Pick<MatrixCell, 'kernel' | 'mglru'> & Partial<MatrixCell>) => void;
}

/** Appends --json unless the command already has it. */
export function withJson(args: readonly string[]): string[] {
  return args.includes('--json') ? [...args] : [...args, '--json'];
}

/** Which MGLRU settings a matrix runs. */
export function mglruSettings(m: MatrixMglru): ('keep' | 'on' | 'off')[] {
  return m === 'both' ? ['off', 'on'] : [m];
}

/** The options every cell's guest shares (the matrix's own fields removed). */
function guestOptions(opts: MatrixOptions): Omit<RunInGuestOptions, 'kernel' | 'mglru'> {
  const common: Partial<MatrixOptions> = { ...opts };
  delete common.kernels;
  delete common.mglru;
  delete common.onCell;
  return common as Omit<RunInGuestOptions, 'kernel' | 'mglru'>;
}

/** Runs every cell. Kernels are resolved (fetched) first, so a bad name fails before any guest boots. */
export async function runMatrix(opts: MatrixOptions): Promise<MatrixCell[]> {
  const cacheDir = opts.cacheDir ?? DEFAULT_LAB_CACHE;
  const kernels: GuestKernel[] = [];
  for (const k of opts.kernels) kernels.push(await resolveGuestKernel(k, { cacheDir, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }));
  const cells: MatrixCell[] = [];
  for (const kernel of kernels) {
    for (const mglru of mglruSettings(opts.mglru)) {
      opts.onCell?.('start', { kernel: kernel.spec, mglru });
      let cell: MatrixCell;
      try {
        const r = await runInGuest({ ...guestOptions(opts), kernel, ...(mglru === 'keep' ? {} : { mglru }) });
        cell = { kernel: kernel.spec, release: kernel.release, mglru, mglruRead: r.mglru, exitCode: r.exitCode, accel: r.accel, bootMs: r.bootMs, commandMs: r.commandMs, error: undefined, share: r.share, ...parseCellVerdict(r.stdout) };
      } catch (err) {
        if (!(err instanceof GuestFailedError) || err.reason === 'interrupted') throw err;
        cell = { kernel: kernel.spec, release: kernel.release, mglru, mglruRead: undefined, exitCode: undefined, accel: err.accel, bootMs: undefined, commandMs: undefined, error: err.message, ...parseCellVerdict(err.stdout) };
        if (cell.verdict === undefined) cell.why = err.message;
      }
      cells.push(cell);
      opts.onCell?.('end', cell);
    }
  }
  return cells;
}
