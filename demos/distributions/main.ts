// Demo: distributions. Any scalar family of gradbox's dist namespace with its parameters on sliders: the
// density (or mass) function and the distribution function with the mean and one standard deviation either
// side marked, a histogram of fresh samples drawn on the device (10^3 to 10^7 per draw) settling onto the
// density as their number grows, and a QQ plot of sample against exact quantiles. Every number is gradbox's.
import { type Context, GradboxError, stats, type Tensor } from '../../src/index';
import { figure } from '../shared/draw';
import type { Params, ParamSpec } from '../shared/params';
import { chartCanvas, Plot } from '../shared/plot';
import {
  binProbabilities,
  edgesOf,
  histogramAgainst,
  integerEdges,
  type QuantileMethod,
  quantiles,
} from '../shared/probability';
import { readAll } from '../shared/readback';
import { notify, type Simulation, startDemo } from '../shared/shell';
import { FAMILIES, FAMILY_NAMES, FAMILY_PARAMS, type FamilyName } from './families';

const SAMPLE_SIZES = ['1000', '10000', '100000', '1000000', '10000000'];
/** The QQ plot uses at most this many of the samples: quantiles by selection cost seconds beyond on SwiftShader. */
const QQ_SAMPLES = 10_000;
/** The QQ plot's probabilities: (i + 1/2) / 99. */
const QQ_PROBS = Array.from({ length: 99 }, (_, i) => (i + 0.5) / 99);
/** Points of the density and cdf curves of a continuous family. */
const GRID = 401;
const WIDE = 680;

const PARAMS: ParamSpec[] = [
  { key: 'family', kind: 'select', default: 'Normal', options: FAMILY_NAMES },
  ...FAMILY_PARAMS,
  { key: 'samples', kind: 'select', default: '100000', options: SAMPLE_SIZES, label: 'samples per draw' },
  {
    key: 'bins',
    kind: 'int',
    default: 60,
    min: 5,
    max: 200,
    label: 'histogram bins',
    showIf: (p) => !FAMILIES[p.family as FamilyName]?.discrete,
  },
  { key: 'seed', kind: 'int', default: 1, min: 0, max: 1_000_000 },
];

const fmt = (v: number, digits = 4) =>
  Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : String(v);

/**
 * The family's distribution for the params; if the library rejects them, a message (the library's own
 * words) and the family's default parameters instead.
 */
function distributionFor(gb: Context, p: Params, stage: HTMLElement) {
  const family = FAMILIES[p.family as FamilyName];
  try {
    return { d: family.make(gb, p), used: p, problem: '' };
  } catch (e) {
    if (!(e instanceof GradboxError)) throw e;
    const defaults = Object.fromEntries(
      family.keys.map((k) => [k, PARAMS.find((s) => s.key === k)!.default]),
    ) as Params;
    const problem = `${e.message}; using ${family.keys.map((k) => `${k} = ${defaults[k]}`).join(', ')}`;
    notify(stage, problem);
    const used = { ...p, ...defaults };
    return { d: family.make(gb, used), used, problem };
  }
}

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  const name = p.family as FamilyName;
  const family = FAMILIES[name];
  const { d, used, problem } = distributionFor(gb, p, stage);
  const bracket = family.bracket(used);
  const discrete = family.discrete;
  const N = Number(p.samples);
  const nQQ = Math.min(N, QQ_SAMPLES);
  const VIEW_PROBS = [0.0005, 0.002, 0.998, 0.9995];

  // What does not change between draws: moments, quantiles, the view and the bins.
  let method: QuantileMethod = 'icdf';
  const first = await readAll(gb, () => {
    const view = quantiles(gb, d, VIEW_PROBS, bracket, discrete);
    const qq = quantiles(gb, d, QQ_PROBS, bracket, discrete);
    method = qq.method;
    return {
      view: view.values,
      qq: qq.values,
      mean: d.mean,
      variance: d.variance,
      std: d.stddev,
      entropy: d.entropy(),
    };
  });
  const [mean, variance, std, entropy] = [first.mean[0], first.variance[0], first.std[0], first.entropy[0]];
  const qqTheory = Array.from(first.qq);
  let lo: number;
  let hi: number;
  let edges: Float32Array;
  let binWidth: number;
  if (discrete) {
    lo = first.view[0] - 1;
    hi = first.view[3] + 1;
    if (bracket[0] >= -1) lo = Math.max(lo, bracket[0] + 1);
    const e = integerEdges(lo, hi);
    edges = e.edges;
    binWidth = e.width;
  } else {
    const pad = 0.08 * (first.view[2] - first.view[1]) || 1;
    lo = first.view[1] - pad;
    hi = first.view[2] + pad;
    // A support that starts at 0 (Exponential, Gamma, ...) is not padded below it.
    if (bracket[0] === 0) lo = Math.max(lo, 0);
    edges = edgesOf(lo, hi, Number(p.bins));
    binWidth = (hi - lo) / Number(p.bins);
  }
  const bins = edges.length - 1;
  const xs = discrete
    ? Float32Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)
    : Float32Array.from({ length: GRID }, (_, i) => lo + ((hi - lo) * i) / (GRID - 1));
  const binProbs = gb.keep(gb.tidy(() => binProbabilities(d, gb.tensor(edges))));
  const curves = await readAll(gb, () => ({
    density: d.prob(gb.tensor(xs)),
    cdf: d.cdf(gb.tensor(xs)),
    binProbs: binProbs.clone(),
  }));

  // One draw: N fresh samples on the device, their histogram, moments and quantiles, one readback.
  let draws = 0;
  let drawSeed = 0;
  let last: {
    counts: Float32Array;
    distance: number;
    sampleMean: number;
    sampleVariance: number;
    below: number;
    qq: Float32Array;
  } = {
    counts: new Float32Array(bins),
    distance: Number.NaN,
    sampleMean: Number.NaN,
    sampleVariance: Number.NaN,
    below: 0,
    qq: new Float32Array(QQ_PROBS.length),
  };
  const draw = async () => {
    drawSeed = Number(p.seed) * 2 ** 20 + draws;
    draws++;
    const r = await readAll(gb, () => {
      const x = d.sample([N], { seed: drawSeed }) as Tensor;
      const h = histogramAgainst(x, edges, binProbs, N);
      return {
        counts: h.counts,
        distance: h.distance,
        mean: x.mean(),
        variance: x.var(undefined, false, { ddof: 1 }),
        below: x.less(edges[0]).sum(),
        qq: stats.quantile(nQQ === N ? x : x.slice([0], [nQQ]), QQ_PROBS),
      };
    });
    last = {
      counts: r.counts,
      distance: r.distance[0],
      sampleMean: r.mean[0],
      sampleVariance: r.variance[0],
      below: r.below[0],
      qq: r.qq,
    };
    return last.distance;
  };
  await draw();

  // The page -------------------------------------------------------------------------------------
  const densityCanvas = chartCanvas(
    'density',
    WIDE,
    340,
    `The ${discrete ? 'mass' : 'density'} function of ${name} with a histogram of fresh samples`,
  );
  const cdfCanvas = chartCanvas('cdf', 336, 260, `The distribution function of ${name}`);
  const qqCanvas = chartCanvas('qq', 336, 260, 'QQ plot: sample quantiles against exact quantiles');
  stage.append(
    figure(
      densityCanvas,
      `${discrete ? 'Mass function (stems)' : 'Density (curve)'} of ${name}, the mean (solid) and one standard deviation either side (dashed), and the histogram of ${Number(N).toLocaleString('en')} fresh samples drawn on the device (bars, scaled to a density): more samples, closer fit.`,
      true,
    ),
    figure(
      cdfCanvas,
      'Distribution function F(x) = P(X ≤ x) (curve) and the samples’ share at or below each bin’s right edge (dots).',
      true,
    ),
    figure(
      qqCanvas,
      `QQ plot: the quantiles of ${nQQ.toLocaleString('en')} of the samples against the exact ones (${method === 'icdf' ? 'from the icdf' : 'by bisection on the cdf'}); on the line when they agree.`,
      true,
    ),
  );

  const heights = () => Array.from(last.counts, (c) => c / (N * binWidth));
  const drawDensity = () => {
    const hs = heights();
    const finite = Array.from(curves.density).filter(Number.isFinite);
    const histMax = Math.max(...hs, 0);
    // A density that is infinite at an edge (Gamma with shape < 1) would flatten everything else.
    const curveMax = Math.min(Math.max(...finite, 0), histMax > 0 ? 3 * histMax : Infinity);
    const top = 1.15 * Math.max(histMax, curveMax, 1e-6);
    const plot = new Plot(densityCanvas, {
      range: [lo - (discrete ? 0.5 : 0), hi + (discrete ? 0.5 : 0), 0, top],
      xLabel: 'x',
      yLabel: discrete ? 'P(X = k)' : 'density',
    });
    plot.axes();
    plot.band(mean - std, mean + std, 'rgba(37,99,235,0.07)');
    plot.bars(edges, hs, 'rgba(249,115,22,0.45)', 'rgba(249,115,22,0.8)');
    if (discrete) plot.stems(xs, curves.density, '#1e3a8a');
    else plot.line(xs, curves.density, '#1e3a8a', 2.5);
    plot.vline(mean, '#111', `mean ${fmt(mean, 4)}`, [], 2);
    plot.vline(mean - std, '#2563eb', '−1 sd', [6, 4]);
    plot.vline(mean + std, '#2563eb', '+1 sd', [6, 4]);
    plot.legend([
      [discrete ? 'mass function' : 'density', '#1e3a8a'],
      [`histogram, N = ${N.toLocaleString('en')}`, 'rgba(249,115,22,0.8)'],
      ['mean ± 1 sd', '#2563eb'],
    ]);
  };
  const drawCdf = () => {
    const plot = new Plot(cdfCanvas, { range: [lo, hi, 0, 1.02], xLabel: 'x', yLabel: 'F(x)' });
    plot.axes();
    if (discrete) plot.steps(xs, curves.cdf, '#1e3a8a');
    else plot.line(xs, curves.cdf, '#1e3a8a', 2);
    let run = last.below;
    const ex: number[] = [];
    const ey: number[] = [];
    last.counts.forEach((c, i) => {
      run += c;
      ex.push(edges[i + 1]);
      ey.push(run / N);
    });
    plot.points(ex, ey, 'rgba(249,115,22,0.9)', 2.2);
    plot.vline(mean, '#111');
    plot.vline(mean - std, '#2563eb', '', [6, 4]);
    plot.vline(mean + std, '#2563eb', '', [6, 4]);
  };
  const drawQQ = () => {
    const all = [...qqTheory, ...last.qq].filter(Number.isFinite);
    const [a, b] = [Math.min(...all), Math.max(...all)];
    const pad = 0.05 * (b - a) || 1;
    const plot = new Plot(qqCanvas, {
      range: [a - pad, b + pad, a - pad, b + pad],
      xLabel: `exact quantile (${method})`,
      yLabel: 'sample quantile',
    });
    plot.axes();
    plot.line([a - pad, b + pad], [a - pad, b + pad], '#94a3b8', 1.5, [5, 4]);
    plot.points(qqTheory, last.qq, '#dc2626', 2.8);
  };

  const counted = () => last.counts.reduce((s, c) => s + c, 0);
  return {
    async train(n) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = await draw();
      return out;
    },
    async render() {
      drawDensity();
      drawCdf();
      drawQQ();
    },
    async formula() {
      const label = (k: string) => PARAMS.find((s) => s.key === k)?.label ?? k;
      const args = family.keys.map((k) => `\\text{${label(k)}} = ${fmt(Number(used[k]))}`).join(',\\ ');
      return (
        `X \\sim \\text{${name}}(${args})` +
        `\\\\ ${family.tex(used)}` +
        `\\\\ \\mathbb{E}[X] = ${fmt(mean)},\\ \\operatorname{Var}[X] = ${fmt(variance)},\\ \\sigma = ${fmt(std)}` +
        `\\\\ \\text{entropy } H[X] = ${fmt(entropy)}\\ \\text{nats}` +
        `\\\\ \\bar x = ${fmt(last.sampleMean)},\\ s^2 = ${fmt(last.sampleVariance)}\\ \\ (N = ${N.toLocaleString('en').replaceAll(',', '{,}')})` +
        `\\\\ \\textstyle\\sum_{\\text{bins}} \\big| \\tfrac{\\text{count}}{N} - P(X \\in \\text{bin}) \\big| = ${fmt(last.distance, 3)}`
      );
    },
    figures() {
      return {
        family: name,
        distParams: Object.fromEntries(family.keys.map((k) => [k, Number(used[k])])),
        paramProblem: problem || null,
        mean,
        variance,
        std,
        entropy,
        samples: N,
        sampleMean: last.sampleMean,
        sampleVariance: last.sampleVariance,
        histogramDistance: last.distance,
        histogram: {
          bins,
          binWidth,
          range: [edges[0], edges[bins]],
          counted: counted(),
          below: last.below,
          above: N - counted() - last.below,
          counts: Array.from(last.counts),
          probabilities: Array.from(curves.binProbs),
          distance: last.distance,
        },
        quantileMethod: method,
        qq: { probs: QQ_PROBS, exact: qqTheory, sample: Array.from(last.qq), of: nQQ },
        curve: { x: Array.from(xs), density: Array.from(curves.density), cdf: Array.from(curves.cdf) },
        run: { drawSeed, draws, tensors: gb.memory().tensors },
      };
    },
    async snapshot() {
      return null;
    },
    dispose() {
      binProbs.dispose();
      d.dispose();
    },
  };
}

startDemo({
  id: 'distributions',
  title: 'Distributions',
  params: PARAMS,
  kernels: ['distributions', 'random', 'stats', 'special', 'reduce', 'elementwise'],
  lossLabel: 'histogram distance',
  lossChart: false,
  stepsPerFrame: 1,
  create,
});
