// The stats namespace on both backends: histogram (NumPy's edges and edge rule from the fixture, exact counts
// on every WebGPU rung against a float64 loop), quantile, median, ecdf, cov, corrcoef and the information
// measures against NumPy/SciPy values (test/fixtures/stats.json, written by scripts/fixtures/stats.py),
// the bootstrap against a float64 percentile interval over the same resampling indices, fitMLE against the
// closed-form estimates; gradients by checkGrad; bad input; nothing leaks.
import { expect, it } from 'vitest';
import type { HistogramVariant } from '../src/backends/webgpu/kernels/stats';
import { dist, GradboxError, stats, type Tensor } from '../src/index';
import fixture from './fixtures/stats.json';
import { eachBackend, held, withVariant } from './helpers/backends';
import { expectClose, lcg, randomData } from './helpers/close';

/** Fixture numbers: JSON has no NaN or infinities, so the script writes those as strings. */
const nums = (a: readonly (number | string)[]): number[] => a.map(Number);

/** The float64 reference of the histogram rule: the largest b < bins with edges[b] <= v, in range only. */
function histogramRef(x: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!(v >= edges[0] && v <= edges[bins])) continue;
    let b = 0;
    for (let k = 0; k < bins; k++) if (edges[k] <= v) b = k;
    counts[b]++;
  }
  return counts;
}

/** Linear-interpolation quantile of a float64 sample, the definition written out. */
function quantileRef(sample: readonly number[], q: number): number {
  const s = [...sample].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (h - lo);
}

eachBackend('stats.histogram', (use, backend) => {
  const rungs: HistogramVariant[] = backend === 'webgpu' ? ['auto', 'naive', 'atomic', 'private'] : ['auto'];
  for (const rung of rungs) {
    it(`NumPy's counts and edges, values on edges included (${rung})`, async () => {
      const gb = use();
      await withVariant(gb, 'histogram', rung, async () => {
        for (const c of fixture.histogram) {
          const x = gb.tensor(nums(c.x));
          const bins = typeof c.bins === 'number' ? c.bins : nums(c.bins);
          const range = 'range' in c ? (c.range as [number, number]) : undefined;
          const { counts, edges } = stats.histogram(x, { bins, range });
          // Counts are integers and must be exact; edges are float32 values and must be NumPy's exactly,
          // except that edges found from the data are computed on the device in float32 (documented: an ulp).
          expect(Array.from(await counts.data()), c.name).toEqual(nums(c.counts));
          const tol =
            range === undefined && typeof c.bins === 'number'
              ? { rtol: 2.4e-7, atol: 0 }
              : { rtol: 0, atol: 0 };
          expectClose(await edges.data(), nums(c.edges), tol, `${c.name}: edges`);
          for (const t of [x, counts, edges]) t.dispose();
        }
      });
    });

    it(`exact counts against a float64 loop: odd sizes, many bins, uneven edges (${rung})`, async () => {
      const gb = use();
      await withVariant(gb, 'histogram', rung, async () => {
        for (const [n, bins] of [
          [1, 1],
          [255, 7],
          [257, 64],
          [4097, 4096],
          [20011, 33],
          [3001, 5000],
        ]) {
          if (rung === 'private' && bins > 4096) continue; // the private rung holds 4096 bins (it throws beyond)
          const data = randomData(n, n + bins, 2.5);
          const x = gb.tensor(data);
          const even = stats.histogram(x, { bins, range: [-2, 2] });
          const evenEdges = await even.edges.data();
          expect(Array.from(await even.counts.data()), `n=${n} bins=${bins}`).toEqual(
            histogramRef(data, evenEdges),
          );
          // Uneven edges: a sorted random subset of the data itself, so many values sit exactly on edges.
          const r = lcg(bins);
          const picked = Array.from({ length: Math.min(bins, n) + 1 }, () => data[Math.floor(r() * n)]).sort(
            (a, b) => a - b,
          );
          const uneven = stats.histogram(x, { bins: picked });
          expect(Array.from(await uneven.counts.data()), `uneven n=${n}`).toEqual(
            histogramRef(data, Float32Array.from(picked)),
          );
          for (const t of [x, even.counts, even.edges, uneven.counts, uneven.edges]) t.dispose();
        }
      });
    });
  }

  it('the private rung refuses more bins than workgroup memory holds', async () => {
    const gb = use();
    if (backend !== 'webgpu') return; // the CPU has no rungs
    await withVariant(gb, 'histogram', 'private', async () => {
      expect(() => stats.histogram(gb.zeros([3]), { bins: 4097, range: [0, 1] })).toThrow(
        /at most 4096 bins/,
      );
    });
  });

  it('density integrates to 1; x of any shape is flattened; no tensor is left behind', async () => {
    const gb = use();
    const before = held(gb);
    const x = gb.tensor(randomData(600, 3), [20, 30]);
    const { counts, edges } = stats.histogram(x, { bins: [-1, -0.5, 0, 0.25, 1], density: true });
    const d = await counts.data();
    const e = await edges.data();
    const integral = Array.from(d).reduce((s, v, i) => s + v * (e[i + 1] - e[i]), 0);
    expect(integral).toBeCloseTo(1, 5);
    const raw = histogramRef(await x.data(), e);
    const total = raw.reduce((a, b) => a + b, 0);
    expectClose(
      d,
      raw.map((c, i) => c / total / (e[i + 1] - e[i])),
      { rtol: 1e-6, atol: 0 },
      'density',
    );
    for (const t of [x, counts, edges]) t.dispose();
    expect(held(gb)).toEqual(before);
  });

  it('bad input says what was given and what to pass', () => {
    const gb = use();
    const x = gb.zeros([4]);
    expect(() => stats.histogram(x, { bins: 0 })).toThrow(/stats.histogram: bins must be an integer from 1/);
    expect(() => stats.histogram(x, { bins: 2.5 })).toThrow(GradboxError);
    expect(() => stats.histogram(x, { bins: [1] })).toThrow(/needs at least 2 values/);
    expect(() => stats.histogram(x, { bins: [0, 2, 1] })).toThrow(
      /edges must not decrease.*edge 2 is 1 after 2/,
    );
    expect(() => stats.histogram(x, { bins: [0, Number.NaN] })).toThrow(/must not be NaN/);
    expect(() => stats.histogram(x, { bins: 3, range: [2, 1] })).toThrow(/low <= high, got \[2, 1\]/);
    expect(() => stats.histogram(x, { bins: 3, range: [0, Infinity] })).toThrow(/range must be finite/);
    expect(() => stats.histogram(x, { bins: [0, 1], range: [0, 1] })).toThrow(
      /with an array of edges, leave it out/,
    );
    expect(() => stats.histogram([1, 2] as unknown as Tensor)).toThrow(
      /stats.histogram: expected a Tensor, got an array of length 2/,
    );
  });
});

eachBackend('stats.quantile, median, ecdf', (use) => {
  // Each result is one float32 lerp of two sorted values: a few roundings of values of size ~5.
  const TOL = { rtol: 1e-6, atol: 1e-6 };

  it("NumPy's linear quantiles along every axis, q a number or a list, NaN lanes", async () => {
    const gb = use();
    for (const c of fixture.quantile) {
      const x = gb.tensor(nums(c.x), c.shape);
      const q = Array.isArray(c.q) ? c.q : c.q;
      const out = stats.quantile(x, q, c.axis ?? undefined);
      expect(out.shape, `axis ${c.axis}`).toEqual(c.shape_out);
      expectClose(
        await out.data(),
        nums(Array.isArray(c.expected) ? c.expected : [c.expected]),
        TOL,
        `axis ${c.axis}`,
      );
    }
    const x = gb.tensor([[5, 1, 4, 2]]);
    expect(Array.from(await stats.median(x, 1).data())).toEqual([3]);
    expect(await stats.median(gb.tensor([7, 1, 3])).item()).toBe(3);
  });

  it('order statistics by radix selection match a float64 sort (ties, NaN, infinities, signed zeros)', async () => {
    const gb = use();
    for (const [rows, size] of [
      [1, 1],
      [1, 2],
      [3, 1025],
      [2, 4099],
      [1, 20011],
    ]) {
      const r = lcg(size);
      // Values on a coarse grid (many ties, keys sharing their high bits), and a few special values.
      const data = Float32Array.from({ length: rows * size }, (_, i) => {
        const u = r();
        if (i % 97 === 13) return [Number.NaN, Infinity, -Infinity, 0, -0][i % 5];
        return u < 0.5 ? Math.round(u * 40 - 10) / 8 : (u - 0.75) * 1e-3;
      });
      const ranks = [0, size - 1, Math.floor(size / 2), Math.floor(size / 3), Math.min(1, size - 1)];
      const x = gb.tensor(data, [rows, size]);
      const out = gb.wrap(gb.engine.orderStatistics(x.storage('test'), rows, size, ranks), [
        rows,
        ranks.length,
      ]);
      const want: number[] = [];
      for (let row = 0; row < rows; row++) {
        const sorted = Float64Array.from(data.subarray(row * size, (row + 1) * size)).sort(); // NaN last
        for (const k of ranks) want.push(sorted[k]);
      }
      // Exact: a selection returns one of the inputs (a zero's sign may differ from the sort's; 0 == -0).
      expectClose(await out.data(), want, { rtol: 0, atol: 0 }, `rows=${rows} size=${size}`);
      x.dispose();
      out.dispose();
    }
  });

  it('long lanes (selected, not sorted) give the same quantiles as the definition', async () => {
    const gb = use();
    const [lanes, n] = [3, 3001];
    const data = randomData(lanes * n, 9, 4);
    data[2 * n + 17] = Number.NaN; // the last lane holds a NaN
    const x = gb.tensor(data, [lanes, n]);
    const qs = [0, 0.013, 0.5, 0.9, 1];
    const got = await stats.quantile(x, qs, 1).data(); // (q, lanes)
    const want = qs.flatMap((q) =>
      Array.from({ length: lanes }, (_, l) =>
        l === 2 ? Number.NaN : quantileRef(Array.from(data.subarray(l * n, (l + 1) * n)), q),
      ),
    );
    expectClose(got, want, TOL, 'quantiles of long lanes');
    expectClose(
      [await stats.median(x.slice([0], [1])).item()],
      [quantileRef(Array.from(data.subarray(0, n)), 0.5)],
      TOL,
    );
  });

  it('quantiles have gradients (on the one or two sorted values used)', async () => {
    const gb = use();
    const x = gb.tensor(randomData(13, 4), [13]);
    const r = await gb.checkGrad(
      (a) =>
        stats
          .quantile(a, [0.3, 0.77])
          .mul(gb.tensor([1, -2]))
          .sum(),
      [x],
    );
    expect(r.maxRelError).toBeLessThan(1e-4); // the analytic side runs in float32
  });

  it('ecdf: sorted values and F(v) = #(x <= v) / n, ties sharing the last probability (SciPy)', async () => {
    const gb = use();
    for (const c of fixture.ecdf) {
      const { values, probabilities } = stats.ecdf(gb.tensor(nums(c.x)));
      expect(Array.from(await values.data())).toEqual(nums(c.values));
      expectClose(await probabilities.data(), nums(c.probabilities), { rtol: 1.2e-7, atol: 0 }, 'ecdf');
    }
  });

  it('bad input', () => {
    const gb = use();
    const x = gb.zeros([2, 3]);
    expect(() => stats.quantile(x, 1.5)).toThrow(
      /quantiles must be in \[0, 1\], got 1.5; for percentiles divide by 100/,
    );
    expect(() => stats.quantile(x, [])).toThrow(/q must be a number or a non-empty array/);
    expect(() => stats.quantile(x, 0.5, 2)).toThrow(/axis 2 is out of range/);
    expect(() => stats.quantile(gb.zeros([0]), 0.5)).toThrow(/empty axis/);
    expect(() => stats.ecdf(gb.zeros([0]))).toThrow(/x is empty/);
  });
});

eachBackend('stats.cov and corrcoef', (use) => {
  it("NumPy's cov(x, rowvar=False) and corrcoef; gradients", async () => {
    const gb = use();
    for (const c of fixture.cov) {
      const x = gb.tensor(nums(c.x), c.shape);
      // Float32 sums of up to 101 centred products: relative error ~1e-6 of the largest entry.
      expectClose(await stats.cov(x).data(), nums(c.cov), { rtol: 1e-5, atol: 1e-5 }, `cov ${c.shape}`);
      expectClose(
        await stats.corrcoef(x).data(),
        nums(c.corrcoef),
        { rtol: 1e-5, atol: 1e-5 },
        `corrcoef ${c.shape}`,
      );
    }
    const x = gb.tensor(randomData(14, 2), [7, 2]);
    expect((await gb.checkGrad((a) => stats.cov(a).sum(), [x])).maxRelError).toBeLessThan(1e-4);
    const w = gb.tensor(randomData(4, 5), [2, 2]);
    expect((await gb.checkGrad((a) => stats.corrcoef(a).mul(w).sum(), [x])).maxRelError).toBeLessThan(1e-3);
  });

  it('bad shapes', () => {
    const gb = use();
    expect(() => stats.cov(gb.zeros([5]))).toThrow(
      /x must be \(n, d\).*got \(5\); reshape a single variable to \(n, 1\)/,
    );
    expect(() => stats.corrcoef(gb.zeros([1, 3]))).toThrow(/needs at least 2 observations \(rows\).*got 1/);
  });
});

eachBackend('stats information measures', (use) => {
  // A sum of 7 float32 terms p log q of size <= 1.
  const TOL = { rtol: 2e-6, atol: 1e-6 };
  const info = fixture.information;

  it('entropy, crossEntropy, klDivergence, mutualInformation match SciPy (0 log 0 = 0, q = 0 gives Infinity)', async () => {
    const gb = use();
    const p = gb.tensor(nums(info.p), info.shape);
    const q = gb.tensor(nums(info.q), info.shape);
    const qz = gb.tensor(nums(info.q_zero), info.shape);
    expectClose(await stats.entropy(p).data(), nums(info.entropy), TOL, 'entropy');
    expectClose(await stats.entropy(p).data(), nums(info.entropy_scipy), TOL, 'entropy (scipy.stats)');
    expectClose(await stats.crossEntropy(p, q).data(), nums(info.cross_entropy), TOL, 'crossEntropy');
    expectClose(
      await stats.crossEntropy(p, qz).data(),
      nums(info.cross_entropy_q_zero),
      TOL,
      'crossEntropy, q = 0',
    );
    expectClose(await stats.klDivergence(p, q).data(), nums(info.kl), TOL, 'klDivergence');
    expectClose(await stats.klDivergence(p, qz).data(), nums(info.kl_q_zero), TOL, 'klDivergence, q = 0');
    const joint = gb.tensor(nums(info.joint), info.joint_shape);
    expectClose([await stats.mutualInformation(joint).item()], [Number(info.mutual_information)], TOL, 'MI');
    const batch = gb.tensor(nums(info.joint_batch), info.joint_batch_shape);
    const mi = stats.mutualInformation(batch);
    expect(mi.shape).toEqual([2]);
    expectClose(await mi.data(), nums(info.mutual_information_batch), TOL, 'MI batch');
    // p broadcasts against a batch of q.
    expect(stats.klDivergence(p.slice([0], [1]), q).shape).toEqual([3]);
    expect(await stats.entropy(gb.tensor([-0.5, 1.5])).item()).toBeNaN();
  });

  it('gradients: finite where p = 0, and checked by finite differences elsewhere', async () => {
    const gb = use();
    const p = gb.tensor([0.2, 0.3, 0.5]);
    const q = gb.tensor([0.1, 0.6, 0.3]);
    for (const f of [
      (a: Tensor, b: Tensor) => stats.klDivergence(a, b).sum(),
      (a: Tensor, b: Tensor) => stats.crossEntropy(a, b).sum(),
      (a: Tensor) => stats.entropy(a).sum(),
    ]) {
      expect((await gb.checkGrad(f, [p, q])).maxRelError).toBeLessThan(1e-4);
    }
    const joint = gb.tensor([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    expect((await gb.checkGrad((j) => stats.mutualInformation(j), [joint])).maxRelError).toBeLessThan(1e-4);
    const [g] = gb.grad((a: Tensor) => stats.entropy(a).sum())(gb.tensor([0, 0.5, 0.5]));
    const gv = await g.data();
    expect(gv[0]).toBe(0);
    expectClose(gv.slice(1), [Math.log(2) - 1, Math.log(2) - 1], { rtol: 1e-6, atol: 1e-7 }, '-(log p + 1)');
  });

  it('bad input', () => {
    const gb = use();
    expect(() => stats.entropy(gb.tensor(1))).toThrow(/p must be \(\.\.\., k\)/);
    expect(() => stats.mutualInformation(gb.zeros([3]))).toThrow(/joint must be \(\.\.\., a, b\)/);
    expect(() => stats.klDivergence(gb.zeros([3]), gb.zeros([4]))).toThrow(GradboxError);
  });
});

eachBackend('stats.bootstrap', (use) => {
  it('the percentile interval of the statistic over the documented resamples (float64 reference)', async () => {
    const gb = use();
    const n = 37;
    const resamples = 501;
    const data = randomData(n, 11, 3);
    const x = gb.tensor(data);
    const before = held(gb);
    const r = await stats.bootstrap(x, (s) => s.mean(1), { resamples, seed: 7, level: 0.9 });
    expect(held(gb)).toEqual(before);
    // The documented resampling: indices from gb.randint([resamples, n], 0, n, { seed }).
    const idx = await gb.randint([resamples, n], 0, n, { seed: 7 }).data();
    const means = Array.from({ length: resamples }, (_, b) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += data[idx[b * n + j]];
      return s / n;
    });
    const mean = Array.from(data).reduce((a, b) => a + b, 0) / n;
    // float32 means of 37 values of size 3, then one float32 lerp.
    const tol = { rtol: 1e-5, atol: 1e-6 };
    expectClose([r.estimate, r.low, r.high], [mean, quantileRef(means, 0.05), quantileRef(means, 0.95)], tol);
    expect(r.low).toBeLessThan(r.estimate);
    expect(r.high).toBeGreaterThan(r.estimate);
    const again = await stats.bootstrap(x, (s) => s.mean(1), { resamples, seed: 7, level: 0.9 });
    expect(again).toEqual(r);
  });

  it('observations may be rows: a correlation of paired data', async () => {
    const gb = use();
    const r = lcg(5);
    const rows = Array.from({ length: 60 }, () => {
      const u = r();
      return [u, u + 0.3 * r()];
    });
    const x = gb.tensor(rows);
    const corr = (s: Tensor) => {
      const c = s.sub(s.mean(1, true));
      const cxy = c
        .slice([0, 0, 0], [s.shape[0], s.shape[1], 1])
        .mul(c.slice([0, 0, 1]))
        .sum([1, 2]);
      const sq = c.square().sum(1);
      return cxy.div(
        sq
          .slice([0, 0], [s.shape[0], 1])
          .mul(sq.slice([0, 1]))
          .sqrt()
          .reshape([s.shape[0]]),
      );
    };
    const out = await stats.bootstrap(x, corr, { resamples: 300, seed: 1 });
    const c = await stats.corrcoef(x).data();
    expect(out.estimate).toBeCloseTo(c[1], 5);
    expect(out.low).toBeLessThan(out.estimate);
    expect(out.high).toBeGreaterThan(out.estimate);
    expect(out.high).toBeLessThanOrEqual(1);
  });

  it('bad input', async () => {
    const gb = use();
    const x = gb.tensor([1, 2, 3]);
    const mean = (s: Tensor) => s.mean(1);
    await expect(stats.bootstrap(gb.tensor([1]), mean)).rejects.toThrow(/at least 2 observations/);
    await expect(stats.bootstrap(x, mean, { level: 1 })).rejects.toThrow(
      /level must be a number strictly between 0 and 1/,
    );
    await expect(stats.bootstrap(x, mean, { resamples: 0 })).rejects.toThrow(/resamples must be an integer/);
    await expect(stats.bootstrap(x, (s) => s.mean(), { resamples: 5 })).rejects.toThrow(
      /statistic must map the resamples \(5,3\) to one value per resample, shape \(5\), got \(\)/,
    );
    await expect(stats.bootstrap(x, 3 as never)).rejects.toThrow(/statistic must be a function/);
  });
});

eachBackend('stats.fitMLE', (use) => {
  /** log N(x; mu, exp(logSigma)) written with plain ops. */
  const normalLogProb = (data: Tensor) => (mu: Tensor, logSigma: Tensor) =>
    data
      .sub(mu)
      .div(logSigma.exp())
      .square()
      .mul(-0.5)
      .sub(logSigma)
      .sub(0.5 * Math.log(2 * Math.PI));

  it('a normal fitted by Adam reaches the closed-form MLE (mean, population std)', async () => {
    const gb = use();
    const r = lcg(3);
    const values = Array.from({ length: 201 }, () => 1.5 + 0.8 * (r() + r() + r() - 1.5));
    const data = gb.tensor(values);
    const [mu0, logSigma0] = [gb.tensor(0), gb.tensor(0)];
    const before = held(gb);
    const fit = await stats.fitMLE(normalLogProb(data), [mu0, logSigma0], { steps: 400, lr: 0.05 });
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    const [mu, logSigma] = await Promise.all(fit.params.map((p) => p.item()));
    expect(mu).toBeCloseTo(mean, 3);
    expect(Math.exp(logSigma)).toBeCloseTo(sd, 3);
    const best = -n * (Math.log(sd) + 0.5 * Math.log(2 * Math.PI) + 0.5);
    expect(fit.logLikelihood).toBeCloseTo(best, 2);
    expect(fit.trace).toHaveLength(400);
    expect(fit.trace[399]).toBeGreaterThan(fit.trace[0]);
    expect(await mu0.item()).toBe(0); // the initial tensors are left alone
    for (const p of fit.params) p.dispose();
    expect(held(gb)).toEqual(before);
  });

  it("works with dist's logProb: a Normal and a Poisson rate fitted to their closed-form MLEs", async () => {
    const gb = use();
    const r = lcg(8);
    const heights = Array.from({ length: 301 }, () => 170 + 7 * (r() + r() + r() + r() - 2));
    const data = gb.tensor(heights);
    const n = heights.length;
    const mean = heights.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(heights.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    // Start near the data's scale (Adam's steps are about lr each): mu from 165, log sigma from log 3.
    const normal = await stats.fitMLE(
      (mu, logSigma) => new dist.Normal(gb, { mean: mu, std: logSigma.exp() }).logProb(data),
      [gb.tensor(165), gb.tensor(Math.log(3))],
      { steps: 300, lr: 0.1 },
    );
    const [mu, logSigma] = await Promise.all(normal.params.map((p) => p.item()));
    expect(mu).toBeCloseTo(mean, 2);
    expect(Math.exp(logSigma)).toBeCloseTo(sd, 2);
    const counts = Array.from({ length: 97 }, () => Math.floor(r() * 5) + Math.floor(r() * 4)); // mean ~3.5
    const k = gb.tensor(counts);
    const poisson = await stats.fitMLE(
      (logRate) => new dist.Poisson(gb, { rate: logRate.exp() }).logProb(k),
      [gb.tensor(0)],
      {
        steps: 400,
        lr: 0.05,
      },
    );
    const rate = Math.exp(await poisson.params[0].item());
    expect(rate).toBeCloseTo(counts.reduce((a, b) => a + b, 0) / counts.length, 3);
  });

  it('bad input', async () => {
    const gb = use();
    await expect(stats.fitMLE(() => gb.zeros([1]), [])).rejects.toThrow(/init must be a non-empty array/);
    await expect(stats.fitMLE(3 as never, [gb.tensor(0)])).rejects.toThrow(
      /logLikelihood must be a function/,
    );
    await expect(stats.fitMLE((m) => m, [gb.tensor(0)], { steps: 0 })).rejects.toThrow(
      /steps must be an integer/,
    );
    await expect(stats.fitMLE((() => 1) as never, [gb.tensor(0)], { steps: 1 })).rejects.toThrow(
      /must return a Tensor of log-probabilities/,
    );
  });
});
