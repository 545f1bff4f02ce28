// Plans strided copies (shaders/shape.wgsl) for slice, flip, pad and concat: an element offset and signed
// strides on both sides. Axes that both sides walk contiguously are merged first, as for elementwise ops.
import { fmtShape, GradboxError } from '../../../errors';
import { gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';
import { collapseAxes } from './elementwise';

const WG = 256;
const MAX_RANK = 8;

function rowMajor(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Encodes dst[dstOffset + idx . dstStrides] = src[srcOffset + idx . srcStrides] over `shape`. */
function copy(
  r: GpuRunner,
  dst: GpuStorage,
  dstOffset: number,
  dstStrides: readonly number[],
  src: GpuStorage,
  srcOffset: number,
  srcStrides: readonly number[],
  shape: readonly number[],
): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) return;
  const c = collapseAxes(shape, [srcStrides, dstStrides]);
  if (c.shape.length > MAX_RANK) {
    throw new GradboxError(
      `strided copy: ${fmtShape(shape)} needs ${c.shape.length} distinct axes on the GPU; at most ${MAX_RANK} ` +
        'are supported. Reshape to merge axes first.',
    );
  }
  const params = new Params()
    .u32(n, srcOffset, dstOffset)
    .u32x4(c.shape, 2)
    .u32x4(c.strides[0], 2)
    .u32x4(c.strides[1], 2);
  r.dispatch({
    shader: SHADERS.shape,
    entry: 'strided_copy',
    constants: { RANK: c.shape.length },
    params,
    buffers: [src, dst],
    workgroups: gridFor(n, WG),
  });
}

export function stridedRead(
  r: GpuRunner,
  x: GpuStorage,
  offset: number,
  strides: readonly number[],
  outShape: readonly number[],
): GpuStorage {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = r.alloc(n);
  copy(r, out, 0, rowMajor(outShape), x, offset, strides, outShape);
  return out;
}

export function stridedInto(
  r: GpuRunner,
  dst: GpuStorage,
  dstOffset: number,
  dstStrides: readonly number[],
  src: GpuStorage,
  srcStrides: readonly number[],
  shape: readonly number[],
): void {
  copy(r, dst, dstOffset, dstStrides, src, 0, srcStrides, shape);
}
