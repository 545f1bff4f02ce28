// tfjs 4.22 as a benchmark peer, on its webgpu, wasm and cpu backends (browser page only: the wasm
// files are bundled by Vite).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Lib, OpName } from './libs-core';

export { gradboxLib, type Lib, type OpName } from './libs-core';

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
