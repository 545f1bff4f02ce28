// Linear-algebra building blocks on both backends: dot, outer, einsum, diag, triu, tril, cdist. einsum is
// checked spec by spec against an explicit loop over every assignment of its labels; the rest against
// float64 loops of their definitions; checkGrad covers every gradient.
import { expect, it } from 'vitest';
import { type Context, GradboxError, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';
import { ravel, size, unravel } from './helpers/reference';

const EXACT = { rtol: 0, atol: 0 };
/** Sums of up to ~260 float32 products: float32 accumulation error, relative to the terms' magnitude. */
const SUMS = { rtol: 1e-5, atol: 2e-5 };

/** einsum by definition: loop over every assignment of all labels, multiply, add into the output. */
function einsumRef(spec: string, inputs: { data: ArrayLike<number>; shape: number[] }[]) {
  const [lhs, rhsGiven] = spec.split('->');
  const ins = lhs.split(',').map((s) => [...s]);
  const all = ins.flat();
  const rhs =
    rhsGiven ??
    [...new Set(all)]
      .filter((c) => all.indexOf(c) === all.lastIndexOf(c))
      .sort()
      .join('');
  const labels = [...new Set(all)];
  const dim = new Map<string, number>();
  ins.forEach((ls, i) => ls.forEach((c, a) => dim.set(c, inputs[i].shape[a])));
  const outShape = [...rhs].map((c) => dim.get(c)!);
  const out = new Float64Array(size(outShape));
  const space = labels.map((c) => dim.get(c)!);
  for (let z = 0; z < size(space); z++) {
    const v = unravel(z, space);
    const val = (c: string) => v[labels.indexOf(c)];
    let p = 1;
    ins.forEach((ls, i) => {
      p *= inputs[i].data[ravel(ls.map(val), inputs[i].shape)];
    });
    out[ravel([...rhs].map(val), outShape)] += p;
  }
  return { data: out, shape: outShape };
}

function weighted(gb: Context, y: Tensor, seed: number): Tensor {
  return y.mul(gb.tensor(randomData(y.size, seed), y.shape)).sum();
}

async function gradOk(gb: Context, f: (...xs: Tensor[]) => Tensor, shapes: number[][], what: string) {
  const inputs = shapes.map((s, i) => gb.tensor(randomData(size(s), 60 + i), s));
  const res = await gb.checkGrad((...xs) => weighted(gb, f(...xs), 5), inputs);
  expect(res.ok, `${what}: ${JSON.stringify(res.inputs)}`).toBe(true);
  inputs.forEach((t) => t.dispose());
}

const SPECS: [string, number[][]][] = [
  [
    'ij,jk->ik',
    [
      [3, 129],
      [129, 5],
    ],
  ],
  [
    'bij,bjk->bik',
    [
      [2, 3, 65],
      [2, 65, 4],
    ],
  ],
  ['ij,j->i', [[3, 129], [129]]],
  ['i,i->', [[257], [257]]],
  ['ij->ji', [[3, 129]]],
  ['bij->bji', [[65, 2, 5]]],
  ['ii->i', [[7, 7]]],
  ['ii->', [[7, 7]]],
  ['ij->', [[3, 129]]],
  ['ij->j', [[65, 3]]],
  ['i,j->ij', [[3], [129]]],
  [
    'ij,ij->ij',
    [
      [3, 129],
      [3, 129],
    ],
  ],
  [
    'ij,kj->ik',
    [
      [3, 65],
      [4, 65],
    ],
  ],
  [
    'bij,bkj->bki',
    [
      [2, 3, 5],
      [2, 4, 5],
    ],
  ],
  [
    'ijk,jil->kl',
    [
      [3, 2, 4],
      [2, 3, 5],
    ],
  ],
  ['ii,i->i', [[5, 5], [5]]],
  ['iij->ji', [[3, 3, 4]]],
  [
    'ij,jk',
    [
      [3, 4],
      [4, 2],
    ],
  ],
  ['ji', [[3, 4]]],
  [
    ' i j , j k -> k i ',
    [
      [2, 3],
      [3, 4],
    ],
  ],
  [
    'ij,jk->ik',
    [
      [0, 3],
      [3, 2],
    ],
  ],
  [
    'ij,jk->ik',
    [
      [2, 0],
      [0, 3],
    ],
  ],
];

eachBackend('linear-algebra building blocks', (use) => {
  it('dot and outer match float64 loops', async () => {
    const gb = use();
    const u = randomData(257, 1);
    const v = randomData(257, 2);
    let want = 0;
    for (let i = 0; i < 257; i++) want += u[i] * v[i];
    const d = gb.tensor(u).dot(gb.tensor(v));
    expect(d.shape).toEqual([]);
    expectClose([await d.item()], [want], SUMS, 'dot');
    const a = randomData(3, 3);
    const b = randomData(129, 4);
    const o = gb.tensor(a).outer(gb.tensor(b));
    expect(o.shape).toEqual([3, 129]);
    const wantO = new Float64Array(3 * 129).map((_, i) => Math.fround(a[Math.floor(i / 129)] * b[i % 129]));
    expectClose(await o.data(), wantO, EXACT, 'outer');
    expect(gb.tensor(a, [3, 1]).outer(gb.tensor([1, 2])).shape).toEqual([3, 2]); // flattened, as NumPy
    expect(
      await gb
        .zeros([0])
        .dot(gb.zeros([0]))
        .item(),
    ).toBe(0);
  });

  for (const [spec, shapes] of SPECS) {
    it(`einsum '${spec}' ${shapes.map((s) => `(${s})`).join(' ')} matches the loop reference`, async () => {
      const gb = use();
      const inputs = shapes.map((s, i) => ({ data: randomData(size(s), 30 + i), shape: s }));
      const want = einsumRef(spec.replace(/\s+/g, ''), inputs);
      const y = gb.einsum(spec, ...inputs.map((x) => gb.tensor(x.data, x.shape)));
      expect(y.shape).toEqual(want.shape);
      expectClose(await y.data(), want.data, SUMS, `einsum ${spec}`);
    });
  }

  it('einsum rejects bad specs with messages that say what to do', () => {
    const gb = use();
    const m = gb.zeros([2, 3]);
    const v = gb.zeros([3]);
    const cases: [() => unknown, RegExp][] = [
      [() => gb.einsum(3 as never, m), /the spec must be a string like 'ij,jk->ik', got 3/],
      [
        () => gb.einsum('...ij->...ji', m),
        /ellipsis \('...'\) is not supported.*name every axis with a letter/,
      ],
      [() => gb.einsum('ij->j->i', m), /more than one '->'/],
      [() => gb.einsum('i1,j', m, v), /may hold only letters \(one per axis\)/],
      [() => gb.einsum('ij,j,j', m, v, v), /takes one or two operands, got 3/],
      [() => gb.einsum('ij,j', m), /names 2 operand\(s\) but 1 tensor\(s\) were given/],
      [() => gb.einsum('ijk->i', m), /operand 0 has shape \(2,3\) \(rank 2\) but 'ijk'.*names 3 axes/],
      [() => gb.einsum('ij,i->j', m, v), /label 'i' .* different lengths \(2 and 3, operand 1 \(3\)\)/],
      [() => gb.einsum('ij->ii', m), /output label 'i' appears twice/],
      [() => gb.einsum('ij->k', m), /output label 'k' in 'ij->k' appears in no operand/],
      [() => gb.einsum('ij', 2 as never), /einsum: expected a Tensor, got 2/],
    ];
    for (const [f, re] of cases) {
      expect(f).toThrow(GradboxError);
      expect(f).toThrow(re);
    }
  });

  it('diag takes (offset) diagonals of matrices and builds diagonal matrices from vectors', async () => {
    const gb = use();
    const x = randomData(3 * 129, 8);
    const t = gb.tensor(x, [3, 129]);
    for (const k of [0, 5, -1, -2, 128, 129, -3]) {
      const want: number[] = [];
      for (let i = 0; i < 3; i++) if (i + k >= 0 && i + k < 129) want.push(x[i * 129 + i + k]);
      const d = t.diag(k);
      expect(d.shape).toEqual([want.length]);
      expectClose(await d.data(), want, EXACT, `diag k=${k}`);
    }
    const v = randomData(257, 9);
    for (const k of [0, 2, -1]) {
      const N = 257 + Math.abs(k);
      const want = new Float64Array(N * N);
      for (let i = 0; i < 257; i++) {
        const [r, c] = k >= 0 ? [i, i + k] : [i - k, i];
        want[r * N + c] = v[i];
      }
      const m = gb.tensor(v).diag(k);
      expect(m.shape).toEqual([N, N]);
      expectClose(await m.data(), want, EXACT, `diag of a vector k=${k}`);
    }
    expect(gb.zeros([0]).diag().shape).toEqual([0, 0]);
  });

  it('triu and tril keep the right triangle of every matrix of a batch; masked Inf and NaN become 0', async () => {
    const gb = use();
    for (const shape of [
      [3, 129],
      [65, 2, 5],
    ]) {
      const x = randomData(size(shape), 11);
      x[1] = Number.POSITIVE_INFINITY;
      x[shape[shape.length - 1]] = Number.NaN; // row 1, column 0: below the main diagonal
      const [n, m] = shape.slice(-2);
      for (const k of [-1, 0, 2]) {
        for (const which of ['triu', 'tril'] as const) {
          const want = new Float64Array(x.length);
          for (let i = 0; i < x.length; i++) {
            const [r, c] = unravel(i % (n * m), [n, m]);
            const keep = which === 'triu' ? c - r >= k : c - r <= k;
            want[i] = keep ? x[i] : 0;
          }
          const y = gb.tensor(x, shape)[which](k);
          expectClose(await y.data(), want, EXACT, `${which} ${shape} k=${k}`);
        }
      }
    }
  });

  it('cdist matches float64 distances; 0 at equal rows with a zero, finite gradient there', async () => {
    const gb = use();
    const a = randomData(65 * 5, 12);
    const b = randomData(3 * 5, 13);
    const want = new Float64Array(65 * 3);
    for (let i = 0; i < 65; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 5; k++) s += (a[i * 5 + k] - b[j * 5 + k]) ** 2;
        want[i * 3 + j] = Math.sqrt(s);
      }
    }
    const d = gb.cdist(gb.tensor(a, [65, 5]), gb.tensor(b, [3, 5]));
    expect(d.shape).toEqual([65, 3]);
    // The matmul identity cancels: |a|^2 + |b|^2 - 2ab carries ~1e-6 absolute error for |a|^2 ~ 5, which
    // the square root turns into ~1e-3 near 0 and ~1e-6 relative for distances of order 1.
    expectClose(await d.data(), want, { rtol: 1e-5, atol: 2e-3 }, 'cdist');
    // Integer points make the squared distance exactly 0 at the equal pair (row 0 of p, row 0 of q).
    const p = gb.tensor([
      [1, 2],
      [3, 4],
    ]);
    const q = gb.tensor([
      [1, 2],
      [0, 0],
    ]);
    expectClose(await gb.cdist(p, q).data(), [0, Math.sqrt(5), Math.sqrt(8), 5], { rtol: 1e-6, atol: 0 });
    const [gp, gq] = gb.grad((x: Tensor, y: Tensor) => gb.cdist(x, y).sum())(p, q);
    const dp = await gp.data();
    const dq = await gq.data();
    // d/dp0 of |p0 - q1| = p0 / sqrt(5); the zero pair contributes nothing.
    expectClose(dp.slice(0, 2), [1 / Math.sqrt(5), 2 / Math.sqrt(5)], { rtol: 1e-5, atol: 1e-6 }, 'dp0');
    expect([...dp, ...dq].every(Number.isFinite)).toBe(true);
    // d/dq0 = -(p1 - q0) / |p1 - q0| = -(2,2)/sqrt(8), again without the zero pair.
    expectClose(dq.slice(0, 2), [-2 / Math.sqrt(8), -2 / Math.sqrt(8)], { rtol: 1e-5, atol: 1e-6 }, 'dq0');
  });

  it('dot, outer, diag, triu, tril and cdist reject bad arguments clearly', () => {
    const gb = use();
    const m = gb.zeros([2, 3]);
    const cases: [() => unknown, RegExp][] = [
      [() => m.dot(m), /dot: needs two vectors of one length, got \(2,3\) \. \(2,3\); use matmul\(\)/],
      [() => gb.zeros([3]).dot(gb.zeros([4])), /got \(3\) \. \(4\)/],
      [() => m.outer(5 as never), /outer: expected a Tensor, got 5/],
      [() => gb.zeros([2, 2, 2]).diag(), /diag: needs a vector .* or a matrix .* got shape \(2,2,2\)/],
      [() => m.diag(0.5), /diag: k must be an integer \(the diagonal's offset\), got 0.5/],
      [
        () => gb.zeros([3]).triu(),
        /triu: needs a matrix or a batch of matrices \(rank >= 2\), got shape \(3\)/,
      ],
      [() => m.tril(1.5), /tril: k must be an integer/],
      [
        () => gb.cdist(m, gb.zeros([2, 4])),
        /cdist: needs two matrices .* \(n,d\) and \(m,d\), got \(2,3\) and \(2,4\)/,
      ],
      [() => gb.cdist(gb.zeros([3]), m), /got \(3\) and \(2,3\); reshape single points to \(1,d\)/],
    ];
    for (const [f, re] of cases) {
      expect(f).toThrow(GradboxError);
      expect(f).toThrow(re);
    }
  });

  it('checkGrad: dot, outer, diag, triu, tril, cdist', async () => {
    const gb = use();
    await gradOk(gb, (u, v) => u.dot(v).mul(gb.ones([2])), [[5], [5]], 'dot');
    await gradOk(gb, (u, v) => u.outer(v), [[3], [4]], 'outer');
    await gradOk(gb, (x) => x.diag(1), [[3, 4]], 'diag of a matrix');
    await gradOk(gb, (x) => x.diag(-1), [[3]], 'diag of a vector');
    await gradOk(gb, (x) => x.triu(-1), [[2, 3, 4]], 'triu');
    await gradOk(gb, (x) => x.tril(1), [[3, 4]], 'tril');
    await gradOk(
      gb,
      (a, b) => gb.cdist(a, b),
      [
        [4, 3],
        [5, 3],
      ],
      'cdist',
    );
  });

  // Every spec of SPECS again, on small shapes (checkGrad evaluates f twice per input element).
  const GRAD_SPECS: [string, number[][]][] = [
    [
      'ij,jk->ik',
      [
        [3, 4],
        [4, 2],
      ],
    ],
    [
      'bij,bjk->bik',
      [
        [2, 3, 4],
        [2, 4, 2],
      ],
    ],
    ['ij,j->i', [[3, 5], [5]]],
    ['i,i->', [[6], [6]]],
    ['ij->ji', [[3, 4]]],
    ['bij->bji', [[2, 3, 4]]],
    ['ij->', [[3, 4]]],
    ['ij->j', [[3, 4]]],
    ['i,j->ij', [[3], [4]]],
    [
      'ij,ij->ij',
      [
        [3, 4],
        [3, 4],
      ],
    ],
    [
      'ij,kj->ik',
      [
        [3, 4],
        [2, 4],
      ],
    ],
    ...SPECS.filter(([, s]) => s.every((d) => size(d) > 0 && size(d) <= 64)),
  ];
  for (const [spec, shapes] of GRAD_SPECS) {
    it(`checkGrad: einsum '${spec}'`, async () => {
      await gradOk(use(), (...xs) => use().einsum(spec, ...xs), shapes, `einsum ${spec}`);
    });
  }

  it('frees its temporaries outside grad()', () => {
    const gb = use();
    const a = gb.tensor(randomData(12, 1), [3, 4]);
    const b = gb.tensor(randomData(8, 2), [4, 2]);
    const start = held(gb);
    const outs = [
      gb.einsum('ij,jk->ki', a, b),
      gb.einsum('ii->', a.slice([0, 0], [3, 3])),
      gb.cdist(a, a),
      a.triu(),
      a.outer(b),
    ];
    expect(held(gb).tensors).toBe(start.tensors + outs.length + 1); // + the slice
  });
});
