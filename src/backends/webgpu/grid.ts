// Dispatch sizes: turns "this many invocations" into workgroup counts that respect the per-dimension limit.
// Kernels rebuild the flat index with flat_id() in shaders/common.wgsl.

/** Workgroup counts (x, y) covering `count` workgroups, with x at most `maxPerDim`. */
export function grid2d(count: number, maxPerDim = 65535): [number, number] {
  if (count <= maxPerDim) return [count, 1];
  const y = Math.ceil(count / maxPerDim);
  return [Math.ceil(count / y), y];
}

/** Workgroups for one invocation per element of `n`, `wg` invocations per workgroup. */
export function gridFor(n: number, wg: number): [number, number] {
  return grid2d(Math.ceil(n / wg));
}
