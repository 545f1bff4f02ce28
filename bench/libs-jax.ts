// jax-js 0.1.25 as a benchmark peer on its wasm and webgpu devices: the suites' ops behind the Lib
// interface. jax-js arrays move into the ops that use them, so inputs are passed as `.ref` (a new reference)
// and every result is disposed; each run waits for its result to be ready (jax-js evaluates lazily).
import { init, lax, nn, numpy as np } from '@jax-js/jax';
import type { Lib, OpName } from './libs-core';

type JaxArray = ReturnType<typeof np.array>;

function jaxOp(op: OpName, xs: JaxArray[]): JaxArray {
  const [a, b] = xs.map((x) => x.ref);
  switch (op) {
    case 'matmul':
      return np.matmul(a, b);
    case 'sum':
      return np.sum(a);
    case 'max':
      return np.max(a);
    case 'sum0':
      return np.sum(a, 0);
    case 'sum1':
      return np.sum(a, 1);
    case 'max0':
      return np.max(a, 0);
    case 'max1':
      return np.max(a, 1);
    case 'addBroadcast':
      return np.add(a, b);
    case 'softmax':
      return nn.softmax(a, -1);
    case 'logSumExp':
      return nn.logsumexp(a, -1);
    case 'cumsum':
      return np.cumsum(a, a.shape.length - 1);
    case 'sortDesc':
      return np.flip(np.sort(a, -1), -1);
    case 'topk': {
      const [values, indices] = lax.topK(a, 10);
      indices.dispose();
      return values;
    }
  }
}

/** jax-js on one device ('wasm' or 'webgpu'); init() starts it (an Error if the device is missing). */
export function jaxLib(device: 'wasm' | 'webgpu'): Lib {
  return {
    id: `jax-js-${device}`,
    library: 'jax-js 0.1.25',
    backend: device,
    async open() {
      const ready = await init(device);
      if (!ready.includes(device)) throw new Error(`jax-js could not start its ${device} device`);
      return {
        async prepare(op, inputs) {
          const xs = inputs.map((x) => np.array(x.data, { shape: x.shape, device }));
          return {
            async run(times) {
              const t0 = performance.now();
              for (let i = 0; i < times; i++) {
                const y = jaxOp(op, xs);
                await y.blockUntilReady();
                y.dispose();
              }
              return { wallMs: performance.now() - t0, kernelMs: null };
            },
            async runAndRead() {
              return Float32Array.from(await jaxOp(op, xs).data());
            },
            dispose: () => xs.forEach((x) => x.dispose()),
          };
        },
        async dispose() {},
      };
    },
  };
}
