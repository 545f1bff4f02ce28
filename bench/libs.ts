// The peers of the benchmark page: gradbox, and tfjs 4.22 on its webgpu, wasm and cpu backends (the wasm
// files are bundled by Vite, so this module is for the browser page only).
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Lib } from './libs-core';
import { tfjsLib as tfjsCore } from './libs-tfjs';

export { gradboxLib, type Lib, type OpName } from './libs-core';

let wasmPathsSet = false;

export function tfjsLib(backend: 'webgpu' | 'wasm' | 'cpu'): Lib {
  return tfjsCore(backend, () => {
    if (backend !== 'wasm' || wasmPathsSet) return;
    // The bundler copies the .wasm files next to the page and gives their URLs.
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    });
    wasmPathsSet = true;
  });
}
