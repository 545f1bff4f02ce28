// Runs a test suite once per backend (TypeScript 'js', WebAssembly 'wasm', 'webgpu'), each with its own
// context, and frees the context afterwards. In CI (CI=true) a missing WebGPU adapter fails the suite:
// WebGPU tests are never skipped there. Node >= 20 always has WebAssembly SIMD, so 'wasm' never skips.
import { afterAll, beforeAll, describe } from 'vitest';
import type { WebGpuBackend } from '../../src/backends/webgpu/webgpu_backend';
import { type Context, createContext } from '../../src/index';

export const BACKENDS = ['js', 'wasm', 'webgpu'] as const;
export type BackendUnderTest = (typeof BACKENDS)[number];

/** Whether WebGPU must exist here: in CI (CI=true) or when GRADBOX_REQUIRE_WEBGPU=1. */
export const mustHaveGpu = process.env.CI === 'true' || process.env.GRADBOX_REQUIRE_WEBGPU === '1';

/** Why WebGPU cannot be used here, or null when it can (probed once per test file). */
export const webgpuMissing: string | null = await createContext({ backend: 'webgpu' }).then(
  (ctx) => {
    ctx.dispose();
    return null;
  },
  (e: Error) => e.message,
);
/**
 * Whether WebGPU-only tests skip: only on a developer machine without a WebGPU adapter, never in CI
 * (there a missing adapter fails the tests that need it). Use as `it.skipIf(skipWebgpu)`.
 */
export const skipWebgpu = webgpuMissing !== null && !mustHaveGpu;
if (skipWebgpu) {
  console.warn(`WebGPU suites are skipped: ${webgpuMissing} (CI=true makes this a failure)`);
}

/**
 * describe() per backend. `use()` gives the suite's context. Outside CI, a machine without WebGPU
 * skips the WebGPU suite and says why; in CI the suite runs and fails at context creation.
 */
export function eachBackend(
  name: string,
  body: (use: () => Context, backend: BackendUnderTest) => void,
): void {
  for (const backend of BACKENDS) {
    // Reason for the skip: no WebGPU adapter on a developer machine (never in CI, see mustHaveGpu).
    const skip = backend === 'webgpu' && webgpuMissing !== null && !mustHaveGpu;
    describe.skipIf(skip)(`${name} [${backend}]`, () => {
      let ctx: Context | null = null;
      beforeAll(async () => {
        ctx = await createContext({ backend, seed: 1 });
      });
      afterAll(() => {
        ctx?.dispose();
        ctx = null;
      });
      body(() => {
        if (!ctx) throw new Error(`the ${backend} context was not created`);
        return ctx;
      }, backend);
    });
  }
}

/** Tensors and bytes a context holds, without the pool's bytes (which move with submits, not with leaks). */
export function held(gb: Context): { tensors: number; bytes: number } {
  const { tensors, bytes } = gb.memory();
  return { tensors, bytes };
}

type Variants = WebGpuBackend['variants'];

/**
 * Runs body with one WebGPU kernel family pinned to a rung of its ladder, and puts 'auto' back afterwards
 * (on the CPU, which has no rungs to pin, it just runs body).
 */
export async function withVariant<F extends keyof Variants>(
  gb: Context,
  family: F,
  variant: Variants[F],
  body: () => Promise<void>,
): Promise<void> {
  if (gb.backend !== 'webgpu') return body();
  const variants = (gb.engine as WebGpuBackend).variants as Variants;
  variants[family] = variant;
  try {
    await body();
  } finally {
    variants[family] = 'auto' as Variants[F];
  }
}
