// The libraries a benchmark compares, behind one small interface, and gradbox's own entries (WebGPU
// with each kernel rung pinnable, and the CPU backends wasm and js). No browser-only imports: bench/node.ts
// uses this in Node.
import { type Context, createContext, linalg, type Tensor } from '../src/index';
import type { StatsOp } from './stats';

/** One op of a suite, run by a library on inputs it already holds. */
export type OpName =
  | 'matmul'
  | 'sum'
  | 'max'
  | 'sum0'
  | 'sum1'
  | 'max0'
  | 'max1'
  | 'addBroadcast'
  | 'softmax'
  | 'logSumExp'
  | 'cumsum'
  | 'sortDesc'
  | 'topk'
  // Linear algebra (issue 10)
  | 'cholesky'
  | 'solve'
  | 'qr'
  | 'eigh'
  | 'svd'
  // Statistics (bench/stats.ts: run by the suite's own libraries in bench/stats-libs.ts)
  | StatsOp;

export interface LibHandle {
  /** Uploads host inputs (shapes given) and returns a runner for the op. */
  prepare(op: OpName, inputs: { data: Float32Array; shape: number[] }[]): Promise<Prepared>;
  dispose(): Promise<void>;
}

export interface Prepared {
  /**
   * Queues the op `times` times and waits for the device (no readback); resolves with the wall time and
   * the GPU kernel time (when known), both in ms for all repetitions together.
   */
  run(times: number): Promise<{ wallMs: number; kernelMs: number | null }>;
  /** Runs the op and reads the result back (an op with several outputs: all of them, one after another). */
  runAndRead(): Promise<Float32Array>;
  dispose(): void;
}

export interface Lib {
  id: string;
  library: 'gradbox' | 'tfjs 4.22' | 'jax-js 0.1.25' | 'ml-matrix 6.15';
  backend: string;
  variant?: string;
  /** Whether the library has the op (default: it has every op of the suites it is given). */
  supports?(op: OpName): boolean;
  open(): Promise<LibHandle>;
}

/** Concatenates the outputs of an op with several (Q then R) into what runAndRead returns. */
export function joined(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function gradboxOp(op: OpName, xs: Tensor[]): Tensor | Tensor[] {
  const [a, b] = xs;
  switch (op) {
    case 'matmul':
      return a.matmul(b);
    case 'sum':
      return a.sum();
    case 'max':
      return a.max();
    case 'sum0':
      return a.sum(0);
    case 'sum1':
      return a.sum(1);
    case 'max0':
      return a.max(0);
    case 'max1':
      return a.max(1);
    case 'addBroadcast':
      return a.add(b);
    case 'softmax':
      return a.softmax(-1);
    case 'logSumExp':
      return a.logSumExp(-1);
    case 'cumsum':
      return a.cumsum(-1);
    case 'sortDesc':
      return a.sort(-1, true);
    case 'topk': {
      const { values, indices } = a.topk(10);
      indices.dispose();
      return values;
    }
    case 'cholesky':
      return linalg.cholesky(a);
    case 'solve':
      return linalg.solve(a, b);
    case 'qr': {
      const { q, r } = linalg.qr(a);
      return [q, r];
    }
    case 'eigh': {
      const { values, vectors } = linalg.eigh(a);
      return [values, vectors];
    }
    case 'svd': {
      const { u, s, vt } = linalg.svd(a);
      return [u, s, vt];
    }
    default:
      throw new Error(`${op}: a stats op, run by the stats suite's libraries (bench/stats-libs.ts)`);
  }
}

const outputs = (y: Tensor | Tensor[]) => (Array.isArray(y) ? y : [y]);

/**
 * gradbox on one backend; for WebGPU, optionally with kernel rungs pinned (`variant`); for wasm, optionally
 * with a thread count (`threads`: 1 gives the single-threaded figures, labelled as the variant '1 thread').
 */
export function gradboxLib(
  backend: 'webgpu' | 'wasm' | 'js',
  variant?: { matmul?: string; reduce?: string; scan?: string; sort?: string },
  threads?: number,
): Lib {
  const label = variant ? Object.values(variant).join('/') : 'auto';
  const threadLabel = threads === undefined ? undefined : `${threads} thread${threads > 1 ? 's' : ''}`;
  return {
    id: `gradbox-${backend}${variant ? `-${label}` : ''}${threads ? `-${threads}t` : ''}`,
    library: 'gradbox',
    backend,
    variant: backend === 'webgpu' ? label : threadLabel,
    async open() {
      const gb: Context = await createContext({ backend, threads });
      if (variant)
        Object.assign((gb as unknown as { engine: { variants: object } }).engine.variants, variant);
      return {
        async prepare(op, inputs) {
          const xs = inputs.map((x) => gb.tensor(x.data, x.shape));
          return {
            async run(times) {
              const { wallMs, gpuMs } = await gb.profile(() => {
                for (let i = 0; i < times; i++) for (const y of outputs(gradboxOp(op, xs))) y.dispose();
              });
              return { wallMs, kernelMs: gpuMs };
            },
            async runAndRead() {
              const ys = outputs(gradboxOp(op, xs));
              const parts = await Promise.all(ys.map((y) => y.data()));
              ys.forEach((y) => y.dispose());
              return ys.length === 1 ? parts[0] : joined(parts);
            },
            dispose: () => xs.forEach((t) => t.dispose()),
          };
        },
        async dispose() {
          gb.dispose();
        },
      };
    },
  };
}
