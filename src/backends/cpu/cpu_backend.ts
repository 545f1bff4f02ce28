// The CPU backend: the fallback when there is no WebGPU, and the reference the GPU kernels are checked against.
// Work happens synchronously on typed arrays; `read` returns a copy so callers never alias storage.
import type { Backend, MatmulPlan, Operand, ReduceOp, SoftmaxMode, Storage, UnaryOp } from '../backend';
import { binary, strided, unary, where } from './elementwise';
import { gather, oneHot, random } from './layout';
import { matmul } from './matmul';
import { reduce, softmax } from './reduce';
import type { CpuStorage } from './storage';

const wrap = (data: Float32Array): CpuStorage => ({ length: data.length, data });
const cpu = (x: Storage) => x as CpuStorage;

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  upload(data: Float32Array): Storage {
    return wrap(data.slice());
  }
  async read(x: Storage): Promise<Float32Array> {
    return cpu(x).data.slice();
  }
  free(_x: Storage): void {}
  bytes(x: Storage): number {
    return x.length * 4;
  }
  fill(value: number, length: number): Storage {
    return wrap(new Float32Array(length).fill(value));
  }
  random = random;
  unary(op: UnaryOp, x: Storage): Storage {
    return unary(op, cpu(x));
  }
  binary = binary;
  where = where;
  matmul(a: Storage, b: Storage, plan: MatmulPlan): Storage {
    return matmul(cpu(a), cpu(b), plan);
  }
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    return reduce(op, cpu(x), outer, size, inner);
  }
  softmax(mode: SoftmaxMode, x: Storage, outer: number, size: number, inner: number): Storage {
    return softmax(mode, cpu(x), outer, size, inner);
  }
  strided(x: Storage, strides: readonly number[], outShape: readonly number[]): Storage {
    return strided(cpu(x), strides, outShape);
  }
  gather(x: Storage, indices: Storage, outer: number, size: number, inner: number): Storage {
    return gather(cpu(x), cpu(indices), outer, size, inner);
  }
  oneHot(indices: Storage, depth: number): Storage {
    return oneHot(cpu(indices), depth);
  }
  dispose(): void {}
}

export type { Operand };
