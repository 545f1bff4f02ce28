// Derivatives of derivatives on both backends: grad of grad, hessian against analytic results (x^T A x,
// Rosenbrock, log-sum-exp), jacobian, hvp and jvp against float64 references, second-order checkGrad,
// and memory that stays flat across 1,000 hessians.
import { expect, it } from 'vitest';
import { GradboxError, nn, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';

// Second derivatives go through two float32 passes of a few ops each: a few ulps of the largest entry.
const TOL = { rtol: 1e-5, atol: 1e-5 };

/** x[i] as a scalar tensor, from public ops only (a one-hot mask and a sum). */
const at = (x: Tensor, i: number) => x.mul(x.ctx.full([1], i).oneHot(x.size).reshape(x.shape)).sum();

eachBackend('derivatives', (use) => {
  it('grad of grad: d/dx sum(d/dx sum(x^3)) = 6x', async () => {
    const gb = use();
    const x = gb.tensor([-2, 0.5, 3]);
    const f = (t: Tensor) => t.pow(3).sum();
    const [d2] = gb.grad((y: Tensor) => gb.grad(f)(y)[0].sum())(x);
    expectClose(await d2.data(), [-12, 3, 18], TOL);
    // A third order as well: d/dx sum(d/dx sum(d/dx sum(x^3))) = 6.
    const [d3] = gb.grad((y: Tensor) =>
      gb
        .grad((z: Tensor) => gb.grad(f)(z)[0].sum())(y)[0]
        .sum(),
    )(x);
    expectClose(await d3.data(), [6, 6, 6], TOL);
  });

  it('hessian of x^T A x is A + A^T, for n past a workgroup (65)', async () => {
    const gb = use();
    for (const n of [3, 65]) {
      const a = randomData(n * n, n, 1);
      const A = gb.tensor(a, [n, n]);
      const x = gb.tensor(randomData(n, n + 1, 1));
      const H = gb.hessian((t: Tensor) => t.matmul(A).mul(t).sum())(x);
      expect(H.shape).toEqual([n, n]);
      const want = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) want[i * n + j] = a[i * n + j] + a[j * n + i];
      expectClose(await H.data(), want, TOL, `n=${n}`);
    }
  });

  it('hessian of Rosenbrock at (x0, x1) matches the formula', async () => {
    const gb = use();
    const [x0, x1] = [-1.2, 1];
    const rosen = (t: Tensor) => {
      const a = at(t, 0);
      const b = at(t, 1);
      return a.neg().add(1).square().add(b.sub(a.square()).square().mul(100));
    };
    const H = gb.hessian(rosen)(gb.tensor([x0, x1]));
    const want = [2 - 400 * (x1 - x0 * x0) + 800 * x0 * x0, -400 * x0, -400 * x0, 200];
    expectClose(await H.data(), want, { rtol: 1e-5, atol: 1e-3 }); // entries up to 1330: 1e-3 is ~1 ulp
  });

  it('hessian of logSumExp is diag(p) - p p^T', async () => {
    const gb = use();
    const xs = randomData(7, 3, 2);
    const H = gb.hessian((t: Tensor) => t.logSumExp())(gb.tensor(xs));
    const m = Math.max(...xs);
    const e = [...xs].map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / s);
    const want = p.flatMap((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
    expectClose(await H.data(), want, TOL);
  });

  it('jacobian has shape f(x).shape + x.shape: A x gives A, exp gives diag(exp x)', async () => {
    const gb = use();
    const a = randomData(12, 5, 1);
    const A = gb.tensor(a, [4, 3]);
    const J = gb.jacobian((t: Tensor) => A.matmul(t))(gb.tensor(randomData(3, 6, 1)));
    expect(J.shape).toEqual([4, 3]);
    expectClose(await J.data(), a, TOL);
    const xs = randomData(6, 7, 1);
    const Je = gb.jacobian((t: Tensor) => t.exp())(gb.tensor(xs, [2, 3]));
    expect(Je.shape).toEqual([2, 3, 2, 3]);
    const want = new Float64Array(36);
    for (let i = 0; i < 6; i++) want[i * 6 + i] = Math.exp(xs[i]);
    expectClose(await Je.data(), want, TOL);
  });

  it('hvp equals H v and jvp equals [f(x), J v] without forming H or J', async () => {
    const gb = use();
    const n = 5;
    const A = gb.tensor(randomData(n * n, 9, 1), [n, n]);
    const x = gb.tensor(randomData(n, 10, 1));
    const v = gb.tensor(randomData(n, 11, 1));
    const f = (t: Tensor) => t.matmul(A).mul(t).sum().add(t.tanh().sum());
    const H = await gb.hessian(f)(x).data();
    const hv = await gb.hvp(f)(x, v).data();
    const vs = await v.data();
    const want = Array.from({ length: n }, (_, i) => vs.reduce((s, vj, j) => s + H[i * n + j] * vj, 0));
    expectClose(hv, want, TOL);
    const g = (t: Tensor) => A.matmul(t).tanh();
    const [value, jv] = gb.jvp(g)(x, v);
    expectClose(await value.data(), await g(x).data(), { rtol: 0, atol: 0 });
    const J = await gb.jacobian(g)(x).data();
    const wantJv = Array.from({ length: n }, (_, i) => vs.reduce((s, vj, j) => s + J[i * n + j] * vj, 0));
    expectClose(await jv.data(), wantJv, TOL);
    // The identity: jvp gives [a copy of x, v], and frees neither.
    const [same, dir] = gb.jvp((t: Tensor) => t)(x, v);
    expect(same).not.toBe(x);
    expect(await dir.toArray()).toEqual(await v.toArray());
    same.dispose();
    expect(x.isDisposed || v.isDisposed).toBe(false);
  });

  it('checkGrad order 2 passes for an MLP loss, softmax cross-entropy and a product', async () => {
    const gb = use();
    const x = gb.tensor(randomData(12, 21, 1), [4, 3]);
    const labels = gb.tensor([0, 2, 1, 2]);
    const w1 = gb.tensor(randomData(15, 22, 1), [3, 5]);
    const w2 = gb.tensor(randomData(15, 23, 1), [5, 3]);
    const mlp = (a: Tensor, b: Tensor) => nn.softmaxCrossEntropy(x.matmul(a).tanh().matmul(b), labels);
    const r = await gb.checkGrad(mlp, [w1, w2], { order: 2 });
    expect(r.ok, JSON.stringify(r.inputs)).toBe(true);
    const product = (a: Tensor) => {
      const y = a.mul(a.sigmoid());
      return at(y, 0).mul(at(y, 1)).mul(at(y, 2));
    };
    const r2 = await gb.checkGrad(product, [gb.tensor([0.5, -1, 2])], { order: 2 });
    expect(r2.ok, JSON.stringify(r2.inputs)).toBe(true);
  });

  it('every differentiable op has a differentiable gradient rule (checkGrad order 2)', async () => {
    const gb = use();
    const pos = (n: number, seed: number) => randomData(n, seed, 1).map((v) => Math.abs(v) + 0.5);
    const a = gb.tensor(randomData(12, 31, 1), [3, 4]);
    const p = gb.tensor(pos(12, 32), [3, 4]);
    const row = gb.tensor(randomData(4, 33, 1), [4]);
    const idx = gb.tensor([2, 0, 2]);
    const cases: [string, (x: Tensor) => Tensor, Tensor][] = [
      ['exp, log, sqrt', (x) => x.exp().add(x.log()).add(x.sqrt()).sum(), p],
      [
        'tanh, sigmoid, softplus, square',
        (x) => x.tanh().add(x.sigmoid()).add(x.softplus()).square().sum(),
        a,
      ],
      ['div, pow', (x) => x.div(x.add(2)).add(x.pow(x)).sum(), p],
      ['broadcast mul, sub, mean over an axis', (x) => x.mul(row).sub(row).square().mean(0).sum(), a],
      [
        'matmul (both transposed forms in the backward pass)',
        (x) => x.matmul(x.transpose()).square().sum(),
        a,
      ],
      ['batched matmul with broadcast', (x) => x.reshape([3, 1, 4]).matmul(p.transpose()).tanh().sum(), a],
      ['softmax, logSoftmax', (x) => x.softmax().mul(x).sum().add(x.logSoftmax(0).square().sum()), a],
      ['logSumExp over an axis and over all', (x) => x.logSumExp(1).square().sum().add(x.logSumExp()), a],
      [
        'broadcastTo, transpose, reshape',
        (x) => x.broadcastTo([2, 3, 4]).transpose([2, 0, 1]).reshape([4, 6]).exp().sum(),
        a,
      ],
      ['gather along an axis', (x) => x.gather(idx, 0).square().sum(), a],
      ['where, maximum', (x) => x.greater(0).where(x.square(), x.exp()).maximum(x.mul(0.5)).sum(), a],
      [
        'sin, cos, atan, erf, log1p',
        (x) => x.sin().mul(x.cos()).add(x.atan()).add(x.erf()).add(x.log1p()).sum(),
        p,
      ],
      ['atan2, elu, gelu', (x) => x.atan2(p).add(x.elu()).add(x.gelu()).square().sum(), a],
      [
        'var, std, norm, prod',
        (x) =>
          x
            .var(1)
            .sum()
            .add(x.std(0).sum())
            .add(x.norm())
            .add(p.prod(1).mul(x.sum(1)).sum()),
        a,
      ],
      [
        'slice, pad, concat, flip',
        (x) =>
          gb
            .concat(
              [
                x.slice([1], [3]).pad([
                  [1, 0],
                  [0, 2],
                ]),
                x.flip(),
              ],
              1,
            )
            .square()
            .sum(),
        a,
      ],
      [
        'cumsum, sort, topk, segmentSum',
        (x) =>
          x
            .cumsum(1)
            .square()
            .sum()
            .add(x.sort(0).mul(p).sum())
            .add(x.topk(2).values.exp().sum())
            .add(gb.segmentSum(x, idx, 3).square().sum()),
        a,
      ],
      [
        'einsum, triu, cdist',
        (x) =>
          gb.einsum('ij,kj->ik', x, p).tanh().sum().add(x.triu().square().sum()).add(gb.cdist(x, p).sum()),
        a,
      ],
    ];
    for (const [name, f, x] of cases) {
      const r = await gb.checkGrad(f, [x], { order: 2 });
      expect(r.ok, `${name}: ${JSON.stringify(r.inputs[0])}`).toBe(true);
    }
  });

  it('1,000 hessians inside tidy leave memory where it started', async () => {
    const gb = use();
    const x = gb.tensor([0.3, -0.7]);
    const f = (t: Tensor) => t.exp().sum().mul(t.square().sum());
    const start = held(gb);
    for (let i = 0; i < 1000; i++) gb.tidy(() => gb.hessian(f)(x).sum()).dispose();
    expect(held(gb)).toEqual(start);
    const H = gb.hessian(f)(x);
    const start2 = held(gb);
    H.dispose();
    expect(held(gb).tensors).toBe(start2.tensors - 1);
  });

  it('bad input says what was given and what was expected, and leaves nothing behind', () => {
    const gb = use();
    const x = gb.tensor([1, 2]);
    const v3 = gb.tensor([1, 2, 3]);
    const start = held(gb);
    expect(() => gb.hvp((t: Tensor) => t.sum())(x, v3)).toThrow(
      /hvp: v must have x's shape \(2\), got \(3\)/,
    );
    expect(() => gb.hessian((t: Tensor) => t.square())(x)).toThrow(GradboxError);
    expect(() => gb.hessian((t: Tensor) => t.square())(x)).toThrow(/must return a scalar/);
    expect(() => gb.jacobian(1 as unknown as (t: Tensor) => Tensor)(x)).toThrow(
      /jacobian: expected a function/,
    );
    expect(held(gb)).toEqual(start);
  });
});
