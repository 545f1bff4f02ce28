// Conversion between nested JavaScript arrays and flat Float32Arrays with a shape.
// Validates as it goes: ragged rows and non-numeric entries are reported with their position.
import { describe, GradboxError } from './errors';
import type { Shape } from './shape';

/** A number, or arrays of arrays of numbers (any depth). */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Infers the shape of a nested array and flattens it in row-major order. */
export function flatten(op: string, value: NestedArray): { data: Float32Array; shape: number[] } {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  let k = 0;
  const walk = (v: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) {
        throw new GradboxError(
          `${op}: ragged nested array: at [${path.join('][')}] found an array where a number was expected ` +
            `(the first row fixes the shape to (${shape.join(',')}))`,
        );
      }
      if (typeof v === 'number') data[k++] = v;
      else if (typeof v === 'boolean') data[k++] = v ? 1 : 0;
      else {
        const where = path.length ? ` at [${path.join('][')}]` : '';
        throw new GradboxError(`${op}: expected a number${where}, got ${describe(v)}`);
      }
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const got = Array.isArray(v) ? `length ${v.length}` : describe(v);
      throw new GradboxError(
        `${op}: ragged nested array: at [${path.join('][')}] expected an array of length ${shape[depth]}, ` +
          `got ${got}; every row must have the same length`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, [...path, i]);
  };
  walk(value, 0, []);
  return { data, shape };
}

/** Rebuilds nested arrays from flat row-major data; a scalar shape gives a plain number. */
export function unflatten(data: ArrayLike<number>, shape: Shape): NestedArray {
  if (shape.length === 0) return data[0];
  let offset = 0;
  const build = (depth: number): NestedArray[] => {
    const out: NestedArray[] = new Array(shape[depth]);
    for (let i = 0; i < shape[depth]; i++) {
      if (depth === shape.length - 1) out[i] = data[offset++];
      else out[i] = build(depth + 1);
    }
    return out;
  };
  return build(0);
}
