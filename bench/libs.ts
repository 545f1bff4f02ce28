// The libraries a benchmark compares, behind one small interface: gradbox on WebGPU (each kernel rung
// pinnable) and on the CPU, and tfjs 4.22 on its webgpu, wasm and cpu backends.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { type Context, createContext, type Tensor } from '../src/index';

/** One op of a suite, run by a library on inputs it already holds. */
export type OpName = 'matmul' | 'sum' | 'max' | 'sum0' | 'sum1' | 'addBroadcast' | 'softmax' | 'logSumExp';

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
  /** Runs the op and reads the result back. */
  runAndRead(): Promise<Float32Array>;
  dispose(): void;
}

export interface Lib {
  id: string;
  library: 'gradbox' | 'tfjs 4.22';
  backend: string;
  variant?: string;
  open(): Promise<LibHandle>;
}

function gradboxOp(op: OpName, xs: Tensor[]): Tensor {
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
    case 'addBroadcast':
      return a.add(b);
    case 'softmax':
      return a.softmax(-1);
    case 'logSumExp':
      return a.logSumExp(-1);
  }
}

export function gradboxLib(backend: 'webgpu' | 'cpu', variant?: { matmul?: string; reduce?: string }): Lib {
  const label = variant ? Object.values(variant).join('/') : 'auto';
  return {
    id: `gradbox-${backend}${variant ? `-${label}` : ''}`,
    library: 'gradbox',
    backend,
    variant: backend === 'webgpu' ? label : undefined,
    async open() {
      const gb: Context = await createContext({ backend });
      if (variant)
        Object.assign((gb as unknown as { engine: { variants: object } }).engine.variants, variant);
      return {
        async prepare(op, inputs) {
          const xs = inputs.map((x) => gb.tensor(x.data, x.shape));
          return {
            async run(times) {
              const { wallMs, gpuMs } = await gb.profile(() => {
                for (let i = 0; i < times; i++) gradboxOp(op, xs).dispose();
              });
              return { wallMs, kernelMs: gpuMs };
            },
            async runAndRead() {
              const y = gradboxOp(op, xs);
              const d = await y.data();
              y.dispose();
              return d;
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

function tfOp(op: OpName, xs: tf.Tensor[]): tf.Tensor {
  const [a, b] = xs;
  switch (op) {
    case 'matmul':
      return a.rank === 2 ? tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D) : tf.matMul(a, b);
    case 'sum':
      return tf.sum(a);
    case 'max':
      return tf.max(a);
    case 'sum0':
      return tf.sum(a, 0);
    case 'sum1':
      return tf.sum(a, 1);
    case 'addBroadcast':
      return tf.add(a, b);
    case 'softmax':
      return tf.softmax(a, -1);
    case 'logSumExp':
      return tf.logSumExp(a, -1);
  }
}

let wasmPathsSet = false;

export function tfjsLib(backend: 'webgpu' | 'wasm' | 'cpu'): Lib {
  return {
    id: `tfjs-${backend}`,
    library: 'tfjs 4.22',
    backend,
    async open() {
      if (backend === 'wasm' && !wasmPathsSet) {
        // The bundler copies the .wasm files next to the page and gives their URLs.
        setWasmPaths({
          'tfjs-backend-wasm.wasm': wasmPlain,
          'tfjs-backend-wasm-simd.wasm': wasmSimd,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
        });
        wasmPathsSet = true;
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start its ${backend} backend`);
      await tf.ready();
      return {
        async prepare(op, inputs) {
          const xs = inputs.map((x) => tf.tensor(x.data, x.shape));
          return {
            async run(times) {
              // tf.time waits for the kernels and reports their time (GPU timestamps on webgpu).
              const info = await tf.time(() => {
                for (let i = 0; i < times; i++) tfOp(op, xs).dispose();
              });
              return {
                wallMs: info.wallMs,
                kernelMs: backend === 'webgpu' && typeof info.kernelMs === 'number' ? info.kernelMs : null,
              };
            },
            async runAndRead() {
              const y = tfOp(op, xs);
              const d = (await y.data()) as Float32Array;
              y.dispose();
              return Float32Array.from(d);
            },
            dispose: () => xs.forEach((t) => t.dispose()),
          };
        },
        async dispose() {
          tf.disposeVariables();
        },
      };
    },
  };
}
