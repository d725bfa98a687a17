// mmap_lock as the kernel's reader-writer semaphore (kernel/locking/rwsem.c), the rules the reference leans on:
// - "Generally, mmap_lock is acquired for reading during page faults and for writing during operations like
//   mmap or munmap."
// - "While a read lock may not seem problematic at first, it becomes an issue when a writer starts waiting for
//   it. At that point, all new readers are blocked until the writer acquires the lock": a reader is granted the
//   lock only when no writer holds it and nobody waits; otherwise it queues, FIFO.
// - On release of the last holder the front of the queue is woken: a writer alone, or, when a reader is at the
//   front, readers (rwsem_mark_wake wakes up to MAX_READERS_WAKEUP = 256 readers from the whole queue, even
//   those behind a writer, since Linux 5.3).
// - down_read_trylock fails when a writer holds the lock or anyone waits (what MGLRU's walk_mm uses).

import { NO_THREAD } from './scheduler.js';

const MAX_READERS_WAKEUP = 256;
const NONE: number[] = [];

/** One mmap_lock (one process: every thread of the workload shares it). */
export class MmapLock {
  /** Threads holding it for reading. */
  readers = 0;
  /** Thread holding it for writing, or NO_THREAD. */
  writer = NO_THREAD;
  private readonly waiting: number[] = [];
  private readonly waitingWrite: boolean[] = [];
  /** Writers in the queue. */
  writersWaiting = 0;

  /** Threads queued. */
  get waiters(): number {
    return this.waiting.length;
  }

  /** Tries to take the lock for reading; false means the thread was queued and must block. */
  read(tid: number): boolean {
    if (this.writer === NO_THREAD && this.waiting.length === 0) {
      this.readers++;
      return true;
    }
    this.waiting.push(tid);
    this.waitingWrite.push(false);
    return false;
  }

  /** down_read_trylock: takes it for reading only if that needs no waiting. */
  tryRead(): boolean {
    if (this.writer === NO_THREAD && this.waiting.length === 0) {
      this.readers++;
      return true;
    }
    return false;
  }

  /** Whether down_read_trylock would succeed now (takes nothing). */
  readTrylockWould(): boolean {
    return this.writer === NO_THREAD && this.waiting.length === 0;
  }

  /** Tries to take the lock for writing; false means queued. */
  write(tid: number): boolean {
    if (this.writer === NO_THREAD && this.readers === 0 && this.waiting.length === 0) {
      this.writer = tid;
      return true;
    }
    this.waiting.push(tid);
    this.waitingWrite.push(true);
    this.writersWaiting++;
    return false;
  }

  /** Releases a read hold; returns the threads granted the lock by it (they become runnable). */
  releaseRead(): number[] {
    this.readers--;
    return this.readers === 0 ? this.wake() : NONE;
  }

  /** Releases the write hold; returns the threads granted the lock. */
  releaseWrite(): number[] {
    this.writer = NO_THREAD;
    return this.wake();
  }

  /** Removes a queued thread (it died); no-op when it is not queued. */
  forget(tid: number): void {
    const i = this.waiting.indexOf(tid);
    if (i < 0) return;
    if (this.waitingWrite[i]) this.writersWaiting--;
    this.waiting.splice(i, 1);
    this.waitingWrite.splice(i, 1);
  }

  private wake(): number[] {
    if (this.waiting.length === 0) return NONE;
    if (this.waitingWrite[0]) {
      const w = this.waiting.shift()!;
      this.waitingWrite.shift();
      this.writersWaiting--;
      this.writer = w;
      return [w];
    }
    const granted: number[] = [];
    for (let i = 0; i < this.waiting.length && granted.length < MAX_READERS_WAKEUP;) {
      if (this.waitingWrite[i]) {
        i++;
        continue;
      }
      granted.push(this.waiting[i]!);
      this.waiting.splice(i, 1);
      this.waitingWrite.splice(i, 1);
    }
    this.readers += granted.length;
    return granted;
  }
}
