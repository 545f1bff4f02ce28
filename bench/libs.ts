// The peers of the benchmark page: gradbox, tfjs 4.22 on its webgpu, wasm and cpu backends (the wasm
// files are bundled by Vite, so this module is for the browser page only), and jax-js on wasm and webgpu.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Lib } from './libs-core';
import { tfjsLib as tfjsCore } from './libs-tfjs';

export { gradboxLib, type Lib, type OpName } from './libs-core';
// Issue 13: jax-js as a peer.
export { jaxLib } from './libs-jax';

let wasmPathsSet = false;

/**
 * Where tfjs's wasm backend finds its .wasm files, set once before it starts; and its single-threaded
 * SIMD build, so that it is compared single-threaded. (In a cross-origin-isolated page tfjs would take its
 * threaded build, whose worker fails to start from Vite's bundle: "e is not defined", and never resolves.)
 */
export function prepareTfjsWasm(): void {
  if (wasmPathsSet) return;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // The bundler copies the .wasm files next to the page and gives their URLs.
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  setThreadsCount(1);
  wasmPathsSet = true;
}

export function tfjsLib(backend: 'webgpu' | 'wasm' | 'cpu'): Lib {
  return tfjsCore(backend, () => {
    if (backend === 'wasm') prepareTfjsWasm();
  });
}
