// The WebAssembly module of the wasm backend: every kernel family assembled into one module (once per
// process), instantiated once per backend over that backend's memory.
import { ModuleBuilder } from './assembler';
import { addElementwise } from './kernels/elementwise';
import { addMatmul, addMatvec, DEFAULT_TILE, type MatmulTile } from './kernels/matmul';
import { addOptim } from './kernels/optim';
import { addReduce } from './kernels/reduce';

/** Extra matmul tiles to assemble besides the default (for tuning experiments). @internal */
export const EXTRA_TILES: MatmulTile[] = [];

/** A kernel: integer and float arguments (addresses are byte offsets into the memory). */
export type Kernel = (...args: number[]) => number | undefined;

/** The module's exported kernels by name (e.g. gemm_6x8). */
export type Kernels = Readonly<Record<string, Kernel>>;

/** The module's bytes: every kernel family. */
export function kernelModule(): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder({ minPages: 1, maxPages: 65536, shared: false });
  m.importFunc('log', ['f64'], 'f64'); // Math.log, once per row of a softmax
  addMatmul(m, DEFAULT_TILE);
  for (const t of EXTRA_TILES) addMatmul(m, t);
  addMatvec(m);
  addElementwise(m);
  addReduce(m);
  addOptim(m);
  return m.encode();
}

let compiled: Promise<WebAssembly.Module> | null = null;

/** The kernels over `memory`; the module is compiled on the first call. */
export async function instantiate(memory: WebAssembly.Memory): Promise<Kernels> {
  compiled ??= WebAssembly.compile(kernelModule());
  const instance = await WebAssembly.instantiate(await compiled, { env: { memory, log: Math.log } });
  return instance.exports as unknown as Kernels;
}
