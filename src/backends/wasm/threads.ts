// Threads for the wasm backend: workers (Web Workers in browsers, worker_threads in Node) that share the
// backend's memory and run its kernels when asked. A request is a function index and integer arguments
// written to the worker's control block in that memory; the worker sleeps in Atomics.wait between requests.
import { CONTROL } from './heap';
import type { Kernels } from './module';

/** The most threads a backend uses (workers plus the calling thread). */
export const MAX_THREADS = 16;
/** Bytes of a control block: state, function, argument count, 12 arguments, error flag. */
export const CONTROL_BYTES = 64;
const MAX_ARGS = 12;
const IDLE = 0;
const WORK = 1;
const QUIT = 2;

/** One call of an exported kernel with integer arguments. */
export interface Task {
  fn: string;
  args: number[];
}

/**
 * The worker's program (a string, so that no bundler has to find a file): instantiate the module over the
 * shared memory, say ready, then serve requests until told to quit. `ENV` is filled per platform.
 */
const WORKER_BODY = `
function serve(msg, reply) {
  const { module, memory, names, control } = msg;
  const instance = new WebAssembly.Instance(module, { env: { memory, log: Math.log } });
  const fns = names.map((n) => instance.exports[n]);
  const i32 = new Int32Array(memory.buffer);
  const at = control >> 2;
  reply('ready');
  for (;;) {
    Atomics.wait(i32, at, ${IDLE});
    if (Atomics.load(i32, at) === ${QUIT}) return;
    const args = [];
    for (let k = 0; k < i32[at + 2]; k++) args.push(i32[at + 3 + k]);
    try {
      fns[i32[at + 1]](...args);
      i32[at + 15] = 0;
    } catch (e) {
      i32[at + 15] = 1;
    }
    Atomics.store(i32, at, ${IDLE});
    Atomics.notify(i32, at);
  }
}
`;
const NODE_WORKER = `${WORKER_BODY}
const { parentPort } = require('node:worker_threads');
parentPort.once('message', (msg) => serve(msg, (m) => parentPort.postMessage(m)));
`;
const BROWSER_WORKER = `${WORKER_BODY}
self.onmessage = (e) => serve(e.data, (m) => self.postMessage(m));
`;

interface WorkerHandle {
  post(msg: unknown): void;
  terminate(): void;
}

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

/** How many threads can run here (1 when threads cannot: no shared memory, or a page not isolated). */
export async function threadsAvailable(): Promise<{ count: number; why: string }> {
  if (typeof SharedArrayBuffer === 'undefined') return { count: 1, why: 'no SharedArrayBuffer' };
  if (!isNode() && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return { count: 1, why: 'the page is not cross-origin isolated (COOP/COEP headers)' };
  }
  let cores: number;
  if (isNode()) {
    const name = 'node:os'; // a variable keeps bundlers from resolving this Node module for browsers
    const os = (await import(/* @vite-ignore */ name)) as {
      availableParallelism?: () => number;
      cpus(): unknown[];
    };
    cores = os.availableParallelism?.() ?? os.cpus().length;
  } else {
    cores =
      (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  }
  return { count: Math.max(1, Math.min(MAX_THREADS, cores)), why: `${cores} cores` };
}

async function spawn(onMessage: (m: unknown) => void, onError: (e: Error) => void): Promise<WorkerHandle> {
  if (isNode()) {
    const name = 'node:worker_threads';
    const wt = (await import(/* @vite-ignore */ name)) as {
      Worker: new (
        src: string,
        o: { eval: boolean },
      ) => {
        postMessage(m: unknown): void;
        terminate(): unknown;
        unref(): void;
        on(ev: string, f: (x: never) => void): void;
      };
    };
    const w = new wt.Worker(NODE_WORKER, { eval: true });
    w.unref(); // a forgotten backend must not keep the process alive
    w.on('message', onMessage);
    w.on('error', onError);
    return { post: (m) => w.postMessage(m), terminate: () => void w.terminate() };
  }
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  w.onmessage = (e) => onMessage(e.data);
  w.onerror = (e) => onError(new Error(e.message || 'the worker failed to start'));
  return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
}

/** Workers over one shared memory, each with a control block at CONTROL + i * CONTROL_BYTES. */
export class ThreadPool {
  private readonly i32: Int32Array;
  private readonly index: Map<string, number>;
  /** Whether this thread may sleep in Atomics.wait (not a browser's main thread: it spins instead). */
  private readonly canBlock: boolean;

  private constructor(
    memory: WebAssembly.Memory,
    names: readonly string[],
    private readonly workers: WorkerHandle[],
  ) {
    // Control blocks sit in the reserved start of memory, which a grown (shared) buffer keeps.
    this.i32 = new Int32Array(memory.buffer);
    this.index = new Map(names.map((n, i) => [n, i]));
    let canBlock = true;
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    } catch {
      canBlock = false;
    }
    this.canBlock = canBlock;
  }

  /** Starts `count` workers running `module` over `memory` (shared); resolves once all are ready. */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    names: readonly string[],
    count: number,
  ): Promise<ThreadPool> {
    const workers: WorkerHandle[] = [];
    const startOne = (i: number) =>
      new Promise<void>((resolve, reject) => {
        spawn((m) => (m === 'ready' ? resolve() : undefined), reject).then((h) => {
          workers.push(h);
          h.post({ module, memory, names, control: CONTROL + (i + 1) * CONTROL_BYTES });
        }, reject);
      });
    try {
      await Promise.all(Array.from({ length: count }, (_, i) => startOne(i)));
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return new ThreadPool(memory, names, workers);
  }

  /** Threads that run tasks: the workers and the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Runs tasks[0] here and tasks[i] on worker i (at most `threads` tasks), and waits for all of them. */
  run(kernels: Kernels, tasks: readonly Task[]): void {
    if (tasks.length > this.threads)
      throw new Error(`thread pool: ${tasks.length} tasks for ${this.threads} threads`);
    const i32 = this.i32;
    for (let t = 1; t < tasks.length; t++) {
      const at = (CONTROL + t * CONTROL_BYTES) >> 2;
      const { fn, args } = tasks[t];
      if (args.length > MAX_ARGS) throw new Error(`thread pool: ${fn} has more than ${MAX_ARGS} arguments`);
      i32[at + 1] = this.index.get(fn)!;
      i32[at + 2] = args.length;
      args.forEach((v, k) => (i32[at + 3 + k] = v));
      Atomics.store(i32, at, WORK);
      Atomics.notify(i32, at);
    }
    let failed: unknown = null;
    try {
      if (tasks.length) kernels[tasks[0].fn](...tasks[0].args);
    } catch (e) {
      failed = e;
    }
    for (let t = 1; t < tasks.length; t++) {
      const at = (CONTROL + t * CONTROL_BYTES) >> 2;
      if (this.canBlock) {
        while (Atomics.load(i32, at) === WORK) Atomics.wait(i32, at, WORK);
      } else {
        while (Atomics.load(i32, at) === WORK) {
          // spin: a browser's main thread may not sleep; the workers' shares are about as long as ours
        }
      }
      if (i32[at + 15] !== 0) failed ??= new Error(`thread pool: ${tasks[t].fn} failed on worker ${t}`);
    }
    if (failed) throw failed;
  }

  /** Stops the workers. */
  dispose(): void {
    for (let t = 1; t <= this.workers.length; t++) {
      const at = (CONTROL + t * CONTROL_BYTES) >> 2;
      Atomics.store(this.i32, at, QUIT);
      Atomics.notify(this.i32, at);
    }
    for (const w of this.workers) w.terminate();
  }
}
