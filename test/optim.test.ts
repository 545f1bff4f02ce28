// Optimisers: one step of every rule equals a float64 reference of its formula, both backends agree
// after 100 steps, an update is one fused dispatch, a training step is one submit, memory stays flat.
import { expect, it } from 'vitest';
import { createContext, optim, type Tensor } from '../src/index';
import { eachBackend, held } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';

type Rule = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adam' | 'adamw';
const H = { lr: 0.05, wd: 0.01, mu: 0.9, rho: 0.9, b1: 0.9, b2: 0.999, eps: 1e-8 };

/** Float64 reference of `steps` steps of a rule on the loss sum(c * p) (gradient c, constant). */
function reference(rule: Rule, p0: Float32Array, g: Float32Array, steps: number): Float64Array {
  const p = Float64Array.from(p0);
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < p.length; i++) {
      const gi = rule === 'adamw' ? g[i] : g[i] + H.wd * p[i];
      if (rule === 'sgd') p[i] -= H.lr * gi;
      else if (rule === 'momentum' || rule === 'nesterov') {
        m[i] = H.mu * m[i] + gi;
        p[i] -= H.lr * (rule === 'nesterov' ? gi + H.mu * m[i] : m[i]);
      } else if (rule === 'rmsprop') {
        m[i] = H.rho * m[i] + (1 - H.rho) * gi * gi;
        p[i] -= (H.lr * gi) / (Math.sqrt(m[i]) + H.eps);
      } else {
        m[i] = H.b1 * m[i] + (1 - H.b1) * gi;
        v[i] = H.b2 * v[i] + (1 - H.b2) * gi * gi;
        const u = m[i] / (1 - H.b1 ** t) / (Math.sqrt(v[i] / (1 - H.b2 ** t)) + H.eps);
        p[i] -= H.lr * (rule === 'adamw' ? u + H.wd * p[i] : u);
      }
    }
  }
  return p;
}

function make(gb: Parameters<typeof optim.sgd>[0], rule: Rule, params: Tensor[]) {
  const base = { lr: H.lr, weightDecay: H.wd };
  if (rule === 'sgd') return optim.sgd(gb, params, base);
  if (rule === 'momentum') return optim.sgd(gb, params, { ...base, momentum: H.mu });
  if (rule === 'nesterov') return optim.sgd(gb, params, { ...base, momentum: H.mu, nesterov: true });
  if (rule === 'rmsprop') return optim.rmsprop(gb, params, { ...base, rho: H.rho, eps: H.eps });
  return (rule === 'adam' ? optim.adam : optim.adamw)(gb, params, {
    ...base,
    beta1: H.b1,
    beta2: H.b2,
    eps: H.eps,
  });
}

const RULES: Rule[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw'];

eachBackend('optimisers', (use, backend) => {
  for (const rule of RULES) {
    it(`${rule}: one step and five steps equal the float64 formula, on two parameters of odd sizes`, async () => {
      const gb = use();
      const base = held(gb);
      const shapes = [[3, 5], [7]];
      const p0 = shapes.map((s, i) => randomData(s[0] * (s[1] ?? 1), 10 + i));
      const c = shapes.map((s, i) => randomData(s[0] * (s[1] ?? 1), 20 + i));
      const params = shapes.map((s, i) => gb.tensor(p0[i], s));
      const coeff = shapes.map((s, i) => gb.tensor(c[i], s));
      const opt = make(gb, rule, params);
      const loss = () => params.map((p, i) => p.mul(coeff[i]).sum()).reduce((a, b) => a.add(b));
      for (let step = 1; step <= 5; step++) {
        opt.step(loss).dispose();
        if (step === 1 || step === 5) {
          for (let i = 0; i < params.length; i++) {
            // float32 vs float64: each step moves p by at most ~lr with a few ulps of error in sqrt and
            // division (WGSL allows 2.5 ulp for division), so the absolute error stays below steps * lr * 1e-5.
            const tol = { rtol: 1e-5, atol: step * H.lr * 1e-5 };
            expectClose(
              await params[i].data(),
              reference(rule, p0[i], c[i], step),
              tol,
              `${rule} p${i} step ${step}`,
            );
          }
        }
      }
      // dispose() frees the optimiser's state (gradients, moments, its handle on the flat tensor) and
      // leaves the parameters as they were after step 5: same shapes and values. They stay views into the
      // flat storage, which goes with the last of them: once they are disposed too, the context holds
      // exactly what it held before the test.
      const trained = await Promise.all(params.map((p) => p.data()));
      const tensorsBefore = held(gb).tensors;
      opt.dispose();
      expect(held(gb).tensors).toBe(tensorsBefore - 4);
      for (let i = 0; i < params.length; i++) {
        expect(params[i].shape).toEqual(shapes[i]);
        expect(Array.from(await params[i].data()), `${rule} p${i} after dispose`).toEqual(
          Array.from(trained[i]),
        );
      }
      for (const t of [...params, ...coeff]) t.dispose();
      expect(held(gb)).toEqual(base);
    });
  }

  if (backend === 'webgpu') {
    it('an update of every parameter is one fused dispatch; a trainer step is one submit', async () => {
      const gb = use();
      const model = new (await import('../src/index')).nn.MLP(gb, { sizes: [2, 8, 8, 2], seed: 1 });
      const opt = optim.adam(gb, model.parameters(), { lr: 0.01 });
      const x = gb.randn([16, 2], { seed: 2 });
      const y = gb.tensor(Float32Array.from({ length: 16 }, (_, i) => i % 2));
      const lossFn = (p: Tensor, t: Tensor) => p.logSoftmax(1).mul(t.oneHot(2)).sum(1).mean().neg();
      const trainer = new optim.Trainer({ model, optimizer: opt, loss: lossFn, x, y });
      await trainer.run(1);
      const before = gb.stats();
      await trainer.run(10);
      const after = gb.stats();
      expect(after.submits - before.submits).toBe(10);
      expect(after.readbacks - before.readbacks).toBe(1);
      // Gradients reach the flat buffer by copies (one per parameter) and each loss by one copy into the
      // run's history: no dispatch per parameter.
      expect(after.copies - before.copies).toBe(10 * (model.parameters().length + 1));
      const d0 = gb.stats().dispatches;
      opt.step(() => model.forward(x).sum()).dispose();
      const stepDispatches = gb.stats().dispatches - d0;
      // Forward + backward + 1 update; without fusion there would be ~5 dispatches per parameter more.
      const fwdBwd = gb.stats().dispatches;
      gb.grad((_w: Tensor) => model.forward(x).sum())(model.parameters()[0]).forEach((t) => t.dispose());
      expect(stepDispatches - (gb.stats().dispatches - fwdBwd)).toBe(1);
      opt.dispose();
    });
  }

  it('2,000 training steps leave memory unchanged after the first step', async () => {
    const gb = use();
    const model = new (await import('../src/index')).nn.MLP(gb, { sizes: [2, 4, 2], seed: 3 });
    const opt = optim.sgd(gb, model.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = gb.randn([8, 2], { seed: 4 });
    const y = gb.tensor([0, 1, 0, 1, 1, 0, 1, 0]);
    const trainer = new optim.Trainer({
      model,
      optimizer: opt,
      loss: (p, t) => p.logSoftmax(1).mul(t.oneHot(2)).sum(1).mean().neg(),
      x,
      y,
      batchSize: 4,
      seed: 1,
    });
    await trainer.run(1);
    const start = held(gb);
    const { losses } = await trainer.run(backend === 'webgpu' ? 2000 : 2000);
    expect(losses).toHaveLength(2000);
    expect(held(gb)).toEqual(start);
    expect(losses[1999]).toBeLessThan(losses[0]);
  }, 300_000);
});

it('WebGPU, wasm and js give the same parameters after 100 Adam steps of an MLP', async () => {
  const results: Float32Array[][] = [];
  for (const backend of ['js', 'wasm', 'webgpu'] as const) {
    const gb = await createContext({ backend });
    const { nn } = await import('../src/index');
    const model = new nn.MLP(gb, { sizes: [3, 7, 5, 2], activation: 'tanh', seed: 11 });
    const opt = optim.adam(gb, model.parameters(), { lr: 0.01 });
    const x = gb.tensor(randomData(40 * 3, 5), [40, 3]);
    const y = gb.tensor(Float32Array.from({ length: 40 }, (_, i) => (i * 7) % 2));
    const trainer = new optim.Trainer({
      model,
      optimizer: opt,
      loss: nn.softmaxCrossEntropy,
      x,
      y,
      batchSize: 10,
      seed: 2,
    });
    await trainer.run(100);
    results.push(await Promise.all(model.parameters().map((p) => p.data())));
    gb.dispose();
  }
  // 100 steps of float32 arithmetic in different orders (GPU trees vs CPU loops) drift apart slowly.
  for (const other of results.slice(1)) {
    results[0].forEach((p, i) => expectClose(other[i], p, { rtol: 1e-3, atol: 1e-4 }, `parameter ${i}`));
  }
});
