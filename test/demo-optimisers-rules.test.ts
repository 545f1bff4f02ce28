// The optimisers demo's batched update rules and surfaces, on both backends: each rule, run on many
// starts at once, follows gradbox's own optim (the fused kernel) step for step; per-run learning rates
// equal separate runs; Newton lands on the bowl's minimum in one step; the closed-form surfaces equal a
// float64 evaluation of their definition, and their gradients pass checkGrad. Nothing is left behind.
import { expect, it } from 'vitest';
import { optim, type Tensor } from '../src/index';
import {
  makeSurface,
  quadraticMatrix,
  SURFACE_INFO,
  SURFACES,
  type SurfaceName,
} from '../demos/optimisers/surfaces';
import { disposeRuns, type Method, startRuns, step } from '../demos/optimisers/rules';
import { eachBackend, held } from './helpers/backends';
import { expectClose } from './helpers/close';

const HYPER = { beta: 0.9, beta2: 0.999, eps: 1e-8 };
const STARTS = [-1.2, 1, 0.5, -0.4, 1.7, 2.2]; // three runs (3, 2) on Rosenbrock

/** The plain definitions, in float64, of the surfaces that have a closed form. */
const REFERENCE: Partial<Record<SurfaceName, (x: number, y: number) => number>> = {
  rosenbrock: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  himmelblau: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
  rastrigin: (x, y) => 20 + x * x - 10 * Math.cos(2 * Math.PI * x) + y * y - 10 * Math.cos(2 * Math.PI * y),
  saddle: (x, y) => x * x - y * y,
  beale: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
  quadratic: (x, y) => {
    const [a, b, , c] = quadraticMatrix(10, 30);
    return 0.5 * (a * x * x + 2 * b * x * y + c * y * y);
  },
};

eachBackend('optimisers demo: rules and surfaces', (use) => {
  const libraryOptimiser = (m: Method, gb: ReturnType<typeof use>, p: Tensor, lr: number) => {
    if (m === 'gd') return optim.sgd(gb, [p], { lr });
    if (m === 'momentum') return optim.sgd(gb, [p], { lr, momentum: HYPER.beta });
    if (m === 'nesterov') return optim.sgd(gb, [p], { lr, momentum: HYPER.beta, nesterov: true });
    if (m === 'rmsprop') return optim.rmsprop(gb, [p], { lr, rho: HYPER.beta, eps: HYPER.eps });
    return optim.adam(gb, [p], { lr, beta1: HYPER.beta, beta2: HYPER.beta2, eps: HYPER.eps });
  };

  for (const method of ['gd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const) {
    it(`${method}: many runs at once follow gradbox's optim step for step (Rosenbrock)`, async () => {
      const gb = use();
      const before = held(gb);
      const surface = makeSurface(gb, 'rosenbrock');
      const lr = SURFACE_INFO.rosenbrock.lr[method];
      let runs = startRuns(gb, gb.tensor(STARTS, [3, 2]));
      const p = gb.tensor(STARTS, [3, 2]);
      const opt = libraryOptimiser(method, gb, p, lr);
      for (let t = 0; t < 12; t++) {
        const next = step(gb, method, surface.f, runs, { lr, ...HYPER });
        disposeRuns(runs);
        runs = next;
        opt.step(() => surface.f(p).sum()).dispose();
      }
      // Both sides compute the same float32 formulas in a different order (fused kernel vs ops):
      // a few ulps per step, grown by the valley's curvature over 12 steps.
      expectClose(await runs.p.data(), await p.data(), { rtol: 1e-4, atol: 1e-5 });
      disposeRuns(runs);
      opt.dispose();
      p.dispose();
      surface.dispose();
      expect(held(gb)).toEqual(before);
    });
  }

  it('a learning-rate column (N, 1) equals separate runs with one rate each', async () => {
    const gb = use();
    const surface = makeSurface(gb, 'himmelblau');
    const lrs = [0.001, 0.01, 0.02];
    const start = [0.3, -0.7];
    const lr = gb.tensor(lrs, [3, 1]);
    let batch = startRuns(gb, gb.tensor([...start, ...start, ...start], [3, 2]));
    const single = lrs.map(() => startRuns(gb, gb.tensor(start, [1, 2])));
    for (let t = 0; t < 10; t++) {
      const next = step(gb, 'momentum', surface.f, batch, { ...HYPER, lr });
      disposeRuns(batch);
      batch = next;
      single.forEach((r, i) => {
        single[i] = step(gb, 'momentum', surface.f, r, { ...HYPER, lr: lrs[i] });
        disposeRuns(r);
      });
    }
    const separate = new Float32Array(6);
    for (let i = 0; i < 3; i++) separate.set(await single[i].p.data(), 2 * i);
    // The same ops on the same numbers: equal up to the broadcasting kernel's rounding.
    expectClose(await batch.p.data(), separate, { rtol: 1e-6, atol: 1e-7 });
    [batch, ...single].forEach(disposeRuns);
    lr.dispose();
    surface.dispose();
  });

  it("Newton's method (Hessian from gb.hessian) reaches the quadratic bowl's minimum in one step", async () => {
    const gb = use();
    const before = held(gb);
    const surface = makeSurface(gb, 'quadratic', 10, 30);
    const runs = startRuns(gb, gb.tensor([[-2.5, 2]]));
    const next = step(gb, 'newton', surface.f, runs, { ...HYPER, lr: 1 });
    // float32 solve of a system with condition number 10 from |p| ~ 3: a few ulps of 3.
    expectClose(await next.p.data(), new Float32Array([0, 0]), { atol: 1e-5 });
    [runs, next].forEach(disposeRuns);
    surface.dispose();
    expect(held(gb)).toEqual(before);
  });

  for (const name of SURFACES) {
    it(`${name}: values against float64, gradients by checkGrad`, async () => {
      const gb = use();
      const surface = makeSurface(gb, name, 10, 30);
      const [x0, x1, y0, y1] = surface.range;
      const pts = Array.from({ length: 7 }, (_, i) => [
        x0 + ((x1 - x0) * (i + 0.37)) / 7,
        y0 + ((y1 - y0) * ((i * 3) % 7) + 0.61) / 7,
      ]);
      const p = gb.tensor(pts);
      const values = surface.f(p);
      expect(values.shape).toEqual([7]);
      const ref = REFERENCE[name];
      if (ref) {
        // float32 evaluation of sums of squares up to ~1e4 (Beale, Rosenbrock at the window's corners).
        expectClose(
          await values.data(),
          Float64Array.from(pts, ([x, y]) => ref(x, y)),
          {
            rtol: 1e-5,
            atol: 1e-5,
          },
        );
      } else {
        expect([...(await values.data())].every(Number.isFinite)).toBe(true);
      }
      const report = await gb.checkGrad((q: Tensor) => surface.f(q).sum(), [p]);
      expect(report.ok, JSON.stringify(report.inputs)).toBe(true);
      for (const m of surface.minima) {
        const at = gb.tensor([m]);
        expect(await surface.f(at).item()).toBeLessThan(1e-6);
        at.dispose();
      }
      values.dispose();
      p.dispose();
      surface.dispose();
    });
  }
});
