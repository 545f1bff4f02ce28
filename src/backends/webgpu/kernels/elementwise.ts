// Plans elementwise dispatches (shaders/elementwise.wgsl): unary, binary, where and strided copies.
// Axes are merged where every operand is contiguous across them, so most broadcasts index in rank <= 3.
import { fmtShape, GradboxError } from '../../../errors';
import { collapseAxes } from '../../axes';
import { BINARY_OPS, type BinaryOp, type Operand, UNARY_OPS, type UnaryOp } from '../../backend';
import { gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage, ShaderSource } from '../runner';
import { SHADERS } from '../shaders';

const WG = 256;
const MAX_RANK = 8;

export { collapseAxes };

function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  return shape.length <= 1 && (shape.length === 0 || strides[0] === 1);
}

/** Runs one of the elementwise entry points over operands (storage or constants) broadcast to outShape. */
function run(
  r: GpuRunner,
  entry: 'unary' | 'binary' | 'where_select',
  op: number,
  operands: readonly Operand[],
  outShape: readonly number[],
): GpuStorage {
  return runBroadcast(r, SHADERS.elementwise, entry, { OP: op }, operands, outShape);
}

/**
 * Runs an entry point of a shader built on elementwise.wgsl (its parameters, bindings and offsets()) over
 * up to three operands broadcast to outShape; `opConstants` pick the function (OP, or a module's own).
 */
export function runBroadcast(
  r: GpuRunner,
  shader: ShaderSource,
  entry: string,
  opConstants: Record<string, number>,
  operands: readonly Operand[],
  outShape: readonly number[],
): GpuStorage {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = r.alloc(n);
  if (n === 0) return out;
  const zeros = outShape.map(() => 0);
  const collapsed = collapseAxes(
    outShape,
    operands.map((x) => (typeof x === 'number' ? zeros : x.strides)),
  );
  if (collapsed.shape.length > MAX_RANK) {
    throw new GradboxError(
      `elementwise: the broadcast ${fmtShape(outShape)} needs ${collapsed.shape.length} distinct axes on the GPU; ` +
        `at most ${MAX_RANK} are supported. Reshape the operands to merge axes first.`,
    );
  }
  let constMask = 0;
  const consts = [0, 0, 0];
  const buffers: GpuStorage[] = [];
  // A constant operand still needs a buffer in its binding slot: any storage of this dispatch will do.
  const placeholder = (operands.find((x) => typeof x !== 'number') as { data: GpuStorage } | undefined)?.data;
  operands.forEach((x, k) => {
    if (typeof x === 'number') {
      constMask |= 1 << k;
      consts[k] = x;
      buffers.push(placeholder ?? out);
    } else {
      buffers.push(x.data as GpuStorage);
    }
  });
  const contiguous = collapsed.strides.every(
    (s, k) => typeof operands[k] === 'number' || isContiguous(collapsed.shape, s),
  );
  buffers.push(out);
  const params = new Params()
    .u32(n, collapsed.shape.length)
    .f32(...consts)
    .u32x4(collapsed.shape, 2);
  for (let k = 0; k < 3; k++) params.u32x4(collapsed.strides[k] ?? [], 2);
  r.dispatch({
    shader,
    entry,
    constants: {
      ...opConstants,
      CONTIGUOUS: contiguous ? 1 : 0,
      CONST_MASK: constMask,
      RANK: contiguous ? 1 : collapsed.shape.length,
    },
    params,
    buffers,
    workgroups: gridFor(n, WG),
  });
  return out;
}

export function unary(r: GpuRunner, op: UnaryOp, x: GpuStorage): GpuStorage {
  return run(r, 'unary', UNARY_OPS.indexOf(op), [{ data: x, strides: [1] }], [x.length]);
}

export function binary(
  r: GpuRunner,
  op: BinaryOp,
  a: Operand,
  b: Operand,
  outShape: readonly number[],
): GpuStorage {
  return run(r, 'binary', BINARY_OPS.indexOf(op), [a, b], outShape);
}

export function where(
  r: GpuRunner,
  c: Operand,
  a: Operand,
  b: Operand,
  outShape: readonly number[],
): GpuStorage {
  return run(r, 'where_select', 0, [c, a, b], outShape);
}

export function strided(
  r: GpuRunner,
  x: GpuStorage,
  strides: readonly number[],
  outShape: readonly number[],
) {
  return run(r, 'unary', UNARY_OPS.indexOf('copy'), [{ data: x, strides }], outShape);
}
