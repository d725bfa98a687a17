import { ReclaimwatchError } from '../kernel/errors.js';

/** Why a guest run ended without the command's exit status. */
export type GuestFailure = 'timeout' | 'interrupted' | 'setup' | 'crashed';

/**
 * A lab guest did not run the command to its end: it timed out (code "timeout"), the user interrupted it
 * (code "timeout", reason "interrupted"), its init could not set it up as asked (code "kernel-lacks"), or
 * qemu or the guest kernel died (code "read"). Carries what the command printed until then and the kernel
 * console's last lines.
 */
export class GuestFailedError extends ReclaimwatchError {
  readonly reason: GuestFailure;
  readonly stdout: string;
  readonly consoleTail: string;
  readonly accel: 'kvm' | 'tcg';
  constructor(reason: GuestFailure, message: string, detail: { stdout: string; consoleTail: string; accel: 'kvm' | 'tcg' }, options?: { cause?: unknown }) {
    super(reason === 'setup' ? 'kernel-lacks' : reason === 'crashed' ? 'read' : 'timeout', message, options);
    this.reason = reason;
    this.stdout = detail.stdout;
    this.consoleTail = detail.consoleTail;
    this.accel = detail.accel;
  }
}
