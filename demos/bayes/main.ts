// Demo: Bayes' theorem. First the disease test (prevalence, sensitivity, specificity) as a grid of 1000
// people in natural frequencies, with P(disease | positive) by Bayes' rule and from a simulated population;
// then a coin's bias learned from flips: a Beta prior on sliders, flips one at a time or in batches (drawn by
// dist.Bernoulli with a seed), the posterior Beta updating, MAP vs MLE vs posterior mean and a central
// credible interval. Every number is gradbox's.
import { type Context, dist, GradboxError } from '../../src/index';
import { figure } from '../shared/draw';
import type { Params, ParamSpec } from '../shared/params';
import { chartCanvas, Plot } from '../shared/plot';
import { readAll } from '../shared/readback';
import { notify, type Simulation, startDemo } from '../shared/shell';
import { betaMode, flipsOf, posteriorPath } from './coin';
import { type DiseaseNumbers, diseaseNumbers, PEOPLE } from './disease';

const DEFAULT_PRIOR: [number, number] = [2, 2];
/** Points of the prior, likelihood and posterior curves: interior points of (0, 1). */
const GRID = 400;
const GRID_XS = Float32Array.from({ length: GRID }, (_, i) => (i + 0.5) / GRID);
const BATCHES = [1, 10, 100, 1000];
/** gradbox's Beta has no icdf: the interval's ends come from bisection on its cdf (on the device). */
const INTERVAL_METHOD = 'bisection on dist.Beta.cdf';

const PARAMS: ParamSpec[] = [
  {
    key: 'prevalence',
    kind: 'number',
    default: 0.01,
    min: 0,
    max: 1,
    step: 0.001,
    folder: 'disease test',
    label: 'prevalence P(D)',
  },
  {
    key: 'sensitivity',
    kind: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    step: 0.01,
    folder: 'disease test',
    label: 'sensitivity P(+ | D)',
  },
  {
    key: 'specificity',
    kind: 'number',
    default: 0.91,
    min: 0,
    max: 1,
    step: 0.01,
    folder: 'disease test',
    label: 'specificity P(− | no D)',
  },
  {
    key: 'population',
    kind: 'select',
    default: '100000',
    options: ['10000', '100000', '1000000'],
    folder: 'disease test',
    label: 'simulated people',
  },
  {
    key: 'priorAlpha',
    kind: 'number',
    default: 2,
    min: 0,
    max: 50,
    step: 0.1,
    folder: 'coin',
    label: 'prior α',
  },
  {
    key: 'priorBeta',
    kind: 'number',
    default: 2,
    min: 0,
    max: 50,
    step: 0.1,
    folder: 'coin',
    label: 'prior β',
  },
  {
    key: 'bias',
    kind: 'number',
    default: 0.7,
    min: 0,
    max: 1,
    step: 0.01,
    folder: 'coin',
    label: 'true P(heads)',
  },
  {
    key: 'level',
    kind: 'number',
    default: 0.95,
    min: 0.5,
    max: 0.99,
    step: 0.01,
    folder: 'coin',
    label: 'credible level',
  },
  {
    key: 'stepsPerFrame',
    kind: 'int',
    default: 1,
    min: 1,
    max: 100,
    folder: 'coin',
    label: 'flips per step',
  },
  { key: 'seed', kind: 'int', default: 1, min: 0, max: 1_000_000, folder: 'coin' },
];

const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : '—');
/** A number in TeX; an undefined one (the MLE before any flip) in words. */
const texNum = (v: number, digits = 4) => (Number.isFinite(v) ? fmt(v, digits) : '\\text{undefined}');
const texInt = (v: number) => v.toLocaleString('en').replaceAll(',', '{,}');

/** The prior's parameters, or the default prior with a message when dist.Beta rejects them. */
function priorOf(
  gb: Context,
  p: Params,
  stage: HTMLElement,
): { prior: [number, number]; problem: string | null } {
  const prior: [number, number] = [Number(p.priorAlpha), Number(p.priorBeta)];
  try {
    new dist.Beta(gb, { alpha: prior[0], beta: prior[1] }).dispose();
    return { prior, problem: null };
  } catch (e) {
    if (!(e instanceof GradboxError)) throw e;
    const problem = `${e.message}; using the prior Beta(${DEFAULT_PRIOR.join(', ')})`;
    notify(stage, problem);
    return { prior: DEFAULT_PRIOR, problem };
  }
}

/** What the posterior panel shows about the latest posterior. */
interface Summary {
  alpha: number;
  beta: number;
  mean: number;
  sd: number;
  map: number;
  mle: number;
  interval: [number, number];
  prior: Float32Array;
  posterior: Float32Array;
  likelihood: Float32Array;
}

async function create(gb: Context, p: Params, stage: HTMLElement): Promise<Simulation> {
  const seed = Number(p.seed);
  const bias = Number(p.bias);
  let settings: Params = { ...p };
  let disease: DiseaseNumbers = await diseaseFor(settings);
  let { prior, problem: priorProblem } = priorOf(gb, settings, stage);

  async function diseaseFor(q: Params) {
    return diseaseNumbers(
      gb,
      Number(q.prevalence),
      Number(q.sensitivity),
      Number(q.specificity),
      Number(q.population),
      Number(q.seed),
    );
  }

  // The flips so far: after j flips, H_j heads (j = 0 .. flips); the posterior's path along them.
  const js: number[] = [0];
  const hs: number[] = [0];
  let recent: number[] = [];

  type PathArrays = { mean: number[]; sd: number[]; lo: number[]; hi: number[] };
  /** The posterior after j flips with H_j heads, for each given j: mean, sd and interval (one readback). */
  const pathOf = async (
    j: number[],
    h: number[],
    pri: [number, number],
    level: number,
  ): Promise<PathArrays> => {
    const r = await readAll(gb, () => {
      const q = posteriorPath(gb, pri, gb.tensor(j), gb.tensor(h), level);
      return { mean: q.mean, sd: q.sd, interval: q.interval };
    });
    const k = j.length;
    return {
      mean: Array.from(r.mean),
      sd: Array.from(r.sd),
      lo: Array.from(r.interval.slice(0, k)),
      hi: Array.from(r.interval.slice(k)),
    };
  };

  /** The posterior after n flips with H heads: its numbers and curves, the prior's and the likelihood's. */
  const summaryOf = async (
    n: number,
    heads: number,
    pri: [number, number],
    level: number,
  ): Promise<Summary> => {
    const r = await readAll(gb, () => {
      const alpha = gb.tensor(pri[0] + heads);
      const beta = gb.tensor(pri[1] + n - heads);
      const post = new dist.Beta(gb, { alpha, beta });
      const x = gb.tensor(GRID_XS);
      // The likelihood p^H (1 - p)^T, scaled to integrate to 1: the Beta(H + 1, T + 1) density.
      const likelihood = new dist.Beta(gb, { alpha: heads + 1, beta: n - heads + 1 }).prob(x);
      const q = posteriorPath(gb, pri, gb.tensor([n]), gb.tensor([heads]), level);
      return {
        params: gb.stack([alpha, beta]),
        mean: post.mean,
        sd: post.stddev,
        map: betaMode(alpha, beta),
        // The MLE H / n (NaN before the first flip).
        mle: gb.tensor(heads).div(n),
        interval: q.interval,
        prior: new dist.Beta(gb, { alpha: pri[0], beta: pri[1] }).prob(x),
        posterior: post.prob(x),
        likelihood,
      };
    });
    return {
      alpha: r.params[0],
      beta: r.params[1],
      mean: r.mean[0],
      sd: r.sd[0],
      map: r.map[0],
      mle: r.mle[0],
      interval: [r.interval[0], r.interval[1]],
      prior: r.prior,
      posterior: r.posterior,
      likelihood: r.likelihood,
    };
  };

  const levelOf = () => Number(settings.level);
  let path = await pathOf(js, hs, prior, levelOf());
  let summary = await summaryOf(0, 0, prior, levelOf());

  /**
   * k more flips of the seeded sequence, the heads so far after each and the posterior after each; what
   * state() shows changes at once, when all of it is computed. Resolves to the posterior sd after each.
   */
  const flip = async (k: number): Promise<number[]> => {
    const from = js.length - 1;
    const headsBefore = hs[hs.length - 1];
    const r = await readAll(gb, () => {
      const fresh = flipsOf(gb, bias, seed, from, k);
      return { fresh, heads: fresh.cumsum().add(headsBefore) };
    });
    const newJs = Array.from({ length: k }, (_, i) => from + 1 + i);
    const newHs = Array.from(r.heads);
    const more = await pathOf(newJs, newHs, prior, levelOf());
    const latest = await summaryOf(from + k, newHs[k - 1], prior, levelOf());
    js.push(...newJs);
    hs.push(...newHs);
    for (const key of ['mean', 'sd', 'lo', 'hi'] as const) path[key].push(...more[key]);
    recent = [...recent, ...Array.from(r.fresh)].slice(-80);
    summary = latest;
    return more.sd;
  };

  // Live settings (the disease test, the prior, the level): taken up before the next draw or flip.
  let pending: Params | null = null;
  const applyPending = async () => {
    if (!pending) return;
    const next = pending;
    pending = null;
    const changed = (...keys: string[]) => keys.some((k) => next[k] !== settings[k]);
    const diseaseChanged = changed('prevalence', 'sensitivity', 'specificity', 'population');
    const coinChanged = changed('priorAlpha', 'priorBeta', 'level');
    const nextDisease = diseaseChanged ? await diseaseFor(next) : disease;
    let coin = { prior, priorProblem, path, summary };
    if (coinChanged) {
      const checked = priorOf(gb, next, stage);
      const level = Number(next.level);
      coin = {
        prior: checked.prior,
        priorProblem: checked.problem,
        path: await pathOf(js, hs, checked.prior, level),
        summary: await summaryOf(js[js.length - 1], hs[hs.length - 1], checked.prior, level),
      };
    }
    // Everything state() shows changes together.
    settings = next;
    disease = nextDisease;
    ({ prior, priorProblem, path, summary } = coin);
  };

  // The page -------------------------------------------------------------------------------------
  const peopleCanvas = chartCanvas(
    'people',
    680,
    270,
    `${PEOPLE} people: the ill in red, the well in grey; those who test positive are dark and ringed`,
  );
  const natural = document.createElement('p');
  natural.id = 'natural';
  natural.setAttribute('aria-live', 'polite');
  natural.style.maxWidth = '680px';
  const posteriorCanvas = chartCanvas(
    'posterior',
    680,
    300,
    'The prior, the likelihood and the posterior of the coin’s bias, with the credible interval shaded',
  );
  const pathCanvas = chartCanvas(
    'path',
    680,
    220,
    'The posterior mean and credible interval after each flip',
  );
  const buttons = document.createElement('div');
  buttons.className = 'button-row';
  for (const k of BATCHES) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = `flip-${k}`;
    b.textContent = k === 1 ? 'flip once' : `flip ${k} times`;
    b.addEventListener('click', () => void window.demo?.control.step(k));
    buttons.append(b);
  }
  const again = document.createElement('button');
  again.type = 'button';
  again.id = 'forget';
  again.textContent = 'forget the flips';
  again.addEventListener('click', () => void window.demo?.control.reset());
  buttons.append(again);
  const strip = document.createElement('p');
  strip.id = 'flips';
  strip.setAttribute('aria-live', 'polite');
  Object.assign(strip.style, { fontFamily: 'monospace', maxWidth: '680px', overflowWrap: 'anywhere' });
  const coinBox = document.createElement('div');
  coinBox.append(buttons, strip, posteriorCanvas);
  stage.append(
    figure(
      peopleCanvas,
      `Natural frequencies: ${PEOPLE} people, the test’s results as the prevalence, sensitivity and specificity say. Dark and ringed: tested positive.`,
      true,
    ),
    natural,
    figure(
      coinBox,
      'A coin’s bias p learned from its flips: the prior Beta(α, β) (dashed), the likelihood (dotted, scaled to area 1) and the posterior (solid) with its credible interval shaded; the posterior mean, MAP and MLE marked, and the true bias (grey).',
      true,
    ),
    figure(
      pathCanvas,
      'After each flip (log scale): the posterior mean (line) inside its credible interval (band), narrowing like 1/√n towards the true bias.',
      true,
    ),
  );

  const COLOURS = { tp: '#b91c1c', fn: '#fca5a5', fp: '#f59e0b', tn: '#e2e8f0' };
  const drawPeople = () => {
    const ctx = peopleCanvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, peopleCanvas.width, peopleCanvas.height);
    const cols = 40;
    const cell = 10;
    const { tp, fn, fp, tn } = disease.grid;
    const groups: [keyof typeof COLOURS, number, boolean][] = [
      ['tp', tp, true],
      ['fp', fp, true],
      ['fn', fn, false],
      ['tn', tn, false],
    ];
    let i = 0;
    for (const [key, count, positive] of groups) {
      for (let c = 0; c < count; c++, i++) {
        const [x, y] = [10 + (i % cols) * cell + cell / 2, 10 + Math.floor(i / cols) * cell + cell / 2];
        ctx.beginPath();
        ctx.arc(x, y, cell / 2 - 1.5, 0, 2 * Math.PI);
        ctx.fillStyle = COLOURS[key];
        ctx.fill();
        if (positive) {
          ctx.strokeStyle = '#111';
          ctx.lineWidth = 1.2;
          ctx.stroke();
        }
      }
    }
    ctx.font = '12px system-ui, sans-serif';
    const legend: [keyof typeof COLOURS, string][] = [
      ['tp', `ill, positive: ${tp}`],
      ['fp', `well, positive: ${fp}`],
      ['fn', `ill, negative: ${fn}`],
      ['tn', `well, negative: ${tn}`],
    ];
    legend.forEach(([key, text], k) => {
      const [x, y] = [440, 24 + k * 22];
      ctx.beginPath();
      ctx.arc(x, y - 4, cell / 2 - 1, 0, 2 * Math.PI);
      ctx.fillStyle = COLOURS[key];
      ctx.fill();
      if (k < 2) {
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 1.2;
        ctx.stroke();
      }
      ctx.fillStyle = '#111';
      ctx.fillText(text, x + 12, y);
    });
    const { ill, well, positives } = disease.grid;
    natural.textContent =
      `Of ${PEOPLE} people, ${ill} are ill and ${tp} of them test positive; of the ${well} who are well, ` +
      `${fp} test positive too. So of the ${positives} who test positive, ${tp} are ill: ` +
      `${fmt(disease.gridShare, 3)}. Bayes' rule gives P(D | +) = ` +
      `${fmt(disease.pDiseaseGivenPositive, 4)}; among ${disease.simulated.people.toLocaleString('en')} simulated ` +
      `people, ${disease.simulated.illPositives} of ${disease.simulated.positives} positives are ill ` +
      `(${fmt(disease.simulated.share, 4)}).`;
  };

  const drawPosterior = () => {
    const s = summary;
    const finite = [...s.posterior, ...s.prior, ...(js.length > 1 ? s.likelihood : [])].filter(
      Number.isFinite,
    );
    // A U-shaped prior is infinite at the ends; the top follows the posterior.
    const top =
      1.12 *
      Math.min(Math.max(...finite), Math.max(...Array.from(s.posterior).filter(Number.isFinite)) * 1.5);
    const plot = new Plot(posteriorCanvas, {
      range: [0, 1, 0, top],
      xLabel: 'bias p = P(heads)',
      yLabel: 'density',
    });
    plot.axes();
    plot.area(GRID_XS, s.posterior, s.interval[0], s.interval[1], 'rgba(37,99,235,0.18)');
    plot.line(GRID_XS, s.prior, '#64748b', 2, [7, 5]);
    if (js.length > 1) plot.line(GRID_XS, s.likelihood, '#16a34a', 2, [2, 3]);
    plot.line(GRID_XS, s.posterior, '#1e3a8a', 2.5);
    plot.vline(bias, '#94a3b8', '', [3, 3], 2);
    plot.vline(s.mean, '#1e3a8a', '', [], 1.5);
    plot.vline(s.map, '#dc2626', '', [5, 3], 1.5);
    plot.vline(s.mle, '#16a34a', '', [5, 3], 1.5);
    plot.legend([
      [`prior Beta(${fmt(prior[0], 3)}, ${fmt(prior[1], 3)})`, '#64748b'],
      ['likelihood (area 1)', '#16a34a'],
      [`posterior Beta(${fmt(s.alpha, 5)}, ${fmt(s.beta, 5)})`, '#1e3a8a'],
      [`${Math.round(100 * Number(settings.level))}% interval`, 'rgba(37,99,235,0.35)'],
      [`mean ${fmt(s.mean, 3)}`, '#1e3a8a'],
      [`MAP ${fmt(s.map, 3)}`, '#dc2626'],
      [`MLE ${fmt(s.mle, 3)}`, '#16a34a'],
      [`true p ${bias}`, '#94a3b8'],
    ]);
    const n = js[js.length - 1];
    strip.textContent =
      n === 0
        ? 'No flips yet: the posterior is the prior.'
        : `${n} flips, ${hs[hs.length - 1]} heads. Latest: ${recent.map((v) => (v ? 'H' : 'T')).join('')}`;
  };

  const drawPath = () => {
    const n = js[js.length - 1];
    const plot = new Plot(pathCanvas, {
      range: [1, Math.max(10, n), 0, 1],
      logX: true,
      xLabel: 'flips n (log scale)',
      yLabel: 'posterior of p',
    });
    plot.axes();
    plot.hline(bias, '#94a3b8', [3, 3], 2);
    if (n === 0) return;
    // At most ~2000 points drawn: every point while few, then a stride.
    const stride = Math.max(1, Math.floor(n / 2000));
    const idx = js.filter((j) => j >= 1 && (j % stride === 0 || j === n));
    plot.fillBetween(
      idx,
      idx.map((j) => path.lo[j]),
      idx.map((j) => path.hi[j]),
      'rgba(37,99,235,0.2)',
    );
    plot.line(
      idx,
      idx.map((j) => path.mean[j]),
      '#1e3a8a',
      2,
    );
  };

  return {
    async train(k) {
      await applyPending();
      return Float32Array.from(await flip(k));
    },
    async render() {
      await applyPending();
      drawPeople();
      drawPosterior();
      drawPath();
    },
    async formula() {
      const [prev, sens] = ['prevalence', 'sensitivity'].map((k) => Number(settings[k]));
      const n = js[js.length - 1];
      const heads = hs[hs.length - 1];
      const s = summary;
      return (
        `P(D \\mid +) = \\frac{P(+ \\mid D)\\,P(D)}{P(+ \\mid D)\\,P(D) + P(+ \\mid \\neg D)\\,P(\\neg D)}` +
        `\\\\ = \\frac{${texNum(sens)} \\cdot ${texNum(prev)}}{${texNum(sens)} \\cdot ${texNum(prev)} + ${texNum(disease.falsePositiveRate)} \\cdot ${texNum(disease.pWell)}} = ${texNum(disease.pDiseaseGivenPositive)}` +
        `\\\\ \\text{simulated: } \\tfrac{${texInt(disease.simulated.illPositives)}}{${texInt(disease.simulated.positives)}} = ${texNum(disease.simulated.share)}` +
        `\\\\ p \\sim \\text{Beta}(${texNum(prior[0])}, ${texNum(prior[1])}),\\ ${n}\\ \\text{flips},\\ ${heads}\\ \\text{heads}` +
        `\\\\ p \\mid \\text{flips} \\sim \\text{Beta}(\\alpha + H, \\beta + T) = \\text{Beta}(${texNum(s.alpha, 6)}, ${texNum(s.beta, 6)})` +
        `\\\\ \\text{mean } \\tfrac{\\alpha + H}{\\alpha + \\beta + n} = ${texNum(s.mean)},\\ \\text{MAP } ${texNum(s.map)},\\ \\text{MLE } \\tfrac{H}{n} = ${texNum(s.mle)}` +
        `\\\\ ${Math.round(100 * Number(settings.level))}\\%\\ \\text{interval } [${texNum(s.interval[0])}, ${texNum(s.interval[1])}]`
      );
    },
    figures() {
      const n = js[js.length - 1];
      const heads = hs[hs.length - 1];
      const s = summary;
      return {
        prevalence: Number(settings.prevalence),
        sensitivity: Number(settings.sensitivity),
        specificity: Number(settings.specificity),
        pPositive: disease.pPositive,
        pDiseaseGivenPositive: disease.pDiseaseGivenPositive,
        pDiseaseGivenNegative: disease.pDiseaseGivenNegative,
        grid: disease.grid,
        gridShare: disease.gridShare,
        simulated: disease.simulated,
        priorAlpha: prior[0],
        priorBeta: prior[1],
        priorProblem,
        bias,
        flips: n,
        heads,
        tails: n - heads,
        posteriorAlpha: s.alpha,
        posteriorBeta: s.beta,
        posteriorMean: s.mean,
        posteriorSd: s.sd,
        map: s.map,
        mle: s.mle,
        interval: s.interval,
        level: Number(settings.level),
        intervalMethod: INTERVAL_METHOD,
        path: { flips: [...js], heads: [...hs], mean: path.mean, lo: path.lo, hi: path.hi },
        curves: {
          x: Array.from(GRID_XS),
          prior: Array.from(s.prior),
          posterior: Array.from(s.posterior),
          likelihood: Array.from(s.likelihood),
        },
        run: { tensors: gb.memory().tensors },
      };
    },
    update(next) {
      pending = { ...next };
    },
    async snapshot() {
      return null;
    },
    dispose() {},
  };
}

startDemo({
  id: 'bayes',
  title: 'Bayes’ theorem',
  params: PARAMS,
  liveKeys: [
    'prevalence',
    'sensitivity',
    'specificity',
    'population',
    'priorAlpha',
    'priorBeta',
    'level',
    'stepsPerFrame',
  ],
  kernels: ['distributions', 'random', 'special', 'scan', 'reduce', 'elementwise'],
  autoplay: false,
  lossLabel: 'posterior sd',
  create,
});
