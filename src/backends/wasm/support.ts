// What this JavaScript engine offers the WebAssembly backend: SIMD128 (required), and threads (shared
// memory and workers, optional). Probed once by validating tiny modules, which compiles nothing.
import { f32x4, get, ModuleBuilder, v128 } from './assembler';

let simdMissing: string | null | undefined;
let relaxed: boolean | undefined;

/**
 * Whether the engine has relaxed SIMD's multiply-add (Chrome 114+, Firefox 145+, Node 22+): the matmul
 * kernels then use it, one fused instruction per multiply-add on CPUs with FMA.
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxed !== undefined) return relaxed;
  const m = new ModuleBuilder({ minPages: 1, maxPages: 1, shared: false });
  m.func('probe', ['i32'], null, (_f, p) =>
    v128.store(get(p), f32x4.relaxedMadd(v128.load(get(p)), f32x4.const(2), f32x4.const(1))),
  );
  relaxed = typeof WebAssembly === 'object' && WebAssembly.validate(m.encode());
  return relaxed;
}

/** Why the wasm backend cannot run here (no WebAssembly, or no SIMD128), or null when it can. */
export function wasmSimdMissing(): string | null {
  if (simdMissing !== undefined) return simdMissing;
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    simdMissing = 'this JavaScript engine has no WebAssembly';
    return simdMissing;
  }
  const m = new ModuleBuilder({ minPages: 1, maxPages: 1, shared: false });
  m.func('probe', ['i32'], null, (_f, p) => v128.store(get(p), f32x4.add(v128.load(get(p)), f32x4.const(1))));
  simdMissing = WebAssembly.validate(m.encode()) ? null : 'this WebAssembly engine has no SIMD128';
  return simdMissing;
}
