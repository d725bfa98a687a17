// The model's CPUs and run queue. Rules, each from the reference:
// - "with a thousand threads running, the mmap_lock holding thread is only allocated CPU time after all other
//   threads exhaust their CPU quanta (up to 4ms each) or block": one FIFO run queue shared by C CPUs; a thread
//   runs for at most one slice (or until it blocks), then goes to the tail, behind every runnable thread.
// - "The thread was never preempted involuntarily; it voluntarily yielded CPU via __cond_resched()": a thread in
//   reclaim is not preempted mid-step either; it yields at the next __cond_resched() once its slice is used up
//   (the engine does the steps; here only the queue and the clock).
// CFS is modelled as a fair round robin: every runnable thread gets one slice per round. A thread woken from a
// sleep (a lock granted) goes to the head instead: CFS places a waking task at min_vruntime − sched_latency/2
// (place_entity's sleeper credit), ahead of every task that has been using its slices.

/** Index meaning "no thread". */
export const NO_THREAD = -1;

/** A min-heap of (time, id) used for the CPUs' next free time and for sleeping threads' wake-ups. */
export class TimeHeap {
  private readonly times: Float64Array;
  private readonly ids: Int32Array;
  private n = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Earliest time, or Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.times[0]!;
  }

  push(time: number, id: number): void {
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      if (pt < time || (pt === time && this.ids[parent]! <= id)) break;
      this.times[i] = pt;
      this.ids[i] = this.ids[parent]!;
      i = parent;
    }
    this.times[i] = time;
    this.ids[i] = id;
  }

  /** Removes and returns the id with the earliest time (ties: the smaller id, so runs are deterministic). */
  pop(): number {
    const top = this.ids[0]!;
    const lastT = this.times[--this.n]!;
    const lastId = this.ids[this.n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      let c = l;
      if (r < this.n && (this.times[r]! < this.times[l]! || (this.times[r] === this.times[l] && this.ids[r]! < this.ids[l]!))) c = r;
      const ct = this.times[c]!;
      if (lastT < ct || (lastT === ct && lastId <= this.ids[c]!)) break;
      this.times[i] = ct;
      this.ids[i] = this.ids[c]!;
      i = c;
    }
    this.times[i] = lastT;
    this.ids[i] = lastId;
    return top;
  }
}

/** C CPUs, a FIFO run queue of thread ids and the time from which each queued thread may run. */
export class Scheduler {
  /** Slice length, µs. */
  readonly sliceUs: number;
  readonly cpus: number;
  private readonly queue: Int32Array;
  private headIdx = 0;
  private count = 0;
  /** Earliest time each thread may start (the moment it was woken or yielded). */
  readonly readyAt: Float64Array;
  /** Per CPU: the time it becomes free; CPUs with work pending are in `busy`, idle ones are not. */
  private readonly busy: TimeHeap;
  private readonly idle: Int32Array;
  private idleCount = 0;
  /** Sleeping threads by wake-up time. */
  readonly timers: TimeHeap;

  constructor(threads: number, cpus: number, sliceUs: number) {
    this.sliceUs = sliceUs;
    this.cpus = cpus;
    this.queue = new Int32Array(threads + 1);
    this.readyAt = new Float64Array(threads);
    this.busy = new TimeHeap(cpus);
    this.idle = new Int32Array(cpus);
    for (let c = 0; c < cpus; c++) this.idle[this.idleCount++] = c;
    this.timers = new TimeHeap(threads);
  }

  /** Threads waiting in the run queue (not counting those on a CPU). */
  get queued(): number {
    return this.count;
  }

  /** Puts a thread at the tail of the run queue, runnable from `at`; wakes an idle CPU for it if there is one. */
  enqueue(tid: number, at: number): void {
    this.queue[(this.headIdx + this.count) % this.queue.length] = tid;
    this.count++;
    this.readyAt[tid] = at;
    if (this.idleCount > 0) this.busy.push(at, this.idle[--this.idleCount]!);
  }

  /** Puts a woken thread at the head of the run queue, runnable from `at`. */
  enqueueWoken(tid: number, at: number): void {
    this.headIdx = (this.headIdx - 1 + this.queue.length) % this.queue.length;
    this.queue[this.headIdx] = tid;
    this.count++;
    this.readyAt[tid] = at;
    if (this.idleCount > 0) this.busy.push(at, this.idle[--this.idleCount]!);
  }

  /** Takes the thread at the head of the run queue, or NO_THREAD. */
  dequeue(): number {
    if (this.count === 0) return NO_THREAD;
    const tid = this.queue[this.headIdx]!;
    this.headIdx = (this.headIdx + 1) % this.queue.length;
    this.count--;
    return tid;
  }

  /** Time of the next CPU event (a CPU becoming free), or Infinity when every CPU is idle. */
  nextCpuTime(): number {
    return this.busy.peekTime();
  }

  /** Takes the CPU that becomes free first. */
  popCpu(): number {
    return this.busy.pop();
  }

  /** Says the CPU is busy until `until`. */
  occupy(cpu: number, until: number): void {
    this.busy.push(until, cpu);
  }

  /** Says the CPU found nothing to run. */
  park(cpu: number): void {
    this.idle[this.idleCount++] = cpu;
  }
}
