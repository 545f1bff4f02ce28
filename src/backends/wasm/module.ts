// The WebAssembly module of the wasm backend: every kernel family assembled into one module (once per
// process), instantiated once per backend over that backend's memory.
import { ModuleBuilder } from './assembler';
import { addElementwise } from './kernels/elementwise';
import { addLinalg } from './kernels/linalg';
import { addMatmul, addMatvec, DEFAULT_TILE, type MatmulTile } from './kernels/matmul';
import { addOptim } from './kernels/optim';
import { addRandom } from './kernels/random';
import { addReduce } from './kernels/reduce';

/** Extra matmul tiles to assemble besides the default (for tuning experiments). @internal */
export const EXTRA_TILES: MatmulTile[] = [];

/** A kernel: integer and float arguments (addresses are byte offsets into the memory). */
export type Kernel = (...args: number[]) => number | undefined;

/** The module's exported kernels by name (e.g. gemm_6x8). */
export type Kernels = Readonly<Record<string, Kernel>>;

/** What the module is made for: a shared memory (threads), and relaxed SIMD's multiply-add. */
export interface ModuleFeatures {
  shared: boolean;
  fma: boolean;
}

/** The module's bytes: every kernel family. */
export function kernelModule({ shared, fma }: ModuleFeatures): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder({ minPages: 1, maxPages: 65536, shared, fma });
  m.importFunc('log', ['f64'], 'f64'); // Math.log, once per row of a softmax
  addMatmul(m, DEFAULT_TILE);
  for (const t of EXTRA_TILES) addMatmul(m, t);
  addMatvec(m);
  addElementwise(m);
  addReduce(m);
  addOptim(m);
  addRandom(m);
  addLinalg(m);
  return m.encode();
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** The module for these features, compiled once per process. */
export function compiledModule(features: ModuleFeatures): Promise<WebAssembly.Module> {
  const key = `${features.shared}/${features.fma}`;
  let m = compiled.get(key);
  if (!m) {
    m = WebAssembly.compile(kernelModule(features));
    compiled.set(key, m);
  }
  return m;
}

/** The kernels over `memory` (shared or not, as the module was made for). */
export async function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Kernels> {
  const instance = await WebAssembly.instantiate(module, { env: { memory, log: Math.log } });
  return instance.exports as unknown as Kernels;
}
