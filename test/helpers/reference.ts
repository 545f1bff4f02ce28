// Float64 references computed in the tests themselves, independent of both backends' code.
// Each is the plainest loop that states the definition.

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major multi-index of flat index i. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = i % shape[a];
    i = Math.floor(i / shape[a]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let a = 0; a < shape.length; a++) f = f * shape[a] + idx[a];
  return f;
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const ds = shapes.map((s) => s[s.length - rank + i] ?? 1);
    out.push(Math.max(...ds));
  }
  return out;
}

/** Value of x (with shape `shape`) at output multi-index `idx` under broadcasting. */
export function at(x: ArrayLike<number>, shape: readonly number[], idx: readonly number[]): number {
  const lead = idx.length - shape.length;
  const own = shape.map((d, a) => (d === 1 ? 0 : idx[a + lead]));
  return x[ravel(own, shape)];
}

export function mapBroadcast(
  inputs: { data: ArrayLike<number>; shape: readonly number[] }[],
  f: (...v: number[]) => number,
): { data: Float64Array; shape: number[] } {
  const shape = broadcastShape(...inputs.map((x) => x.shape));
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    out[i] = f(...inputs.map((x) => at(x.data, x.shape, idx)));
  }
  return { data: out, shape };
}

/** Batched matmul reference with NumPy broadcasting of batch axes (2-D or more on both sides). */
export function matmulRef(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): { data: Float64Array; shape: number[] } {
  const [M, K] = aShape.slice(-2);
  const N = bShape[bShape.length - 1];
  const batch = broadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  const out = new Float64Array(size(batch) * M * N);
  for (let z = 0; z < size(batch); z++) {
    const bi = unravel(z, batch);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          s += at(a, aShape, [...bi, m, k]) * at(b, bShape, [...bi, k, n]);
        }
        out[(z * M + m) * N + n] = s;
      }
    }
  }
  return { data: out, shape: [...batch, M, N] };
}

/** Reduces the given axes of x with f over the list of values (in index order). */
export function reduceRef(
  x: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
  f: (values: number[]) => number,
  keepDims = false,
): { data: Float64Array; shape: number[] } {
  const outShapeKeep = shape.map((d, a) => (axes.includes(a) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < size(shape); i++) {
    const idx = unravel(i, shape).map((v, a) => (axes.includes(a) ? 0 : v));
    const o = ravel(idx, outShapeKeep);
    const g = groups.get(o) ?? [];
    g.push(x[i]);
    groups.set(o, g);
  }
  const out = new Float64Array(size(outShapeKeep));
  for (let o = 0; o < out.length; o++) out[o] = f(groups.get(o) ?? []);
  const outShape = keepDims ? outShapeKeep : shape.filter((_, a) => !axes.includes(a));
  return { data: out, shape: outShape };
}

export const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const maxOf = (v: number[]) => (v.some(Number.isNaN) ? Number.NaN : Math.max(...v));
export const minOf = (v: number[]) => (v.some(Number.isNaN) ? Number.NaN : Math.min(...v));
export const argmaxOf = (v: number[]) => {
  let best = 0;
  for (let i = 1; i < v.length; i++)
    if (Number.isNaN(v[i]) ? !Number.isNaN(v[best]) : v[i] > v[best]) best = i;
  return best;
};
export const argminOf = (v: number[]) => {
  let best = 0;
  for (let i = 1; i < v.length; i++)
    if (Number.isNaN(v[i]) ? !Number.isNaN(v[best]) : v[i] < v[best]) best = i;
  return best;
};
