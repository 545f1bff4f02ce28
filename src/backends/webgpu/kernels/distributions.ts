// Plans the probability kernels: special functions as broadcasting elementwise ops (shaders/special.wgsl,
// on elementwise.wgsl's addressing) and the per-element samplers of shaders/distributions.wgsl.
import type { PhiloxKey } from '../../../random';
import { seedWords } from '../../../random';
import {
  type Operand,
  SAMPLER_FAMILIES,
  type SamplerFamily,
  SPECIAL_ARITY,
  SPECIAL_OPS,
  type SpecialOp,
} from '../../backend';
import { gridFor } from '../grid';
import { Params } from '../params';
import type { GpuRunner, GpuStorage } from '../runner';
import { SHADERS } from '../shaders';
import { runBroadcast } from './elementwise';

/** Invocations per workgroup of the samplers (random.wgsl's WG). */
const SAMPLE_WG = 64;

export function special(
  r: GpuRunner,
  op: SpecialOp,
  operands: readonly Operand[],
  outShape: readonly number[],
): GpuStorage {
  const entry = `special${SPECIAL_ARITY[op]}`;
  return runBroadcast(r, SHADERS.special, entry, { SPECIAL_OP: SPECIAL_OPS.indexOf(op) }, operands, outShape);
}

export function sample(
  r: GpuRunner,
  family: SamplerFamily,
  params: readonly GpuStorage[],
  batch: number,
  length: number,
  key: PhiloxKey,
  counter: number,
  width: number,
): GpuStorage {
  const out = r.alloc(family === 'multinomial' ? length * width : length);
  if (length === 0 || out.length === 0) return out;
  const c = seedWords(counter);
  r.dispatch({
    shader: SHADERS.distributions,
    entry: 'sample',
    constants: { FAMILY: SAMPLER_FAMILIES.indexOf(family) },
    params: new Params().u32(length, batch, width, key.lo, key.hi, c.lo, c.hi),
    // A family with one parameter binds it twice (read-only bindings may alias).
    buffers: [params[0], params[1] ?? params[0], out],
    workgroups: gridFor(length, SAMPLE_WG),
  });
  return out;
}
