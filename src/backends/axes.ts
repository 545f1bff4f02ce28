// Axis bookkeeping shared by the backends' elementwise planners: the fewest axes that walk a broadcast
// or strided operand set exactly as the full shape does.

/**
 * Drops axes of length 1 and merges neighbouring axes that every operand walks contiguously.
 * Returns the reduced shape and each operand's strides over it.
 */
export function collapseAxes(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let ax = 0; ax < shape.length; ax++) {
    if (shape[ax] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[ax] * shape[ax]);
    if (mergeable) {
      outShape[last] *= shape[ax];
      strides.forEach((s, k) => {
        outStrides[k][last] = s[ax];
      });
    } else {
      outShape.push(shape[ax]);
      strides.forEach((s, k) => {
        outStrides[k].push(s[ax]);
      });
    }
  }
  return { shape: outShape, strides: outStrides };
}
