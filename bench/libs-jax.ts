// jax-js 0.1.25 as a peer of the linalg suite: its numpy.linalg on the webgpu device (browser) or the
// wasm device (browser and Node). Its arrays are reference counted: every call takes its arguments, so
// inputs are passed as `.ref` and results disposed once waited for.
import { type Array as JaxArray, blockUntilReady, defaultDevice, init, numpy as np } from '@jax-js/jax';
import { joined, type Lib, type OpName } from './libs-core';

const JAX_OPS: OpName[] = ['cholesky', 'solve', 'eigh', 'svd'];

/** jax-js on one of its devices, for the ops it has (no QR in 0.1.25). */
export function jaxLib(device: 'webgpu' | 'wasm'): Lib {
  return {
    id: `jax-js-${device}`,
    library: 'jax-js 0.1.25',
    backend: device,
    supports: (op) => JAX_OPS.includes(op),
    async open() {
      if (!(await init(device)).includes(device))
        throw new Error(`jax-js could not start its ${device} device`);
      defaultDevice(device);
      return {
        async prepare(op, inputs) {
          const xs = inputs.map((x) => np.array(x.data, { shape: x.shape, device }));
          // Outputs in gradbox's order: eigh -> values then vectors, svd -> u, s, vt.
          const call = (): JaxArray[] => {
            if (op === 'cholesky') return [np.linalg.cholesky(xs[0].ref)];
            if (op === 'solve') return [np.linalg.solve(xs[0].ref, xs[1].ref)];
            if (op === 'eigh') return np.linalg.eigh(xs[0].ref);
            if (op === 'svd') return np.linalg.svd(xs[0].ref, { fullMatrices: false });
            throw new Error(`jax-js is not a peer of the ${op} benchmark`);
          };
          return {
            async run(times) {
              const t0 = performance.now();
              const ys: JaxArray[] = [];
              for (let i = 0; i < times; i++) ys.push(...call());
              await blockUntilReady(ys);
              const wallMs = performance.now() - t0;
              ys.forEach((y) => y.dispose());
              return { wallMs, kernelMs: null };
            },
            async runAndRead() {
              // data() waits, copies and disposes each array.
              const parts: Float32Array[] = [];
              for (const y of call()) parts.push(Float32Array.from(await y.data()));
              return joined(parts);
            },
            dispose: () => xs.forEach((x) => x.dispose()),
          };
        },
        async dispose() {},
      };
    },
  };
}
