// Demo: the law of large numbers and the central limit theorem. Each step the device runs thousands of
// experiments at once, each the mean of n draws from a skewed, discrete or bimodal distribution (one batched
// sample of shape [experiments, n], averaged along its last axis); the histogram of those means narrows like
// sigma / sqrt(n) and turns normal, with N(mu, sigma^2 / n) from dist.Normal over it; beside it the running
// mean of one long sequence converging to mu. Every number is gradbox's.
import { type Context, dist } from '../../src/index';
import { figure } from '../shared/draw';
import type { Params, ParamSpec } from '../shared/params';
import { chartCanvas, Plot } from '../shared/plot';
import { binProbabilities, edgesOf, histogramAgainst } from '../shared/probability';
import { readAll } from '../shared/readback';
import { type Simulation, startDemo } from '../shared/shell';
import { SOURCE_NAMES, SOURCES, type SourceName } from './sources';

/** Bins of the means' histogram across mu +- 4.5 sigma / sqrt(n) (fewer for a coarse lattice). */
const BINS = 60;
const HALF_WIDTH = 4.5;
/** Points of the running mean drawn, log-spaced from 1 to the sequence's length. */
const RUN_POINTS = 300;
const GRID = 301;
/** Seed offset of the running sequence, so that it never shares a Philox key with the experiments. */
const SEQUENCE_SEED = 2 ** 51;

const PARAMS: ParamSpec[] = [
  { key: 'source', kind: 'select', default: 'Exponential(1)', options: SOURCE_NAMES, label: 'distribution' },
  { key: 'n', kind: 'int', default: 5, min: 1, max: 200, label: 'draws per mean n' },
  {
    key: 'experiments',
    kind: 'select',
    default: '10000',
    options: ['1000', '10000', '100000'],
    label: 'experiments per step',
  },
  {
    key: 'sequence',
    kind: 'select',
    default: '10000',
    options: ['1000', '10000', '100000'],
    label: 'running mean: draws',
  },
  { key: 'seed', kind: 'int', default: 1, min: 0, max: 1_000_000 },
];

const fmt = (v: number, digits = 4) =>
  Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : String(v);
const texInt = (v: number) => v.toLocaleString('en').replaceAll(',', '{,}');

/**
 * The means' histogram edges over mu +- 4.5 sd. For a source on a lattice (the mean of n draws lives on
 * multiples of 1/n) the bins are whole multiples of 1/n centred on lattice points, so no bin gets an extra one.
 */
function meanEdges(mu: number, sd: number, n: number, lattice: number | null): Float32Array {
  const [lo, hi] = [mu - HALF_WIDTH * sd, mu + HALF_WIDTH * sd];
  if (lattice === null) return edgesOf(lo, hi, BINS);
  const step = lattice / n;
  const width = Math.max(1, Math.round((hi - lo) / BINS / step)) * step;
  const start = (Math.floor(lo / step) - 0.5) * step;
  const bins = Math.ceil((hi - start) / width);
  return Float32Array.from({ length: bins + 1 }, (_, i) => start + i * width);
}

/** About `count` log-spaced integer positions 1..length (the running mean's x values). */
function logPositions(length: number, count: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(Math.exp((Math.log(length) * i) / (count - 1))));
  return [...out].sort((a, b) => a - b);
}

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  const name = p.source as SourceName;
  const source = SOURCES[name](gb);
  const n = Number(p.n);
  const E = Number(p.experiments);
  const L = Number(p.sequence);
  const positions = logPositions(L, RUN_POINTS);

  const sourceXs =
    source.lattice === null
      ? Float32Array.from(
          { length: GRID },
          (_, i) => source.view[0] + ((source.view[1] - source.view[0]) * i) / (GRID - 1),
        )
      : Float32Array.from({ length: source.view[1] - source.view[0] + 1 }, (_, i) => source.view[0] + i);
  const moments = await readAll(gb, () => ({
    mean: source.mean(),
    sigma: source.variance().sqrt(),
    // The standard deviation of a mean of n draws, sigma / sqrt(n).
    expectedSd: source.variance().div(n).sqrt(),
    density: source.density(gb.tensor(sourceXs)),
  }));
  const [mu, sigma, expectedSd] = [moments.mean[0], moments.sigma[0], moments.expectedSd[0]];
  // The normal the central limit theorem promises, from dist.Normal.
  const limit = new dist.Normal(gb, { mean: mu, std: expectedSd });
  const edges = meanEdges(mu, expectedSd, n, source.lattice);
  const bins = edges.length - 1;
  const binWidth = edges[1] - edges[0];
  const binProbs = gb.keep(gb.tidy(() => binProbabilities(limit, gb.tensor(edges))));
  const gridXs = Float32Array.from(
    { length: GRID },
    (_, i) => edges[0] + ((edges[bins] - edges[0]) * i) / (GRID - 1),
  );
  const fixed = await readAll(gb, () => ({
    normal: limit.prob(gb.tensor(gridXs)),
    // The running mean stays within mu +- 2 sigma / sqrt(k) about 95% of the time (for large k).
    band: gb
      .tensor(positions)
      .rsqrt()
      .mul(2 * sigma),
    normalBins: binProbs.clone(),
  }));

  let steps = 0;
  let stepSeed = 0;
  /** One step: E experiments of n draws, their means, and a fresh running sequence; one readback. */
  const measure = async () => {
    stepSeed = Number(p.seed) * 2 ** 20 + steps;
    steps++;
    const r = await readAll(gb, () => {
      const draws = source.sample([E, n], stepSeed); // (E, n)
      const means = draws.mean(1); // (E)
      const h = histogramAgainst(means, edges, binProbs, E);
      const m = means.mean();
      const sd = means.std(undefined, false, { ddof: 1 });
      const sequence = source.sample([L], stepSeed + SEQUENCE_SEED);
      const running = sequence.cumsum().div(gb.arange(1, L + 1));
      return {
        counts: h.counts,
        distance: h.distance,
        mean: m,
        sd,
        skew: means.sub(m).div(sd).pow(3).mean(),
        below: means.less(edges[0]).sum(),
        running: running.gather(gb.tensor(positions.map((k) => k - 1))),
      };
    });
    return {
      counts: r.counts,
      distance: r.distance[0],
      meanOfMeans: r.mean[0],
      sdOfMeans: r.sd[0],
      skewOfMeans: r.skew[0],
      below: r.below[0],
      running: r.running,
    };
  };
  let last = await measure();
  const step = async () => {
    last = await measure();
    return last.sdOfMeans;
  };

  // The page -------------------------------------------------------------------------------------
  const meansCanvas = chartCanvas(
    'means',
    680,
    340,
    `Histogram of ${E} sample means of n = ${n} draws with the normal density the central limit theorem predicts`,
  );
  const sourceCanvas = chartCanvas('source', 336, 240, `The distribution the draws come from: ${name}`);
  const runningCanvas = chartCanvas('running', 336, 240, 'The running mean of one sequence of draws');
  stage.append(
    figure(
      meansCanvas,
      `Each step: ${E.toLocaleString('en')} experiments, each the mean of n = ${n} draws (one [${E}, ${n}] sample on the device, averaged along its rows). Bars: their histogram; curve: N(μ, σ²/n). Raise n: the bars narrow like σ/√n and lose the skew.`,
      true,
    ),
    figure(sourceCanvas, `The distribution of one draw, ${name}, and its mean μ.`, true),
    figure(
      runningCanvas,
      `The running mean of one sequence of ${L.toLocaleString('en')} draws (log scale): it settles on μ within about ±2σ/√k (dashed).`,
      true,
    ),
  );

  const drawMeans = () => {
    const hs = Array.from(last.counts, (c) => c / (E * binWidth));
    const top = 1.15 * Math.max(...hs, ...fixed.normal);
    const plot = new Plot(meansCanvas, {
      range: [edges[0], edges[bins], 0, top],
      xLabel: `mean of n = ${n} draws`,
      yLabel: 'density',
    });
    plot.axes();
    plot.bars(edges, hs, 'rgba(249,115,22,0.45)', 'rgba(249,115,22,0.8)');
    plot.line(gridXs, fixed.normal, '#1e3a8a', 2.5);
    plot.vline(mu, '#111', `μ = ${fmt(mu, 3)}`, [], 2);
    plot.vline(mu - expectedSd, '#2563eb', '', [6, 4]);
    plot.vline(mu + expectedSd, '#2563eb', '', [6, 4]);
    plot.legend([
      [`${E.toLocaleString('en')} sample means`, 'rgba(249,115,22,0.8)'],
      [`N(μ, σ²/n), sd ${fmt(expectedSd, 3)}`, '#1e3a8a'],
      ['μ ± σ/√n', '#2563eb'],
    ]);
  };
  const drawSource = () => {
    const finite = Array.from(moments.density).filter(Number.isFinite);
    const plot = new Plot(sourceCanvas, {
      range: [
        source.view[0] - (source.lattice ? 0.5 : 0),
        source.view[1] + (source.lattice ? 0.5 : 0),
        0,
        1.15 * Math.min(Math.max(...finite), 3),
      ],
      xLabel: 'x',
      yLabel: source.lattice ? 'P(X = x)' : 'density',
    });
    plot.axes();
    if (source.lattice) plot.stems(sourceXs, moments.density, '#1e3a8a');
    else plot.line(sourceXs, moments.density, '#1e3a8a', 2);
    plot.vline(mu, '#111', `μ = ${fmt(mu, 3)}`, [], 2);
  };
  const drawRunning = () => {
    const spread = 2 * sigma;
    const plot = new Plot(runningCanvas, {
      range: [1, L, mu - 1.2 * spread, mu + 1.2 * spread],
      logX: true,
      xLabel: 'draws k (log scale)',
      yLabel: 'running mean',
    });
    plot.axes();
    plot.line(
      positions,
      Array.from(fixed.band, (b) => mu + b),
      '#2563eb',
      1.2,
      [6, 4],
    );
    plot.line(
      positions,
      Array.from(fixed.band, (b) => mu - b),
      '#2563eb',
      1.2,
      [6, 4],
    );
    plot.hline(mu, '#111', [], 1.5);
    plot.line(positions, last.running, '#dc2626', 2);
  };

  return {
    async train(k) {
      const out = new Float32Array(k);
      for (let i = 0; i < k; i++) out[i] = await step();
      return out;
    },
    async render() {
      drawMeans();
      drawSource();
      drawRunning();
    },
    async formula() {
      return (
        `X_i \\sim ${source.tex}` +
        `\\\\ \\mu = \\mathbb{E}[X_i] = ${fmt(mu)},\\ \\sigma = \\sqrt{\\operatorname{Var}[X_i]} = ${fmt(sigma)}` +
        `\\\\ \\bar X_n = \\tfrac1n \\textstyle\\sum_{i=1}^{n} X_i \\ \\approx\\ \\mathcal N\\big(\\mu, \\tfrac{\\sigma^2}{n}\\big),\\ \\tfrac{\\sigma}{\\sqrt n} = ${fmt(expectedSd)}` +
        `\\\\ n = ${n}:\\ ${texInt(E)}\\ \\text{means},\\ \\text{average}\\ ${fmt(last.meanOfMeans)},\\ \\text{sd}\\ ${fmt(last.sdOfMeans)}` +
        `\\\\ \\text{skewness of the means} = ${fmt(last.skewOfMeans, 3)}` +
        `\\\\ \\textstyle\\sum_{\\text{bins}} \\big| \\tfrac{\\text{count}}{${texInt(E)}} - P_{\\mathcal N}(\\text{bin}) \\big| = ${fmt(last.distance, 3)}` +
        `\\\\ \\bar X_{${texInt(L)}} = ${fmt(last.running[last.running.length - 1])}\\ \\to\\ \\mu`
      );
    },
    figures() {
      const counted = last.counts.reduce((a, c) => a + c, 0);
      return {
        source: name,
        n,
        experiments: E,
        mu,
        sigma,
        expectedSd,
        meanOfMeans: last.meanOfMeans,
        sdOfMeans: last.sdOfMeans,
        sdRatio: last.sdOfMeans / expectedSd,
        skewOfMeans: last.skewOfMeans,
        normalDistance: last.distance,
        histogram: {
          bins,
          binWidth,
          range: [edges[0], edges[bins]],
          counts: Array.from(last.counts),
          counted,
          below: last.below,
          above: E - counted - last.below,
          normalProbabilities: Array.from(fixed.normalBins),
        },
        running: {
          length: L,
          k: positions,
          mean: Array.from(last.running),
          last: last.running[last.running.length - 1],
        },
        run: { stepSeed, steps, tensors: gb.memory().tensors },
      };
    },
    async snapshot() {
      return null;
    },
    dispose() {
      binProbs.dispose();
      limit.dispose();
      source.dispose();
    },
  };
}

startDemo({
  id: 'clt',
  title: 'Law of large numbers and central limit theorem',
  params: PARAMS,
  kernels: ['distributions', 'random', 'reduce', 'scan', 'stats', 'elementwise'],
  lossLabel: 'sd of the means',
  lossChart: false,
  stepsPerFrame: 1,
  create,
});
