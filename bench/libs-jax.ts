// jax-js 0.1.25 as a benchmark peer on its wasm device (browser and Node) and its webgpu device (browser):
// the suites' ops, numpy.linalg's included, behind the Lib interface. Its arrays are reference counted and
// every call takes its arguments, so inputs are passed as `.ref` and results disposed once waited for.
import {
  type Array as JaxArray,
  blockUntilReady,
  defaultDevice,
  init,
  lax,
  nn,
  numpy as np,
} from '@jax-js/jax';
import { joined, type Lib, type OpName } from './libs-core';

/** The op on fresh references to its inputs, its outputs in gradbox's order (eigh: values, vectors; svd: u, s, vt). */
function jaxOp(op: OpName, inputs: JaxArray[]): JaxArray[] {
  const [a, b] = inputs.map((x) => x.ref);
  switch (op) {
    case 'matmul':
      return [np.matmul(a, b)];
    case 'sum':
      return [np.sum(a)];
    case 'max':
      return [np.max(a)];
    case 'sum0':
      return [np.sum(a, 0)];
    case 'sum1':
      return [np.sum(a, 1)];
    case 'max0':
      return [np.max(a, 0)];
    case 'max1':
      return [np.max(a, 1)];
    case 'addBroadcast':
      return [np.add(a, b)];
    case 'softmax':
      return [nn.softmax(a, -1)];
    case 'logSumExp':
      return [nn.logsumexp(a, -1)];
    case 'cumsum':
      return [np.cumsum(a, a.shape.length - 1)];
    case 'sortDesc':
      return [np.flip(np.sort(a, -1), -1)];
    case 'topk': {
      const [values, indices] = lax.topK(a, 10);
      indices.dispose();
      return [values];
    }
    case 'cholesky':
      return [np.linalg.cholesky(a)];
    case 'solve':
      return [np.linalg.solve(a, b)];
    case 'eigh':
      return np.linalg.eigh(a);
    case 'svd':
      return np.linalg.svd(a, { fullMatrices: false });
    default:
      throw new Error(`jax-js is not a peer of the ${op} benchmark`);
  }
}

/** The ops jaxOp has: no QR in 0.1.25, and the stats suite has its own peers. */
const JAX_OPS: ReadonlySet<OpName> = new Set<OpName>([
  'matmul',
  'sum',
  'max',
  'sum0',
  'sum1',
  'max0',
  'max1',
  'addBroadcast',
  'softmax',
  'logSumExp',
  'cumsum',
  'sortDesc',
  'topk',
  'cholesky',
  'solve',
  'eigh',
  'svd',
]);

/** jax-js on one device ('wasm' or 'webgpu'); open() starts it (an Error if the device is missing). */
export function jaxLib(device: 'wasm' | 'webgpu'): Lib {
  return {
    id: `jax-js-${device}`,
    library: 'jax-js 0.1.25',
    backend: device,
    supports: (op) => JAX_OPS.has(op),
    async open() {
      if (!(await init(device)).includes(device))
        throw new Error(`jax-js could not start its ${device} device`);
      defaultDevice(device);
      return {
        async prepare(op, inputs) {
          const xs = inputs.map((x) => np.array(x.data, { shape: x.shape, device }));
          return {
            async run(times) {
              // jax-js evaluates lazily: queue every repetition, then wait for them all.
              const t0 = performance.now();
              const ys: JaxArray[] = [];
              for (let i = 0; i < times; i++) ys.push(...jaxOp(op, xs));
              await blockUntilReady(ys);
              const wallMs = performance.now() - t0;
              ys.forEach((y) => y.dispose());
              return { wallMs, kernelMs: null };
            },
            async runAndRead() {
              // data() waits, copies and disposes each array.
              const parts: Float32Array[] = [];
              for (const y of jaxOp(op, xs)) parts.push(Float32Array.from(await y.data()));
              return parts.length === 1 ? parts[0] : joined(parts);
            },
            dispose: () => xs.forEach((x) => x.dispose()),
          };
        },
        async dispose() {},
      };
    },
  };
}
