// Demo: a t-test explained by simulation. One experiment (simulated with a true effect, or Student's sleep
// data) gives t and its p-value from stats.ttest*; 10^5 experiments simulated under the null hypothesis in one
// batched sample on the device give t's null distribution, the p-value as a counted area beside the formula,
// and the type I error; the same draws shifted by the effect give the power (and the type II error), against
// effect size and sample size, simulated and analytic (the noncentral t by quadrature on the device).
import { type Context, dist, stats, type Tensor } from '../../src/index';
import { figure } from '../shared/draw';
import { type Params, type ParamSpec } from '../shared/params';
import { chartCanvas, Plot } from '../shared/plot';
import { readAll } from '../shared/readback';
import { type Simulation, startDemo } from '../shared/shell';
import sleep from './data/sleep.json';
import { analyticPower, criticalT, type Design, designOf, experimentStats, prefixT } from './power';

const EXPERIMENTS = ['one-sample', 'two-sample', 'sleep data'] as const;
type Experiment = (typeof EXPERIMENTS)[number];
const BINS = 90;
const N_CURVE = 100; // the power-against-n curve runs k = 2..N_CURVE from one sample of running sums
const N_CURVE_EXPERIMENTS = 4000;
const D_CURVE = 16; // simulated points on the power-against-effect curve

const PARAMS: ParamSpec[] = [
  { key: 'experiment', kind: 'select', default: 'one-sample', options: EXPERIMENTS },
  { key: 'n', kind: 'int', default: 20, min: 2, max: 100, label: 'n per group' },
  {
    key: 'effect',
    kind: 'number',
    default: 0.5,
    min: -2,
    max: 2,
    step: 0.05,
    label: 'true effect d (in σ)',
  },
  { key: 'alpha', kind: 'number', default: 0.05, min: 0.001, max: 0.5, step: 0.001, label: 'α' },
  {
    key: 'experiments',
    kind: 'int',
    default: 100_000,
    min: 1000,
    max: 200_000,
    label: 'simulated experiments',
  },
  { key: 'seed', kind: 'int', default: 1, min: 0, max: 1_000_000 },
];

/** Counts of a histogram as densities (count / (total width)), so they sit on the density's scale. */
const densities = (counts: ArrayLike<number>, total: number, width: number) =>
  Array.from(counts, (c) => c / (total * width));

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  const experiment = p.experiment as Experiment;
  const design: Design = experiment === 'two-sample' ? 'two' : 'one';
  const n = experiment === 'sleep data' ? sleep.x.length : Number(p.n);
  const { df, root } = designOf(design, n);
  const E = Number(p.experiments);
  const seed = Number(p.seed);
  const effect = Number(p.effect);
  let alpha = Number(p.alpha);
  const normal = (mean: number) => new dist.Normal(gb, { mean, std: 1 });

  // The observed experiment and its t-test by the library.
  let x: Tensor;
  let y: Tensor | null = null;
  if (experiment === 'sleep data') {
    // Student's question: does drug 2 give more extra sleep than drug 1, patient by patient?
    x = gb.tensor(sleep.y);
    y = gb.tensor(sleep.x);
  } else {
    x = normal(effect).sample([n], { seed });
    if (design === 'two') y = normal(0).sample([n], { seed: seed + 500_009 });
  }
  const test =
    experiment === 'sleep data'
      ? await stats.ttestPaired(x, y!)
      : design === 'two'
        ? await stats.ttest2(x, y!, { equalVar: true })
        : await stats.ttest1(x, 0);
  const observed = await readAll(gb, () => ({ x, y: y ?? gb.zeros([0]) }));
  x.dispose();
  y?.dispose();
  const tObs = test.statistic;

  // E experiments under the null hypothesis, one batched sample: each one's mean difference and standard
  // error stay on the device; t under any effect d is (diff + d) / se.
  const { diff, se } = gb.tidy(() => {
    const z = normal(0).sample(design === 'one' ? [E, n] : [E, 2, n], { seed: seed + 1_000_003 });
    const r = experimentStats(design, z);
    return { diff: gb.keep(r.diff), se: gb.keep(r.se) };
  });
  // Running sums over up to N_CURVE draws per group: t at every sample size, for power against n.
  const zn = normal(0).sample(
    design === 'one' ? [N_CURVE_EXPERIMENTS, N_CURVE] : [N_CURVE_EXPERIMENTS, 2, N_CURVE],
    { seed: seed + 2_000_003 },
  );
  const nsCurve = Array.from({ length: N_CURVE - 1 }, (_, j) => j + 2);

  // Everything that depends on alpha and the effect, recomputed when they move.
  let a: Awaited<ReturnType<typeof analyse>>;
  async function analyse() {
    const tCrit = criticalT(alpha, df);
    const range = Math.min(15, Math.max(5, Math.abs(tObs) * 1.15, Math.abs(effect) * root + 4.5));
    const dMax = Math.max(1.5, Math.abs(effect) * 1.25);
    const dSim = Array.from({ length: D_CURVE }, (_, i) => (dMax * i) / (D_CURVE - 1));
    const dLine = Array.from({ length: 61 }, (_, i) => (dMax * i) / 60);
    const critByN = nsCurve.map((k) => criticalT(alpha, designOf(design, k).df));
    const xs = Array.from({ length: 301 }, (_, i) => -range + (2 * range * i) / 300);
    const r = await readAll(gb, () => {
      const tNull = diff.div(se);
      const tAlt = diff.add(effect).div(se);
      const tDist = new dist.StudentT(gb, { df });
      // Reject when p < alpha, that is when |t| > t crit (p falls as |t| grows).
      const hist = (t: Tensor) => stats.histogram(t, { bins: BINS, range: [-range, range] }).counts;
      // Power against the effect: (D, E) statistics from the same draws, rejected beyond the critical value.
      const tByD = diff
        .reshape([1, E])
        .add(gb.tensor(dSim, [D_CURVE, 1]))
        .div(se.reshape([1, E]));
      const tByN = prefixT(design, zn, effect).abs(); // (experiments, K - 1)
      return {
        pSim: tNull.abs().greaterEqual(Math.abs(tObs)).mean(),
        typeI: tNull.abs().greater(tCrit).mean(),
        power: tAlt.abs().greater(tCrit).mean(),
        tCritSim: stats.quantile(tNull.abs(), 1 - alpha),
        nullCounts: hist(tNull),
        altCounts: hist(tAlt),
        density: tDist.prob(gb.tensor(xs)),
        powerByD: tByD.abs().greater(tCrit).mean(1),
        powerByN: tByN.greater(gb.tensor(critByN)).mean(0),
        analytic: analyticPower(gb, [
          { delta: effect * root, df, c: tCrit },
          ...dLine.map((d) => ({ delta: d * root, df, c: tCrit })),
          ...nsCurve.map((k, j) => {
            const o = designOf(design, k);
            return { delta: effect * o.root, df: o.df, c: critByN[j] };
          }),
        ]),
      };
    });
    const width = (2 * range) / BINS;
    const edges = Array.from({ length: BINS + 1 }, (_, i) => -range + i * width);
    const pSim = r.pSim[0];
    return {
      alpha,
      tCrit,
      range,
      edges,
      xs,
      density: Array.from(r.density),
      nullDensity: densities(r.nullCounts, E, width),
      altDensity: densities(r.altCounts, E, width),
      pSim,
      pSimSE: Math.sqrt((pSim * (1 - pSim)) / E),
      typeI: r.typeI[0],
      power: r.power[0],
      powerFormula: r.analytic[0],
      tCritSim: r.tCritSim[0],
      byD: {
        d: dSim,
        sim: Array.from(r.powerByD),
        line: dLine,
        formula: Array.from(r.analytic.slice(1, 62)),
      },
      byN: { n: nsCurve, sim: Array.from(r.powerByN), formula: Array.from(r.analytic.slice(62)) },
    };
  }
  a = await analyse();

  // Pictures --------------------------------------------------------------------------------------
  const nullCanvas = chartCanvas('null', 520, 300, 't under the null hypothesis, simulated and by formula');
  const errorsCanvas = chartCanvas('errors', 520, 300, 'Type I and type II errors at level alpha');
  const steering = (of: string, key: string) =>
    `Power against ${of}: click, or use the left and right arrow keys, to set ${key}.`;
  const byDCanvas = chartCanvas('power-effect', 345, 250, steering('the effect', 'effect'));
  const byNCanvas = chartCanvas('power-n', 345, 250, steering('n', 'n'));
  // Each draw sets the plots' ranges from the analysis.
  const nullPlot = new Plot(nullCanvas, { range: [0, 1, 0, 1] });
  const errorsPlot = new Plot(errorsCanvas, { range: [0, 1, 0, 1] });
  const byDPlot = new Plot(byDCanvas, { range: [0, 1, 0, 1] });
  const byNPlot = new Plot(byNCanvas, { range: [0, 1, 0, 1] });
  const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
  const pText = (v: number) => (v < 1e-4 ? v.toExponential(2) : v.toFixed(4));

  const drawNull = () => {
    // Head room above the densities for the p-values and the legend.
    const top = Math.max(...a.density, ...a.nullDensity) * 1.5;
    nullPlot.options = { range: [-a.range, a.range, 0, top], xLabel: 't', yLabel: 'density' };
    nullPlot.axes();
    const beyond = (t: number) => Math.abs(t) >= Math.abs(tObs);
    nullPlot.bars(a.edges, a.nullDensity, (i) =>
      beyond((a.edges[i] + a.edges[i + 1]) / 2) ? 'rgba(220, 38, 38, 0.55)' : 'rgba(37, 99, 235, 0.35)',
    );
    // Both tails beyond |t|: the p-value's area under the density.
    nullPlot.area(a.xs, a.density, -a.range, -Math.abs(tObs), 'rgba(220, 38, 38, 0.25)');
    nullPlot.area(a.xs, a.density, Math.abs(tObs), a.range, 'rgba(220, 38, 38, 0.25)');
    nullPlot.line(a.xs, a.density, '#111', 1.5);
    nullPlot.vline(tObs, '#dc2626', '', [], 2);
    nullPlot.vline(-tObs, '#dc2626', '', [4, 4], 1);
    nullPlot.text(`t = ${fmt(tObs, 3)}`, tObs, top * 0.66, '#dc2626', tObs > 0 ? 'left' : 'right');
    nullPlot.text(`p (formula) = ${pText(test.pValue)}`, -a.range * 0.97, top * 0.9);
    nullPlot.text(`p (simulation) = ${pText(a.pSim)} ± ${pText(a.pSimSE)}`, -a.range * 0.97, top * 0.8);
    nullPlot.legend([
      [`${E.toLocaleString('en')} null experiments`, 'rgba(37, 99, 235, 0.5)'],
      [`Student t, ${df} df`, '#111'],
      ['|t*| ≥ |t|: the p-value', 'rgba(220, 38, 38, 0.6)'],
    ]);
  };

  const drawErrors = () => {
    const top = Math.max(...a.density, ...a.nullDensity, ...a.altDensity) * 1.6;
    errorsPlot.options = { range: [-a.range, a.range, 0, top], xLabel: 't', yLabel: 'density' };
    errorsPlot.axes();
    const rejected = (t: number) => Math.abs(t) > a.tCrit;
    const mid = (i: number) => (a.edges[i] + a.edges[i + 1]) / 2;
    errorsPlot.bars(a.edges, a.altDensity, (i) =>
      rejected(mid(i)) ? 'rgba(249, 115, 22, 0.25)' : 'rgba(249, 115, 22, 0.75)',
    );
    errorsPlot.bars(a.edges, a.nullDensity, (i) =>
      rejected(mid(i)) ? 'rgba(37, 99, 235, 0.85)' : 'rgba(37, 99, 235, 0.25)',
    );
    errorsPlot.vline(a.tCrit, '#111', '', [5, 4]);
    errorsPlot.vline(-a.tCrit, '#111', '', [5, 4]);
    errorsPlot.text(`α = ${alpha}, type I (sim) = ${fmt(a.typeI)}`, -a.range * 0.97, top * 0.9);
    errorsPlot.text(`power = ${fmt(a.power)} (sim)`, -a.range * 0.97, top * 0.8);
    errorsPlot.text(`           ${fmt(a.powerFormula)} (formula)`, -a.range * 0.97, top * 0.72);
    errorsPlot.text(`β = 1 − power = ${fmt(1 - a.power)}`, -a.range * 0.97, top * 0.62);
    errorsPlot.legend([
      ['H₀: dark = type I errors', 'rgba(37, 99, 235, 0.7)'],
      [`d = ${effect}: dark = type II errors`, 'rgba(249, 115, 22, 0.75)'],
      [`±t crit = ${fmt(a.tCrit, 3)}`, '#111'],
    ]);
  };

  const drawPowerCurve = (
    plot: Plot,
    line: { x: number[]; y: number[] },
    dots: { x: number[]; y: number[] },
    at: number,
    xLabel: string,
  ) => {
    plot.options = { range: [line.x[0], line.x[line.x.length - 1], 0, 1.02], xLabel, yLabel: 'power' };
    plot.axes();
    plot.hline(alpha, '#9ca3af', [4, 4], 1);
    plot.vline(at, '#f97316');
    plot.line(line.x, line.y, '#111', 1.5);
    plot.points(dots.x, dots.y, '#2563eb', 3);
    plot.legend(
      [
        ['analytic (noncentral t)', '#111'],
        ['simulated', '#2563eb'],
      ],
      'bottom',
    );
  };

  const draw = () => {
    drawNull();
    drawErrors();
    drawPowerCurve(
      byDPlot,
      { x: a.byD.line, y: a.byD.formula },
      { x: a.byD.d, y: a.byD.sim },
      Math.abs(effect),
      `effect |d| (n = ${n})`,
    );
    drawPowerCurve(
      byNPlot,
      { x: a.byN.n, y: a.byN.formula },
      { x: a.byN.n.filter((_, j) => j % 4 === 0), y: a.byN.sim.filter((_, j) => j % 4 === 0) },
      n,
      `n per group (d = ${effect})`,
    );
  };

  // Keyboard and pointer on the power charts: they set the effect and n.
  const steer = (canvas: HTMLCanvasElement, plot: Plot, key: 'effect' | 'n', stepSize: number) => {
    canvas.tabIndex = 0;
    const setTo = (v: number) => {
      const spec = PARAMS.find((s) => s.key === key)!;
      const clamped = Math.max(spec.min!, Math.min(spec.max!, v));
      void window.demo?.control.set(key, key === 'n' ? Math.round(clamped) : Number(clamped.toFixed(2)));
    };
    const current = () => (key === 'n' ? n : effect);
    canvas.addEventListener('keydown', (e) => {
      const dir = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!dir || (key === 'n' && experiment === 'sleep data')) return;
      e.preventDefault();
      setTo(current() + dir * stepSize);
    });
    canvas.addEventListener('click', (e) => {
      if (key === 'n' && experiment === 'sleep data') return;
      const r = canvas.getBoundingClientRect();
      const [v] = plot.dataAt(((e.clientX - r.left) / r.width) * canvas.width, 0);
      setTo(key === 'effect' ? Math.sign(effect || 1) * v : v);
    });
  };
  steer(byDCanvas, byDPlot, 'effect', 0.05);
  steer(byNCanvas, byNPlot, 'n', 1);

  const what =
    experiment === 'sleep data'
      ? `Student's sleep data: ${n} patients' extra sleep on drug 2 minus drug 1, a paired t-test (stats.ttestPaired)`
      : experiment === 'two-sample'
        ? `two groups of ${n} drawn on the device, N(${effect}, 1) and N(0, 1), a pooled two-sample t-test (stats.ttest2)`
        : `${n} values drawn on the device from N(${effect}, 1), a one-sample t-test of mean 0 (stats.ttest1)`;
  stage.append(
    figure(
      nullCanvas,
      `The observed experiment: ${what}, gives t (red). Under H₀ (no effect), ${E.toLocaleString('en')} experiments simulated in one batched sample give t’s null distribution (blue), on Student’s t density. The p-value is the share of them at least as extreme as t: counted, and by the formula.`,
      true,
    ),
    figure(
      errorsCanvas,
      `Decisions at level α: reject H₀ when |t| > t crit (p < α). Under H₀ that happens with probability α (type I error); under the effect d the same draws shifted by d give t’s distribution (orange), and the share not rejected is the type II error β = 1 − power.`,
      true,
    ),
    figure(
      byDCanvas,
      `Power against the effect size at n = ${n}: ${D_CURVE} effects from the same ${E.toLocaleString('en')} simulated experiments (dots) and the noncentral t (line). Click or use ← → to set d.`,
      true,
    ),
    figure(
      byNCanvas,
      `Power against n at d = ${effect}: ${N_CURVE_EXPERIMENTS} simulated experiments of ${N_CURVE} draws, t at every n from running sums (dots), and the noncentral t (line). Click or use ← → to set n.`,
      true,
    ),
  );
  draw();

  const tex = () => {
    const stat =
      experiment === 'sleep data'
        ? `t = \\frac{\\bar d}{s_d / \\sqrt n}`
        : design === 'two'
          ? `t = \\frac{\\bar x - \\bar y}{s_p \\sqrt{2/n}}`
          : `t = \\frac{\\bar x - 0}{s / \\sqrt n}`;
    return [
      `${stat} = ${fmt(tObs)},\\ \\nu = ${df}`,
      `p = P(|T_\\nu| \\ge |t|) = 2\\,(1 - F_\\nu(|t|)) = ${pText(test.pValue)}`,
      `\\hat p = \\tfrac{1}{E}\\#\\{|t^*_j| \\ge |t|\\} = ${pText(a.pSim)} \\pm ${pText(a.pSimSE)},\\ E = ${E}`,
      `t_{\\text{crit}} = F_\\nu^{-1}(1 - \\alpha/2) = ${fmt(a.tCrit)}\\ (\\text{sim } ${fmt(a.tCritSim)})`,
      `P(\\text{reject} \\mid H_0) = \\alpha = ${alpha}\\ (\\text{sim } ${fmt(a.typeI)})`,
      `\\text{power} = \\mathbb E_S\\big[\\Phi(\\delta - c\\tfrac{S}{\\sqrt\\nu}) + \\Phi(-\\delta - c\\tfrac{S}{\\sqrt\\nu})\\big]`,
      `\\delta = d\\sqrt{${design === 'two' ? 'n/2' : 'n'}} = ${fmt(effect * root, 3)}:\\ ${fmt(a.powerFormula)}\\ (\\text{sim } ${fmt(a.power)})`,
      `\\beta = 1 - \\text{power} = ${fmt(1 - a.powerFormula)}`,
    ].join(' \\\\ ');
  };

  return {
    async train() {
      return new Float32Array(0);
    },
    async render() {
      // A new alpha (a live setting) changes every decision, not the simulated experiments.
      if (a.alpha !== alpha) a = await analyse();
      draw();
    },
    async formula() {
      return tex();
    },
    figures() {
      return {
        experiment,
        n,
        df,
        effect,
        alpha,
        experiments: E,
        tObs,
        pFormula: test.pValue,
        pSim: a.pSim,
        pSimSE: a.pSimSE,
        tCrit: a.tCrit,
        tCritSim: a.tCritSim,
        typeI: a.typeI,
        power: a.power,
        powerFormula: a.powerFormula,
        typeII: 1 - a.power,
        powerByEffect: a.byD,
        powerByN: a.byN,
        observed: { x: Array.from(observed.x), y: Array.from(observed.y) },
        tensors: gb.memory().tensors,
      };
    },
    async snapshot() {
      return undefined;
    },
    update(next: Params) {
      alpha = Number(next.alpha);
    },
    async act(key) {
      if (key === 'newExperiment') void window.demo?.control.set('seed', seed + 1);
    },
    dispose() {
      for (const t of [diff, se, zn]) t.dispose();
    },
  };
}

startDemo({
  id: 'hypothesis-tests',
  title: 'Hypothesis tests',
  params: PARAMS,
  liveKeys: ['alpha'],
  kernels: ['distributions', 'elementwise', 'reduce', 'scan', 'stats', 'special'],
  stepless: true,
  actions: [{ key: 'newExperiment', label: 'new experiment (next seed)' }],
  create,
});
