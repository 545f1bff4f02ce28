// tfjs 4.22 as a benchmark peer: its ops behind the Lib interface. Only '@tensorflow/tfjs' here, so that
// Node (bench/node.ts) can use the cpu backend; the page adds webgpu and wasm in libs.ts.
import * as tf from '@tensorflow/tfjs';
import type { Lib, OpName } from './libs-core';

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
    case 'max0':
      return tf.max(a, 0);
    case 'max1':
      return tf.max(a, 1);
    case 'addBroadcast':
      return tf.add(a, b);
    case 'softmax':
      return tf.softmax(a, -1);
    case 'logSumExp':
      return tf.logSumExp(a, -1);
    case 'cumsum':
      return tf.cumsum(a, a.rank - 1);
    case 'sortDesc':
    case 'topk': {
      const { values, indices } = tf.topk(a, op === 'topk' ? 10 : a.shape[a.rank - 1]);
      indices.dispose();
      return values;
    }
    default:
      throw new Error(`tfjs is not a peer of the ${op} benchmark`);
  }
}

/** tfjs on one of its backends; `prepare` runs once before the backend starts (e.g. to locate wasm files). */
export function tfjsLib(backend: 'webgpu' | 'wasm' | 'cpu', prepare?: () => void): Lib {
  return {
    id: `tfjs-${backend}`,
    library: 'tfjs 4.22',
    backend,
    async open() {
      prepare?.();
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
