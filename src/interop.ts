// WebGPU interop: a GPUBuffer of the application's own as a tensor, without a copy. (The other way,
// tensor.buffer and tensor.bufferOffset, lives on Tensor.)
import type { Context } from './context';
import { describe, fmtShape, GradboxError } from './errors';
import { checkShape, sizeOf } from './shape';
import type { Tensor } from './tensor';

/** The function form behind Context.fromBuffer. */
export function fromBuffer(ctx: Context, buffer: GPUBuffer, shape: readonly number[]): Tensor {
  const op = 'fromBuffer';
  const s = checkShape(op, shape);
  const gpu = ctx.engine.gpu;
  if (!gpu) {
    throw new GradboxError(
      `${op}: needs the WebGPU backend, but this context runs on ${ctx.engine.description} (${ctx.backendReason})`,
    );
  }
  if (!buffer || typeof (buffer as GPUBuffer).usage !== 'number') {
    throw new GradboxError(`${op}: expected a GPUBuffer, got ${describe(buffer)}`);
  }
  const need = sizeOf(s) * 4;
  if (buffer.size < need) {
    throw new GradboxError(
      `${op}: shape ${fmtShape(s)} needs ${need} bytes, but the buffer has ${buffer.size}; give a larger buffer or a smaller shape`,
    );
  }
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  if ((buffer.usage & usage) !== usage) {
    throw new GradboxError(
      `${op}: the buffer's usage must include STORAGE and COPY_SRC (got ${buffer.usage}); create it with ` +
        'usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST',
    );
  }
  return ctx.wrap(gpu.wrap(buffer, sizeOf(s)), s);
}
