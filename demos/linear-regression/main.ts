// Demo: linear regression by gradient descent beside the closed-form least-squares fit, the loss
// surface over (w, b) computed on the GPU with the path descent takes, and polynomial features with a
// train/test split and an L2 penalty to show under- and overfitting. Uses only gradbox's public API.
import { type Context, models, nn, optim } from '../../src/index';
import { contours, dot, drawGrid, figure, gaussian, seeded, sequential, View } from '../shared/draw';
import { type Params, type ParamSpec } from '../shared/params';
import { type Simulation, startDemo } from '../shared/shell';

const GRID = 64; // loss-surface resolution

function parsePoints(text: string): string {
  if (text === '') return '';
  const pts = text.split(';');
  if (pts.length > 200) throw new Error(`at most 200 added points, got ${pts.length}`);
  for (const p of pts) {
    const [x, y, extra] = p.split(':').map(Number);
    if (
      extra !== undefined ||
      !Number.isFinite(x) ||
      !Number.isFinite(y) ||
      Math.abs(x) > 1 ||
      Math.abs(y) > 10
    ) {
      throw new Error(`${JSON.stringify(p)} is not a point "x:y" with |x| <= 1 and |y| <= 10`);
    }
  }
  return text;
}

const PARAMS: ParamSpec[] = [
  { key: 'n', kind: 'int', default: 40, min: 2, max: 500, folder: 'data', label: 'points' },
  { key: 'noise', kind: 'number', default: 0.3, min: 0, max: 3, step: 0.01, folder: 'data' },
  {
    key: 'slope',
    kind: 'number',
    default: 1.5,
    min: -3,
    max: 3,
    step: 0.1,
    folder: 'data',
    label: 'true slope',
  },
  {
    key: 'intercept',
    kind: 'number',
    default: 0.5,
    min: -2,
    max: 2,
    step: 0.1,
    folder: 'data',
    label: 'true intercept',
  },
  { key: 'seed', kind: 'int', default: 1, min: 0, max: 1_000_000, folder: 'data' },
  {
    key: 'points',
    kind: 'text',
    default: '',
    folder: 'data',
    label: 'added points x:y;…',
    parse: parsePoints,
  },
  { key: 'degree', kind: 'int', default: 1, min: 1, max: 12, folder: 'model', label: 'polynomial degree' },
  {
    key: 'testFraction',
    kind: 'number',
    default: 0.25,
    min: 0,
    max: 0.8,
    step: 0.05,
    folder: 'model',
    label: 'test fraction',
  },
  {
    key: 'l2',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    step: 0.001,
    folder: 'model',
    label: 'L2 penalty λ',
  },
  {
    key: 'lr',
    kind: 'number',
    default: 0.1,
    min: 1e-4,
    max: 3,
    log: true,
    folder: 'training',
    label: 'learning rate η',
  },
  {
    key: 'stepsPerFrame',
    kind: 'int',
    default: 2,
    min: 1,
    max: 200,
    folder: 'training',
    label: 'steps per frame',
  },
];

interface Carry {
  degree: number;
  w: number[];
  b: number;
  path: number[][];
}

/** x^1..x^d for each x. */
function features(xs: ArrayLike<number>, degree: number): Float32Array {
  const out = new Float32Array(xs.length * degree);
  for (let i = 0; i < xs.length; i++) for (let d = 0; d < degree; d++) out[i * degree + d] = xs[i] ** (d + 1);
  return out;
}

async function create(gb: Context, p: Params, stage: HTMLElement, carry?: unknown): Promise<Simulation> {
  const degree = Number(p.degree);
  const rand = seeded(Number(p.seed));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < Number(p.n); i++) {
    const x = rand() * 2 - 1;
    xs.push(x);
    ys.push(Number(p.slope) * x + Number(p.intercept) + Number(p.noise) * gaussian(rand));
  }
  for (const pt of String(p.points).split(';').filter(Boolean)) {
    const [x, y] = pt.split(':').map(Number);
    xs.push(x);
    ys.push(y);
  }
  // Seeded split: the last testFraction of a shuffled order is the test set (kept non-empty for training).
  const order = xs
    .map((_, i) => i)
    .sort((a, b) => Math.sin(a * 12.9898 + Number(p.seed)) - Math.sin(b * 12.9898 + Number(p.seed)));
  const nTest = Math.min(xs.length - 2, Math.floor(xs.length * Number(p.testFraction)));
  const testIdx = new Set(order.slice(0, nTest));
  const part = (test: boolean) => xs.map((_, i) => i).filter((i) => testIdx.has(i) === test);
  const [tr, te] = [part(false), part(true)];
  const xTr = gb.tensor(
    features(
      tr.map((i) => xs[i]),
      degree,
    ),
    [tr.length, degree],
  );
  const yTr = gb.tensor(tr.map((i) => [ys[i]]));
  const xTe = te.length
    ? gb.tensor(
        features(
          te.map((i) => xs[i]),
          degree,
        ),
        [te.length, degree],
      )
    : null;
  const yTe = te.length ? gb.tensor(te.map((i) => [ys[i]])) : null;

  const model = new nn.Dense(gb, degree, 1, { init: 'zeros' });
  const c = carry as Carry | undefined;
  const path: number[][] = c && c.degree === degree ? [...c.path] : [];
  if (c && c.degree === degree) {
    // Carry the learned weights across a backend switch or a data edit.
    gb.tidy(() => {
      model.w.assign(gb.tensor(c.w, [degree, 1]));
      model.b!.assign(gb.tensor([c.b]));
    });
  }
  const state = { lr: Number(p.lr), l2: Number(p.l2) };
  const optimizer = optim.sgd(gb, model.parameters(), { lr: () => state.lr });
  const trainer = new optim.Trainer({
    model,
    optimizer,
    loss: nn.mse,
    x: xTr,
    y: yTr,
    penalty: () => model.w.square().sum().mul(state.l2),
  });
  const exact = await models.linearRegressionClosedForm(xTr, yTr, { ridge: state.l2 * tr.length });
  const exactW = Array.from(await exact.w.data());
  const exactB = await exact.b.item();

  // Canvases
  const fitCanvas = Object.assign(document.createElement('canvas'), { width: 480, height: 360, id: 'fit' });
  const surfCanvas = Object.assign(document.createElement('canvas'), {
    width: 360,
    height: 360,
    id: 'surface',
  });
  stage.append(
    figure(
      fitCanvas,
      'Data (train ●, test ○), gradient-descent fit (blue), closed form (dashed). Click to add a point, drag to move one.',
    ),
    figure(
      surfCanvas,
      `Loss over (w₁, b)${degree > 1 ? ' with the other weights at their current values' : ''}, log colour scale, contours, and the descent path.`,
    ),
  );
  const ymin = Math.min(-3, ...ys) - 0.5;
  const ymax = Math.max(3, ...ys) + 0.5;
  const fitView = new View(fitCanvas, -1.1, 1.1, ymin, ymax);
  const span = Math.max(3, 2 * Math.abs(exactW[0]), 2 * Math.abs(exactB));
  const surfView = new View(surfCanvas, exactW[0] - span, exactW[0] + span, exactB - span, exactB + span);

  // The curve grid and the (w1, b) grid live on the device for the whole simulation.
  const curveX = Array.from({ length: 200 }, (_, i) => -1.1 + (2.2 * i) / 199);
  const curveF = gb.tensor(features(curveX, degree), [200, degree]);
  const gw = Array.from({ length: GRID * GRID }, (_, i) =>
    surfView.dataX(((i % GRID) + 0.5) * (surfCanvas.width / GRID)),
  );
  const gbias = Array.from({ length: GRID * GRID }, (_, i) =>
    surfView.dataY((Math.floor(i / GRID) + 0.5) * (surfCanvas.height / GRID)),
  );
  const W = gb.tensor(gw, [GRID * GRID, 1]);
  const B = gb.tensor(gbias, [GRID * GRID, 1]);
  const x1 = gb.tidy(() => xTr.gather(gb.tensor([0]), 1).transpose()); // (1, n): the x column

  let wNow = c && c.degree === degree ? c.w : new Array(degree).fill(0);
  let bNow = c && c.degree === degree ? c.b : 0;
  let trainLoss = Number.NaN;
  let testLoss = Number.NaN;

  const lossSurface = async (): Promise<Float32Array> => {
    // L(w1, b) = mean_i (w1 x_i + b + rest_i - y_i)^2 + λ (w1^2 + |w_rest|^2), for every grid point at once:
    // (G^2, 1) * (1, n) + (G^2, 1) + (1, n) broadcasts to (G^2, n).
    const surface = gb.tidy(() => {
      const rest = xTr
        .matmul(model.w)
        .sub(x1.transpose().mul(model.w.gather(gb.tensor([0]), 0)))
        .sub(yTr)
        .transpose();
      const restPenalty = model.w
        .square()
        .sum()
        .sub(
          model.w
            .gather(gb.tensor([0]), 0)
            .square()
            .sum(),
        );
      return W.mul(x1)
        .add(B)
        .add(rest)
        .square()
        .mean(1)
        .add(
          W.reshape([GRID * GRID])
            .square()
            .add(restPenalty)
            .mul(state.l2),
        );
    });
    const data = await surface.data();
    surface.dispose();
    return data;
  };

  // Pointer: click adds a point; dragging a point moves it. Either rebuilds with the weights carried over.
  let drag: number | null = null;
  const toData = (e: PointerEvent) => {
    const r = fitCanvas.getBoundingClientRect();
    return [
      Math.max(-1, Math.min(1, fitView.dataX(((e.clientX - r.left) / r.width) * fitCanvas.width))),
      Math.max(-10, Math.min(10, fitView.dataY(((e.clientY - r.top) / r.height) * fitCanvas.height))),
    ];
  };
  fitCanvas.addEventListener('pointerdown', (e) => {
    const [x, y] = toData(e);
    const near = xs.findIndex(
      (px, i) => Math.hypot(fitView.px(px) - fitView.px(x), fitView.py(ys[i]) - fitView.py(y)) < 8,
    );
    drag = near >= 0 ? near : null;
    if (drag === null)
      void window.demo?.control.set(
        'points',
        [String(p.points), `${x.toFixed(3)}:${y.toFixed(3)}`].filter(Boolean).join(';'),
      );
  });
  fitCanvas.addEventListener('pointerup', (e) => {
    if (drag === null) return;
    const [x, y] = toData(e);
    const i = drag;
    drag = null;
    // A generated point becomes an added one at its new place.
    xs[i] = x;
    ys[i] = y;
    const added = String(p.points).split(';').filter(Boolean);
    const base = Number(p.n);
    if (i >= base) added[i - base] = `${x.toFixed(3)}:${y.toFixed(3)}`;
    else added.push(`${x.toFixed(3)}:${y.toFixed(3)}`);
    void window.demo?.control.set('points', added.join(';'));
  });

  let lastSurface = 0;
  let surfaceData: Float32Array | null = null;

  return {
    async train(n) {
      const { losses } = await trainer.run(n);
      wNow = Array.from(await model.w.data());
      bNow = await model.b!.item();
      path.push([wNow[0], bNow]);
      if (path.length > 2000) path.splice(0, path.length - 2000);
      trainLoss = losses[losses.length - 1];
      return losses;
    },
    async extraSeries() {
      if (!xTe || !yTe) return { 'test loss': Number.NaN };
      const l = gb.tidy(() => nn.mse(model.forward(xTe), yTe));
      testLoss = await l.item();
      l.dispose();
      return { 'test loss': testLoss };
    },
    async render() {
      const fitted = gb.tidy(() => model.forward(curveF));
      const curve = await fitted.data();
      fitted.dispose();
      const ctx = fitCanvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, fitCanvas.width, fitCanvas.height);
      ctx.strokeStyle = '#ccc';
      ctx.beginPath();
      ctx.moveTo(0, fitView.py(0));
      ctx.lineTo(fitCanvas.width, fitView.py(0));
      ctx.moveTo(fitView.px(0), 0);
      ctx.lineTo(fitView.px(0), fitCanvas.height);
      ctx.stroke();
      const line = (ysCurve: ArrayLike<number>, color: string, dash: number[]) => {
        ctx.strokeStyle = color;
        ctx.setLineDash(dash);
        ctx.lineWidth = 2;
        ctx.beginPath();
        curveX.forEach((x, i) => {
          const y = Math.max(ymin - 10, Math.min(ymax + 10, ysCurve[i]));
          if (i === 0) ctx.moveTo(fitView.px(x), fitView.py(y));
          else ctx.lineTo(fitView.px(x), fitView.py(y));
        });
        ctx.stroke();
        ctx.setLineDash([]);
      };
      const exactCurve = curveX.map((x) => exactB + exactW.reduce((s, w, d) => s + w * x ** (d + 1), 0));
      line(exactCurve, '#111', [6, 4]);
      line(curve, '#2563eb', []);
      xs.forEach((x, i) =>
        dot(
          ctx,
          fitView.px(x),
          fitView.py(ys[i]),
          4,
          testIdx.has(i) ? '#fff' : '#f97316',
          testIdx.has(i) ? '#f97316' : '#fff',
        ),
      );

      if (!surfaceData || (degree > 1 && performance.now() - lastSurface > 300)) {
        surfaceData = await lossSurface();
        lastSurface = performance.now();
      }
      const logs = Array.from(surfaceData, (v) => Math.log10(v + 1e-12));
      const lo = Math.min(...logs);
      const hi = Math.max(...logs);
      // Grid row 0 holds the largest b (top of the canvas); contours every quarter decade of the loss.
      drawGrid(surfCanvas, GRID, GRID, (i) => sequential(1 - (logs[i] - lo) / Math.max(hi - lo, 1e-9)));
      const levels: number[] = [];
      for (let l = Math.ceil(lo * 4) / 4; l < hi; l += 0.25) levels.push(l);
      contours(surfCanvas, logs, GRID, GRID, levels);
      const sctx = surfCanvas.getContext('2d')!;
      sctx.strokeStyle = '#ef4444';
      sctx.lineWidth = 2;
      sctx.beginPath();
      path.forEach(([w, b], i) => {
        const [px, py] = [surfView.px(w), surfView.py(b)];
        if (i === 0) sctx.moveTo(px, py);
        else sctx.lineTo(px, py);
      });
      sctx.stroke();
      dot(sctx, surfView.px(exactW[0]), surfView.py(exactB), 5, '#111');
      dot(sctx, surfView.px(wNow[0]), surfView.py(bNow), 5, '#ef4444');
    },
    async formula() {
      const w = wNow.map((v) => v.toFixed(3));
      const terms = w.map((v, d) => `${v}\\,x${d ? `^{${d + 1}}` : ''}`).join(' + ');
      return (
        `\\hat y = ${degree === 1 ? 'w x + b' : '\\textstyle\\sum_{k=1}^{' + degree + '} w_k x^k + b'} = ${terms} + ${bNow.toFixed(3)}` +
        `\\\\ L(w, b) = \\frac{1}{n}\\sum_{i=1}^{n} (\\hat y_i - y_i)^2 + \\lambda \\lVert w \\rVert^2 = ${Number.isFinite(trainLoss) ? trainLoss.toPrecision(4) : '\\cdot'}` +
        `\\\\ n = ${tr.length}\\ \\text{training points},\\quad \\lambda = ${state.l2}` +
        `\\\\ w \\leftarrow w - \\eta \\nabla_w L,\\quad b \\leftarrow b - \\eta\\, \\partial L / \\partial b,\\quad \\eta = ${state.lr.toPrecision(3)}` +
        `\\\\ \\text{closed form: } (X^\\top X + n\\lambda I)\\, w^* = X^\\top y` +
        `\\\\ w_1^* = ${exactW[0].toFixed(3)},\\ b^* = ${exactB.toFixed(3)}`
      );
    },
    figures() {
      return {
        w: wNow[0],
        b: bNow,
        closedFormW: exactW[0],
        closedFormB: exactB,
        trainLoss,
        testLoss,
        points: xs.length,
      };
    },
    async snapshot(): Promise<Carry> {
      return { degree, w: Array.from(await model.w.data()), b: await model.b!.item(), path };
    },
    update(next) {
      state.lr = Number(next.lr);
    },
    dispose() {
      optimizer.dispose();
      for (const t of [xTr, yTr, xTe, yTe, exact.w, exact.b, curveF, W, B, x1, ...model.parameters()])
        t?.dispose();
    },
  };
}

startDemo({
  id: 'linear-regression',
  title: 'Linear regression and gradient descent',
  params: PARAMS,
  liveKeys: ['lr', 'stepsPerFrame'],
  kernels: ['matmul', 'elementwise', 'reduce', 'optim'],
  series: ['test loss'],
  create,
});
