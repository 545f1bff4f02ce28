// Errors that gradbox throws for bad input or bad situations, and the helpers that word them.
// Every message says what was given, what was expected and, where it helps, what to do.

/** The error type for everything gradbox rejects: bad shapes, bad values, disposed tensors, lost devices. */
export class GradboxError extends Error {
  override name = 'GradboxError';
}

/** Formats a shape the way messages show it: `(3,4)`, `()` for a scalar. */
export function fmtShape(shape: readonly number[]): string {
  return `(${shape.join(',')})`;
}

/** Describes any value briefly for an error message, e.g. `"abc" (string)` or `NaN`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return `a ${typeof value}${typeof value === 'object' ? ` (${value.constructor?.name ?? 'Object'})` : ''}`;
}
