// One readback for many results: a demo builds the tensors it wants to show inside a tidy scope, they are
// joined into one flat tensor on the device, read once, and handed back by name as host arrays.
import type { Context, Tensor } from '../../src/index';

/**
 * Runs `build` in a tidy scope, reads every tensor it returns with a single device readback, frees them all,
 * and returns their values by name (each flattened, in row-major order).
 */
export async function readAll<K extends string>(
  gb: Context,
  build: () => Record<K, Tensor>,
): Promise<Record<K, Float32Array>> {
  const { flat, layout } = gb.tidy(() => {
    const parts = build();
    const names = Object.keys(parts) as K[];
    const sizes = names.map((k) => parts[k].size);
    const joined = gb.concat(names.map((k) => parts[k].reshape([parts[k].size])));
    return { flat: joined, layout: names.map((k, i) => [k, sizes[i]] as const) };
  });
  let values: Float32Array;
  try {
    values = await flat.data();
  } finally {
    flat.dispose();
  }
  const out = {} as Record<K, Float32Array>;
  let at = 0;
  for (const [k, n] of layout) {
    out[k] = values.slice(at, at + n);
    at += n;
  }
  return out;
}
