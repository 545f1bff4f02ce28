// Demo: maximum likelihood. A normal fitted to Galton's heights (or a Poisson rate to von Bortkiewicz's
// horse-kick deaths) by gradient ascent on the log-likelihood: gradbox's valueAndGrad and an optimiser from
// gradbox.optim, on the device. The log-likelihood over the parameters is one batched evaluation of a grid
// (dist's logProb of every observation at every grid point, summed), drawn with the ascent's path, the
// closed-form MLE and the 95% likelihood region; the data's histogram carries the fitted density.
import { type Context, optim, special, stats, type Tensor } from '../../src/index';
import { contours, dot, drawGrid, figure, sequential } from '../shared/draw';
import { gridPoints, type Range, Scale } from '../shared/field';
import { type Params, type ParamSpec } from '../shared/params';
import { chartCanvas, Plot, type PlotMargin } from '../shared/plot';
import { readAll } from '../shared/readback';
import { type Simulation, startDemo } from '../shared/shell';
import { MODEL, type Model, type ModelName, MODELS, observations } from './models';

const SIDE = 64; // grid points per axis of each surface (two surfaces, one evaluation)
const CURVE = 240; // grid points of the Poisson log-likelihood curve (wide and zoomed, one evaluation)
const OPTIMIZERS = ['gradient ascent', 'momentum', 'adam'] as const;
/** Chart margins (left, right, top, bottom): wider than the default for log-likelihood ticks such as -2450. */
const LIKELIHOOD_MARGIN: PlotMargin = { l: 52, r: 12, t: 12, b: 38 };

/** Half the 95% quantile of chi-square with 1 and 2 degrees of freedom: the likelihood region's depth. */
const DROP95: Record<number, number> = {
  1: special.scalar.normalIcdf(0.975) ** 2 / 2, // chi2_1 = z^2
  2: -Math.log(0.05), // chi2_2 is exponential with mean 2
};

function startParam(text: string): string {
  const parts = text.split(',').map((s) => Number(s.trim()));
  const [[m0, m1], [s0, s1]] = MODEL.normal.window;
  const ok =
    parts.length === 2 &&
    parts.every(Number.isFinite) &&
    parts[0] >= m0 &&
    parts[0] <= m1 &&
    parts[1] >= s0 &&
    parts[1] <= s1;
  if (!ok)
    throw new Error(
      `${JSON.stringify(text)} is not "mu,sigma" with ${m0} <= mu <= ${m1}, ${s0} <= sigma <= ${s1}`,
    );
  return parts.map((v) => Number(v.toFixed(3))).join(',');
}

const PARAMS: ParamSpec[] = [
  { key: 'model', kind: 'select', default: 'normal', options: MODELS, label: 'model (data)' },
  { key: 'n', kind: 'int', default: 928, min: 2, max: 928, label: 'observations used' },
  { key: 'optimizer', kind: 'select', default: 'gradient ascent', options: OPTIMIZERS },
  { key: 'lr', kind: 'number', default: 0.5, min: 0.001, max: 3, log: true, label: 'learning rate' },
  { key: 'stepsPerFrame', kind: 'int', default: 2, min: 1, max: 50, label: 'steps per frame' },
  {
    key: 'start',
    kind: 'text',
    default: '64,4',
    parse: startParam,
    folder: 'normal',
    label: 'start mu,sigma (or click)',
  },
  {
    key: 'startRate',
    kind: 'number',
    default: 2,
    min: 0.05,
    max: 3,
    step: 0.01,
    folder: 'poisson',
    label: 'start rate (or click)',
  },
];

/** A point of the ascent: natural parameters and the log-likelihood there (NaN until it is known). */
interface PathPoint {
  natural: number[];
  ll: number;
}

interface Carry {
  model: ModelName;
  n: number;
  path: PathPoint[];
}

/** The log-likelihood over a window, from the one batched evaluation. */
interface Surface {
  range: Range; // [x0, x1, y0, y1] (1-D: y unused)
  values: Float32Array;
}

async function create(gb: Context, p: Params, stage: HTMLElement, carry?: unknown): Promise<Simulation> {
  const model: Model = MODEL[p.model as ModelName];
  const xs = observations(model, Number(p.n));
  const N = xs.length;
  const X = gb.keep(gb.tensor(xs));
  const dims = model.paramNames.length;
  const llSum = (natural: Tensor[]) => model.logProb(gb, natural, X).sum();

  // The closed-form MLE and the log-likelihood there, on the device.
  // Deviations from a first float32 mean keep the sums small: the mean and the spread lose no digits.
  const mleRead = await readAll(gb, () => {
    const first = X.mean();
    const d = X.sub(first);
    const mean = first.add(d.mean());
    const natural =
      model.name === 'normal' ? [mean, d.square().mean().sub(d.mean().square()).sqrt()] : [mean];
    return { mle: gb.stack(natural.map((t) => t.reshape([1]))).reshape([dims]), ll: llSum(natural) };
  });
  const mle = Array.from(mleRead.mle);
  const llMax = mleRead.ll[0];
  // Standard errors from the Fisher information (sigma/sqrt(N), sigma/sqrt(2N); sqrt(lambda/N)): the zoom.
  const se =
    model.name === 'normal' ? [mle[1] / Math.sqrt(N), mle[1] / Math.sqrt(2 * N)] : [Math.sqrt(mle[0] / N)];
  const zoomRange = mle.map((m, i) => [Math.max(m - 5 * se[i], m * 0.05), m + 5 * se[i]] as [number, number]);

  // The surfaces: every grid point of the wide window and of the zoom around the MLE, one evaluation.
  let surfaces: Surface[];
  if (dims === 2) {
    const ranges: Range[] = [
      [...model.window[0], ...model.window[1]],
      [...zoomRange[0], ...zoomRange[1]],
    ];
    const pts = new Float32Array(2 * SIDE * SIDE * 2);
    ranges.forEach((r, k) => pts.set(gridPoints(r, SIDE), k * SIDE * SIDE * 2));
    const r = await readAll(gb, () => {
      const g = gb.tensor(pts, [2 * SIDE * SIDE, 2]);
      const mu = g.slice([0, 0], [2 * SIDE * SIDE, 1]);
      const sigma = g.slice([0, 1], [2 * SIDE * SIDE, 2]);
      // (G, 1) parameters against (1, N) observations: (G, N) log-probabilities, summed over the data.
      return { ll: model.logProb(gb, [mu, sigma], X.reshape([1, N])).sum(1) };
    });
    surfaces = ranges.map((range, k) => ({
      range,
      values: r.ll.subarray(k * SIDE * SIDE, (k + 1) * SIDE * SIDE),
    }));
  } else {
    const ranges: Range[] = [
      [...model.window[0], 0, 0],
      [...zoomRange[0], 0, 0],
    ];
    const rates = new Float32Array(2 * CURVE);
    ranges.forEach(([a, b], k) => {
      for (let i = 0; i < CURVE; i++) rates[k * CURVE + i] = a + ((b - a) * i) / (CURVE - 1);
    });
    const r = await readAll(gb, () => ({
      ll: model.logProb(gb, [gb.tensor(rates, [2 * CURVE, 1])], X.reshape([1, N])).sum(1),
    }));
    surfaces = ranges.map((range, k) => ({ range, values: r.ll.subarray(k * CURVE, (k + 1) * CURVE) }));
  }

  // The data's histogram, by stats.histogram on the device.
  const hist =
    model.name === 'normal'
      ? { bins: 14, range: [60.95, 74.95] as [number, number] }
      : { bins: Math.max(...xs) + 1, range: [-0.5, Math.max(...xs) + 0.5] as [number, number] };
  const histRead = await readAll(gb, () => {
    const h = stats.histogram(X, hist);
    return { counts: h.counts, edges: h.edges };
  });

  // The ascent: free parameters on the device, moved by an optimiser on the mean log-likelihood.
  const startNatural =
    model.name === 'normal' ? String(p.start).split(',').map(Number) : [Number(p.startRate)];
  const carried = carry as Carry | undefined;
  const path: PathPoint[] =
    carried && carried.model === model.name && carried.n === N
      ? carried.path.map((q) => ({ ...q, natural: [...q.natural] }))
      : [{ natural: startNatural, ll: Number.NaN }];
  const free = model.toFree(path[path.length - 1].natural).map((v) => gb.keep(gb.tensor(v)));
  const lr = Number(p.lr);
  const opt =
    p.optimizer === 'adam'
      ? optim.adam(gb, free, { lr })
      : optim.sgd(gb, free, { lr, momentum: p.optimizer === 'momentum' ? 0.9 : 0 });
  const negMeanLL = () => model.logProb(gb, model.fromFree(free), X).mean().neg();

  // What render() reads: the estimate, the log-likelihood and its gradient there (valueAndGrad with respect
  // to the natural parameters), and the fitted densities over the data.
  let estimate = path[path.length - 1].natural;
  let logLik = Number.NaN;
  let gradient: number[] = [];
  let densityXs: number[] = [];
  let fitted: Float32Array = new Float32Array(0);
  let atMle: Float32Array = new Float32Array(0);
  let fitResult: Record<string, number> | null = null;

  const densityGrid =
    model.name === 'normal'
      ? Array.from({ length: 161 }, (_, i) => 60 + (16 * i) / 160)
      : Array.from({ length: hist.bins }, (_, k) => k);

  const surfaceCanvas = chartCanvas(
    'surface',
    345,
    330,
    dims === 2
      ? 'Log-likelihood surface: click to start the ascent there, or use the arrow keys to move the start.'
      : 'Log-likelihood curve: click to start the ascent at a rate, or use the arrow keys to move the start.',
  );
  const zoomCanvas = chartCanvas('zoom', 345, 330, 'The log-likelihood near its maximum');
  const dataCanvas = chartCanvas('data', 430, 300, 'The observations and the fitted distribution');
  surfaceCanvas.tabIndex = 0;
  // Each draw sets the plots' ranges.
  const wide = new Plot(surfaceCanvas, { range: [0, 1, 0, 1] }, LIKELIHOOD_MARGIN);
  const zoom = new Plot(zoomCanvas, { range: [0, 1, 0, 1] }, LIKELIHOOD_MARGIN);
  const dataPlot = new Plot(dataCanvas, { range: [0, 1, 0, 1] }, LIKELIHOOD_MARGIN);

  const setStart = (natural: number[]) => {
    const [[a0, a1], [b0, b1] = [0, 0]] = model.window;
    const c = natural.map((v, i) => Math.max(i ? b0 : a0, Math.min(i ? b1 : a1, v)));
    if (dims === 2) void window.demo?.control.set('start', `${c[0].toFixed(3)},${c[1].toFixed(3)}`);
    else void window.demo?.control.set('startRate', Number(c[0].toFixed(3)));
  };
  surfaceCanvas.addEventListener('click', (e) => {
    const r = surfaceCanvas.getBoundingClientRect();
    const [x, y] = wide.dataAt(
      ((e.clientX - r.left) / r.width) * surfaceCanvas.width,
      ((e.clientY - r.top) / r.height) * surfaceCanvas.height,
    );
    setStart(dims === 2 ? [x, y] : [x]);
  });
  surfaceCanvas.addEventListener('keydown', (e) => {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    const m = moves[e.key];
    if (!m || (dims === 1 && m[0] === 0)) return;
    e.preventDefault();
    const s = path[0].natural;
    const steps = model.window.map(([a, b]) => (b - a) / 50);
    setStart(s.map((v, i) => v + m[i] * steps[i]));
  });

  /** The heat map of a 2-D surface with its contours, the 95% region, the path and the markers. */
  const drawSurface = (plot: Plot, s: Surface, title: string) => {
    const [x0, x1, y0, y1] = s.range;
    plot.options = {
      range: [x0, x1, y0, y1],
      xLabel: `${model.paramNames[0]} (${model.unit})`,
      yLabel: model.paramNames[1],
    };
    plot.axes();
    const area = plot.plotArea;
    const off = document.createElement('canvas');
    off.width = area.r - area.l;
    off.height = area.b - area.t;
    const gaps = Array.from(s.values, (v) => llMax - v);
    const scale = new Scale(gaps, true);
    const t = gaps.map((g) => 1 - scale.at(g));
    drawGrid(off, SIDE, SIDE, (i) => sequential(t[i]));
    contours(
      off,
      t,
      SIDE,
      SIDE,
      Array.from({ length: 12 }, (_, k) => (k + 0.5) / 12),
      'rgba(255,255,255,0.35)',
    );
    contours(off, s.values, SIDE, SIDE, [llMax - DROP95[2]], '#f97316');
    plot.ctx.drawImage(off, area.l, area.t);
    const pathXs = path.map((q) => q.natural[0]);
    const pathYs = path.map((q) => q.natural[1]);
    plot.line(pathXs, pathYs, '#fff', 3);
    plot.line(pathXs, pathYs, '#dc2626', 1.5);
    plot.clipped(() => {
      dot(plot.ctx, plot.px(pathXs[0]), plot.py(pathYs[0]), 5, '#fff', '#dc2626');
      dot(plot.ctx, plot.px(estimate[0]), plot.py(estimate[1]), 5, '#dc2626');
      marker(plot, mle[0], mle[1]);
    });
    plot.text(title, x0 + (x1 - x0) * 0.02, y1 - (y1 - y0) * 0.06, '#111');
  };

  /** The log-likelihood curve of a 1-D model with the ascent's points on it. */
  const drawCurve = (plot: Plot, s: Surface, title: string) => {
    const [x0, x1] = s.range;
    const grid = Array.from({ length: CURVE }, (_, i) => x0 + ((x1 - x0) * i) / (CURVE - 1));
    const finite = Array.from(s.values).filter(Number.isFinite);
    const lo = Math.min(...finite);
    const y1 = llMax + 0.08 * (llMax - lo);
    plot.options = {
      range: [x0, x1, lo, y1],
      xLabel: `${model.paramNames[0]} (${model.unit})`,
      yLabel: 'log-likelihood',
    };
    plot.axes();
    plot.hline(llMax - DROP95[1], '#f97316', [5, 4]);
    plot.line(grid, s.values, '#2563eb', 2);
    const known = path.filter((q) => Number.isFinite(q.ll));
    plot.line(
      known.map((q) => q.natural[0]),
      known.map((q) => q.ll),
      '#dc2626',
      1,
    );
    plot.clipped(() => {
      for (const q of known) dot(plot.ctx, plot.px(q.natural[0]), plot.py(q.ll), 3, '#dc2626');
      if (Number.isFinite(logLik)) dot(plot.ctx, plot.px(estimate[0]), plot.py(logLik), 5, '#dc2626');
      marker(plot, mle[0], llMax);
    });
    plot.text(title, x0 + (x1 - x0) * 0.02, y1 - (y1 - lo) * 0.06);
  };

  const drawData = () => {
    const { counts, edges } = histRead;
    const width = edges[1] - edges[0];
    const normalised = model.name === 'normal';
    // Heights: a density (count / (N width)); counts: observed frequencies beside the expected N p(k).
    const bars = Array.from(counts, (c) => (normalised ? c / (N * width) : c));
    const top = Math.max(...bars, ...fitted, ...atMle) * 1.12;
    dataPlot.options = {
      range: [edges[0], edges[edges.length - 1], 0, top],
      xLabel: model.unit,
      yLabel: normalised ? 'density' : 'corps-years',
    };
    dataPlot.axes();
    dataPlot.bars(edges, bars, 'rgba(37, 99, 235, 0.35)', '#fff'); // white edges keep the bars apart
    if (normalised) {
      dataPlot.line(densityXs, atMle, '#16a34a', 2, [6, 4]);
      dataPlot.line(densityXs, fitted, '#dc2626', 2);
    } else {
      const ctx = dataPlot.ctx;
      densityXs.forEach((k, i) => {
        for (const [v, color, dx] of [
          [atMle[i], '#16a34a', 0.12],
          [fitted[i], '#dc2626', -0.12],
        ] as const) {
          ctx.fillStyle = color;
          ctx.fillRect(dataPlot.px(k + dx) - 3, dataPlot.py(v) - 3, 6, 6);
        }
      });
    }
    dataPlot.legend([
      ['data', 'rgba(37, 99, 235, 0.5)'],
      [`fit now (step ${path.length - 1})`, '#dc2626'],
      ['closed-form MLE', '#16a34a'],
    ]);
  };

  const draw = () => {
    if (dims === 2) {
      drawSurface(wide, surfaces[0], 'log-likelihood ℓ(μ, σ)');
      drawSurface(zoom, surfaces[1], 'near the MLE (± 5 standard errors)');
    } else {
      drawCurve(wide, surfaces[0], 'log-likelihood ℓ(λ)');
      drawCurve(zoom, surfaces[1], 'near the MLE (± 5 standard errors)');
    }
    drawData();
  };

  stage.append(
    figure(
      surfaceCanvas,
      `${dims === 2 ? 'The log-likelihood over (μ, σ), brighter is higher' : 'The log-likelihood over λ'}, from one batched evaluation of ${dims === 2 ? `${2 * SIDE * SIDE} grid points` : `${2 * CURVE} rates`} × ${N} observations. Red: the ascent from its start (white); green cross: the closed-form MLE; orange: the 95% likelihood region (ℓ ≥ ℓ̂ − ${DROP95[dims].toFixed(2)}). Click or use the arrow keys to move the start.`,
      true,
    ),
    figure(zoomCanvas, 'The same near the maximum: the ascent’s last steps and the region’s shape.', true),
    figure(
      dataCanvas,
      `${model.dataName}: ${N} of ${model.data.length} observations${dims === 2 ? ', with the normal density at the current estimate and at the MLE' : ', observed beside the expected counts N·p(k) at the current estimate and at the MLE'}.`,
      true,
    ),
  );

  const readEstimate = async () => {
    const r = await readAll(gb, () => {
      const natural = model.fromFree(free);
      const [value, grads] = gb.valueAndGrad((...ps: Tensor[]) => llSum(ps))(...natural);
      const g = gb.tensor(densityGrid);
      const curves = (ps: Tensor[]) => {
        const d = model.logProb(gb, ps, g).exp();
        return model.name === 'normal' ? d : d.mul(N);
      };
      return {
        natural: gb.stack(natural.map((t) => t.reshape([1]))).reshape([dims]),
        value,
        grads: gb.stack(grads.map((t) => t.reshape([1]))).reshape([dims]),
        fitted: curves(natural),
        atMle: curves(mle.map((v) => gb.tensor(v))),
      };
    });
    estimate = Array.from(r.natural);
    logLik = r.value[0];
    gradient = Array.from(r.grads);
    path[path.length - 1].ll = logLik;
    densityXs = densityGrid;
    fitted = r.fitted;
    atMle = r.atMle;
  };
  await readEstimate();
  // Drawn now, not only on the first render: a backend switch rebuilds without one.
  draw();

  const named = (v: number[], prefix = '') =>
    Object.fromEntries(
      model.paramNames.map((k, i) => [prefix ? prefix + k[0].toUpperCase() + k.slice(1) : k, v[i]]),
    );
  const f = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
  return {
    async train(steps) {
      const losses: Tensor[] = [];
      const points: Tensor[] = [];
      try {
        for (let i = 0; i < steps; i++) {
          losses.push(gb.keep(gb.tidy(() => opt.step(negMeanLL).reshape([1]))));
          points.push(
            gb.keep(gb.tidy(() => gb.stack(model.fromFree(free).map((t) => t.reshape([1]))).reshape([dims]))),
          );
        }
        const r = await readAll(gb, () => ({ losses: gb.concat(losses), points: gb.concat(points) }));
        // Each step's loss is -mean log-likelihood at the parameters it started from.
        const lls = Array.from(r.losses, (l) => -l * N);
        path[path.length - 1].ll = lls[0];
        for (let i = 0; i < steps; i++) {
          path.push({
            natural: Array.from(r.points.subarray(i * dims, (i + 1) * dims)),
            ll: i + 1 < steps ? lls[i + 1] : Number.NaN,
          });
        }
        return Float32Array.from(lls, (ll) => llMax - ll);
      } finally {
        for (const t of [...losses, ...points]) t.dispose();
      }
    },
    async render() {
      await readEstimate();
      draw();
    },
    async formula() {
      const tex = model.paramTex;
      const est = estimate.map((v) => f(v)).join(',\\ ');
      const lines =
        model.name === 'normal'
          ? [
              `\\ell(\\mu,\\sigma) = \\textstyle\\sum_{i=1}^{N} \\log \\mathcal N(x_i \\mid \\mu, \\sigma^2),\\ N = ${N}`,
              `= -N \\log \\sigma - \\tfrac N2 \\log 2\\pi - \\textstyle\\sum_i \\frac{(x_i - \\mu)^2}{2\\sigma^2}`,
              `\\tfrac{\\partial \\ell}{\\partial \\mu} = \\textstyle\\sum_i \\frac{x_i - \\mu}{\\sigma^2} = ${f(gradient[0])}`,
              `\\tfrac{\\partial \\ell}{\\partial \\sigma} = -\\frac N\\sigma + \\textstyle\\sum_i \\frac{(x_i - \\mu)^2}{\\sigma^3} = ${f(gradient[1])}`,
              `(\\mu, \\log\\sigma) \\mathrel{+}= \\eta\\, \\nabla \\tfrac{\\ell}{N},\\ \\eta = ${Number(p.lr).toPrecision(3)}\\ (\\text{${p.optimizer}})`,
              `\\mu, \\sigma = ${est}`,
              `\\hat\\mu = \\bar x = ${f(mle[0])},\\ \\hat\\sigma = \\sqrt{\\tfrac1N \\textstyle\\sum_i (x_i - \\bar x)^2} = ${f(mle[1])}`,
            ]
          : [
              `\\ell(\\lambda) = \\textstyle\\sum_{i=1}^{N} \\log \\tfrac{\\lambda^{x_i} e^{-\\lambda}}{x_i!},\\ N = ${N}`,
              `= \\log\\lambda \\textstyle\\sum_i x_i - N\\lambda - \\sum_i \\log x_i!`,
              `\\tfrac{d \\ell}{d \\lambda} = \\tfrac{1}{\\lambda}\\textstyle\\sum_i x_i - N = ${f(gradient[0])}`,
              `\\log\\lambda \\mathrel{+}= \\eta\\, \\tfrac{d}{d\\log\\lambda} \\tfrac{\\ell}{N},\\ \\eta = ${Number(p.lr).toPrecision(3)}\\ (\\text{${p.optimizer}})`,
              `\\lambda = ${est}`,
              `\\hat\\lambda = \\bar x = ${f(mle[0])}`,
            ];
      return [
        ...lines,
        `\\ell(${tex.join(', ')}) = ${f(logLik, 3)},\\ \\ell(\\hat\\theta) = ${f(llMax, 3)}`,
        `\\text{95\\% region: } \\ell \\ge \\ell(\\hat\\theta) - \\tfrac12 \\chi^2_{${dims}}(0.95) = ${f(llMax - DROP95[dims], 3)}`,
      ].join(' \\\\ ');
    },
    figures() {
      return {
        model: model.name,
        n: N,
        ...named(estimate),
        ...named(mle, 'mle'),
        logLik,
        logLikMLE: llMax,
        standardErrors: se,
        ...named(gradient, 'grad'),
        steps: path.length - 1,
        start: path[0].natural,
        path: path.map((q) => q.natural),
        pathLogLik: path.map((q) => q.ll),
        fitMLE: fitResult,
        tensors: gb.memory().tensors,
      };
    },
    async snapshot(): Promise<Carry> {
      return { model: model.name, n: N, path };
    },
    async act(key) {
      if (key !== 'fitMLE') return;
      // The same fit by the library's one-call API: 500 Adam steps from the start, one readback at the end.
      const init = model.toFree(path[0].natural).map((v) => gb.tensor(v));
      const fit = await stats.fitMLE((...ps: Tensor[]) => model.logProb(gb, model.fromFree(ps), X), init, {
        steps: 500,
        lr: 0.05,
      });
      const r = await readAll(gb, () => ({
        natural: gb.stack(model.fromFree(fit.params).map((t) => t.reshape([1]))).reshape([dims]),
      }));
      for (const t of [...init, ...fit.params]) t.dispose();
      fitResult = { ...named(Array.from(r.natural)), logLik: fit.logLikelihood, steps: 500 };
    },
    dispose() {
      opt.dispose();
      for (const t of [X, ...free]) t.dispose();
    },
  };
}

/** The closed-form MLE: a green cross. */
function marker(plot: Plot, x: number, y: number) {
  const { ctx } = plot;
  const [px, py] = [plot.px(x), plot.py(y)];
  for (const [color, w] of [
    ['#fff', 5],
    ['#16a34a', 2.5],
  ] as const) {
    ctx.strokeStyle = color;
    ctx.lineWidth = w;
    ctx.beginPath();
    ctx.moveTo(px - 7, py - 7);
    ctx.lineTo(px + 7, py + 7);
    ctx.moveTo(px + 7, py - 7);
    ctx.lineTo(px - 7, py + 7);
    ctx.stroke();
  }
}

startDemo({
  id: 'likelihood',
  title: 'Maximum likelihood',
  params: PARAMS,
  kernels: ['elementwise', 'reduce', 'optim', 'special', 'stats'],
  autoplay: false,
  lossLabel: 'ℓ(θ̂) − ℓ(θ)',
  actions: [{ key: 'fitMLE', label: 'fit with stats.fitMLE (500 Adam steps)' }],
  create,
});
