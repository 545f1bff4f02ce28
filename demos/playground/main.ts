// Demo: a neural-network playground. Pick a data set and input features, shape the network, choose the
// optimiser and penalty, and watch the decision surface (computed on the GPU every frame), every
// neuron's response, the weights, the loss curves, accuracy and the confusion matrix. Public API only.
import { type Context, nn, optim, type Tensor } from '../../src/index';
import { CLASS_COLORS, diverging, dot, drawGrid, figure, type RGB, rgb, View } from '../shared/draw';
import { intList, type Params, type ParamSpec } from '../shared/params';
import { type Simulation, startDemo } from '../shared/shell';
import { DATASETS, type Dataset, type DatasetName, FEATURES, IRIS_FEATURES, makeDataset } from './datasets';

const GRID = 64; // decision-surface resolution
const NGRID = 20; // per-neuron thumbnails
const ACTS = ['relu', 'tanh', 'sigmoid', 'gelu', 'linear'] as const;

const PARAMS: ParamSpec[] = [
  { key: 'dataset', kind: 'select', default: 'circle', options: DATASETS, folder: 'data' },
  { key: 'noise', kind: 'number', default: 0, min: 0, max: 0.5, step: 0.01, folder: 'data' },
  { key: 'n', kind: 'int', default: 400, min: 20, max: 2000, folder: 'data', label: 'points' },
  {
    key: 'trainRatio',
    kind: 'number',
    default: 0.5,
    min: 0.1,
    max: 0.9,
    step: 0.05,
    folder: 'data',
    label: 'train ratio',
  },
  {
    key: 'seed',
    kind: 'int',
    default: 1,
    min: 0,
    max: 1_000_000,
    folder: 'data',
    label: 'seed (regenerate)',
  },
  {
    key: 'irisX',
    kind: 'select',
    default: IRIS_FEATURES[2],
    options: IRIS_FEATURES,
    folder: 'data',
    label: 'iris x feature',
  },
  {
    key: 'irisY',
    kind: 'select',
    default: IRIS_FEATURES[3],
    options: IRIS_FEATURES,
    folder: 'data',
    label: 'iris y feature',
  },
  ...FEATURES.map((f, i): ParamSpec => ({
    key: f.key,
    kind: 'bool',
    default: i < 2,
    folder: 'features',
    label: f.key,
  })),
  {
    key: 'hidden',
    kind: 'text',
    default: '4,2',
    folder: 'network',
    label: 'hidden widths',
    parse: intList('hidden layers', 1, 64, 8),
  },
  { key: 'activation', kind: 'select', default: 'tanh', options: ACTS, folder: 'network' },
  {
    key: 'activations',
    kind: 'text',
    default: '',
    folder: 'network',
    label: 'per layer (optional)',
    parse: (t) => {
      if (t === '') return '';
      const parts = t.split(',').map((s) => s.trim());
      for (const p of parts) {
        if (!(ACTS as readonly string[]).includes(p))
          throw new Error(`${JSON.stringify(p)} is not one of ${ACTS.join(', ')}`);
      }
      return parts.join(',');
    },
  },
  {
    key: 'optimizer',
    kind: 'select',
    default: 'sgd',
    options: ['sgd', 'momentum', 'adam'],
    folder: 'training',
  },
  {
    key: 'lr',
    kind: 'number',
    default: 0.03,
    min: 1e-5,
    max: 10,
    log: true,
    folder: 'training',
    label: 'learning rate',
  },
  { key: 'batchSize', kind: 'int', default: 10, min: 1, max: 1000, folder: 'training', label: 'batch size' },
  {
    key: 'regularization',
    kind: 'select',
    default: 'none',
    options: ['none', 'L1', 'L2'],
    folder: 'training',
  },
  {
    key: 'regRate',
    kind: 'number',
    default: 0.001,
    min: 1e-6,
    max: 1,
    log: true,
    folder: 'training',
    label: 'penalty rate',
  },
  {
    key: 'stepsPerFrame',
    kind: 'int',
    default: 5,
    min: 1,
    max: 200,
    folder: 'training',
    label: 'steps per frame',
  },
];

interface Carry {
  key: string;
  weights: number[][];
}

const featureKeys = (p: Params) => FEATURES.filter((f) => p[f.key]);

function featurize(points: [number, number][], feats: typeof FEATURES): Float32Array {
  const out = new Float32Array(points.length * feats.length);
  points.forEach(([a, b], i) => {
    // Inputs are scaled from [-6, 6] to [-1, 1] first so that every feature is of order 1.
    feats.forEach((f, j) => {
      out[i * feats.length + j] = f.f(a / 6, b / 6);
    });
  });
  return out;
}

async function create(gb: Context, p: Params, stage: HTMLElement, carry?: unknown): Promise<Simulation> {
  const feats = featureKeys(p);
  if (feats.length === 0) {
    throw new Error(
      'Switch on at least one input feature (x1, x2, ...) in the features folder or on the diagram.',
    );
  }
  const data: Dataset = makeDataset(
    p.dataset as DatasetName,
    Number(p.n),
    Number(p.noise),
    Number(p.seed),
    IRIS_FEATURES.indexOf(p.irisX as (typeof IRIS_FEATURES)[number]),
    IRIS_FEATURES.indexOf(p.irisY as (typeof IRIS_FEATURES)[number]),
  );
  const classify = data.kind === 'classification';
  const outputs = classify ? data.classes : 1;
  const hidden = String(p.hidden).split(',').filter(Boolean).map(Number);
  const perLayer = String(p.activations).split(',').filter(Boolean);
  const acts = hidden.map((_, i) => (perLayer[i] ?? p.activation) as nn.Activation);
  const sizes = [feats.length, ...hidden, outputs];

  // Seeded split into train and test.
  const idx = data.points.map((_, i) => i);
  const order = idx.sort(
    (a, b) => Math.sin(a * 78.233 + Number(p.seed)) - Math.sin(b * 78.233 + Number(p.seed)),
  );
  const nTrain = Math.max(
    1,
    Math.min(data.points.length - 1, Math.round(data.points.length * Number(p.trainRatio))),
  );
  const trainIdx = order.slice(0, nTrain);
  const testIdx = order.slice(nTrain);
  const tensorsOf = (ids: number[]) => {
    const x = gb.tensor(
      featurize(
        ids.map((i) => data.points[i]),
        feats,
      ),
      [ids.length, feats.length],
    );
    const y = classify
      ? gb.tensor(ids.map((i) => data.labels[i]))
      : gb.tensor(ids.map((i) => [data.labels[i]]));
    return [x, y];
  };
  const [xTr, yTr] = tensorsOf(trainIdx);
  const [xTe, yTe] = tensorsOf(testIdx);

  const model = new nn.MLP(gb, {
    sizes,
    activation: [...acts, 'linear'],
    seed: Number(p.seed),
    init: 'glorot',
  });
  const key = JSON.stringify([sizes, feats.map((f) => f.key)]);
  const c = carry as Carry | undefined;
  if (c && c.key === key) {
    gb.tidy(() => model.parameters().forEach((t, i) => t.assign(gb.tensor(c.weights[i], t.shape))));
  }
  const state = { lr: Number(p.lr), reg: p.regularization as string, regRate: Number(p.regRate) };
  const lr = () => state.lr;
  const params = model.parameters();
  const optimizer =
    p.optimizer === 'adam'
      ? optim.adam(gb, params, { lr })
      : optim.sgd(gb, params, { lr, momentum: p.optimizer === 'momentum' ? 0.9 : 0 });
  const weights = params.filter((t) => t.rank === 2);
  const trainer = new optim.Trainer({
    model,
    optimizer,
    loss: classify ? nn.softmaxCrossEntropy : nn.mse,
    x: xTr,
    y: yTr,
    batchSize: Number(p.batchSize),
    seed: Number(p.seed),
    penalty: () => {
      if (state.reg === 'L1') return nn.l1(weights).mul(state.regRate);
      if (state.reg === 'L2') return nn.l2(weights).mul(state.regRate);
      return gb.zeros([]);
    },
  });

  // Grids of inputs for the decision surface and the neuron thumbnails, on the device once.
  const gridPoints = (g: number): [number, number][] =>
    Array.from({ length: g * g }, (_, i) => [
      -6 + (12 * ((i % g) + 0.5)) / g,
      6 - (12 * (Math.floor(i / g) + 0.5)) / g,
    ]);
  const surfaceX = gb.tensor(featurize(gridPoints(GRID), feats), [GRID * GRID, feats.length]);
  const neuronX = gb.tensor(featurize(gridPoints(NGRID), feats), [NGRID * NGRID, feats.length]);

  // Layout: the network diagram, the decision surface with the points, metrics.
  const diagram = Object.assign(document.createElement('canvas'), { id: 'network', width: 620, height: 360 });
  const surface = Object.assign(document.createElement('canvas'), { id: 'surface', width: 400, height: 400 });
  const metrics = document.createElement('div');
  metrics.id = 'metrics';
  stage.append(
    figure(
      diagram,
      'Network: click an input to switch that feature on or off. Each neuron shows its output over the plane; links are weights (orange +, blue -, width |w|).',
    ),
    figure(
      surface,
      `Output over the plane (${classify ? 'class probabilities' : 'predicted value'}); training points outlined white, test points black.`,
    ),
    metrics,
  );
  const view = new View(surface, -6, 6, -6, 6);

  // Clicking an input node toggles that feature.
  const colX = (l: number) => 40 + (l * (diagram.width - 80)) / (sizes.length - 1);
  diagram.addEventListener('click', (e) => {
    const r = diagram.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * diagram.width;
    const y = ((e.clientY - r.top) / r.height) * diagram.height;
    FEATURES.forEach((f, j) => {
      const cy = 24 + j * 46;
      if (Math.abs(x - colX(0)) < 22 && Math.abs(y - cy) < 22)
        void window.demo?.control.set(f.key, !p[f.key]);
    });
  });

  let trainLoss = Number.NaN;
  let testLoss = Number.NaN;
  let trainAccuracy = Number.NaN;
  let testAccuracy = Number.NaN;
  let confusion: number[][] = [];
  let lastSlow = 0;
  let neuronValues: Float32Array[] = [];
  let weightValues: Float32Array[] = [];

  const forwardAll = (x: Tensor): Tensor[] => {
    const outs: Tensor[] = [];
    let h = x;
    model.layers.forEach((layer, i) => {
      h = nn.activate(layer.forward(h), model.activations[i]);
      outs.push(h);
    });
    return outs;
  };

  const outputColor = (values: Float32Array, i: number): RGB => {
    if (!classify) return diverging(values[i]);
    if (outputs === 2) return diverging(values[2 * i + 1] - values[2 * i]);
    let rr = 0;
    let gg = 0;
    let bb = 0;
    for (let k = 0; k < outputs; k++) {
      const w = values[outputs * i + k];
      const [cr, cg, cb] = CLASS_COLORS[k];
      rr += w * cr;
      gg += w * cg;
      bb += w * cb;
    }
    // Pale where uncertain: mix with white by (1 - max probability).
    let m = 0;
    for (let k = 0; k < outputs; k++) m = Math.max(m, values[outputs * i + k]);
    const t = (m - 1 / outputs) / (1 - 1 / outputs);
    return [255 + (rr - 255) * t, 255 + (gg - 255) * t, 255 + (bb - 255) * t];
  };

  const pointColor = (label: number) =>
    classify ? rgb(outputs === 2 ? diverging(label ? 1 : -1) : CLASS_COLORS[label]) : rgb(diverging(label));

  const drawDiagram = () => {
    const ctx = diagram.getContext('2d')!;
    ctx.clearRect(0, 0, diagram.width, diagram.height);
    const gapOf = (l: number) =>
      Math.min(46, (diagram.height - 40) / Math.max(1, (l === 0 ? FEATURES.length : sizes[l]) - 1));
    const nodeY = (l: number, k: number) => 24 + k * gapOf(l);
    // Node edge: 36 px, smaller when a wide layer packs its nodes closer.
    const sizeOf = (l: number) => Math.max(8, Math.min(36, gapOf(l) - 2));
    const inputRow = (j: number) => FEATURES.indexOf(feats[j]);
    // Links
    weightValues.forEach((w, l) => {
      const [nin, nout] = [sizes[l], sizes[l + 1]];
      let maxAbs = 1e-6;
      for (const v of w) maxAbs = Math.max(maxAbs, Math.abs(v));
      for (let a = 0; a < nin; a++) {
        for (let b = 0; b < nout; b++) {
          const v = w[a * nout + b];
          ctx.strokeStyle = rgb(diverging(v / maxAbs));
          ctx.lineWidth = 0.5 + 3.5 * Math.min(1, Math.abs(v) / maxAbs);
          ctx.beginPath();
          ctx.moveTo(colX(l) + 18, nodeY(l, l === 0 ? inputRow(a) : a));
          ctx.lineTo(colX(l + 1) - 18, nodeY(l + 1, b));
          ctx.stroke();
        }
      }
    });
    // Input nodes (all features; the ones in use are drawn solid)
    FEATURES.forEach((f, j) => {
      const on = !!p[f.key];
      const y = nodeY(0, j);
      ctx.fillStyle = on ? '#2563eb' : '#ddd';
      ctx.fillRect(colX(0) - 18, y - 18, 36, 36);
      ctx.fillStyle = on ? '#fff' : '#666';
      ctx.font = '11px sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(f.key, colX(0), y + 4);
    });
    // Neuron thumbnails: each hidden neuron's (and output's) value over the plane.
    neuronValues.forEach((vals, l) => {
      const width = sizes[l + 1];
      let maxAbs = 1e-6;
      for (const v of vals) maxAbs = Math.max(maxAbs, Math.abs(v));
      for (let k = 0; k < width; k++) {
        const thumb = document.createElement('canvas');
        thumb.width = NGRID;
        thumb.height = NGRID;
        drawGrid(thumb, NGRID, NGRID, (i) => diverging(vals[i * width + k] / maxAbs));
        const y = nodeY(l + 1, k);
        const e = sizeOf(l + 1);
        ctx.drawImage(thumb, colX(l + 1) - e / 2, y - e / 2, e, e);
        ctx.strokeStyle = '#333';
        ctx.lineWidth = 1;
        ctx.strokeRect(colX(l + 1) - e / 2, y - e / 2, e, e);
      }
    });
  };

  const renderMetrics = () => {
    const rows = classify
      ? `<div>train accuracy <b id="train-acc">${(trainAccuracy * 100).toFixed(1)}%</b>, test accuracy <b id="test-acc">${(testAccuracy * 100).toFixed(1)}%</b></div>` +
        `<table class="confusion"><caption>confusion matrix (test set): rows true, columns predicted</caption>` +
        `<tr><th></th>${confusion.map((_, j) => `<th>${j}</th>`).join('')}</tr>` +
        confusion
          .map((row, i) => `<tr><th>${i}</th>${row.map((v) => `<td>${v}</td>`).join('')}</tr>`)
          .join('') +
        '</table>'
      : `<div>test loss <b>${testLoss.toPrecision(3)}</b></div>`;
    metrics.innerHTML = rows;
  };

  return {
    async train(n) {
      const { losses } = await trainer.run(n);
      trainLoss = losses[losses.length - 1];
      return losses;
    },
    async extraSeries() {
      const l = gb.tidy(() => (classify ? nn.softmaxCrossEntropy : nn.mse)(model.forward(xTe), yTe));
      testLoss = await l.item();
      l.dispose();
      return { 'test loss': testLoss };
    },
    async render() {
      // Every frame: the decision surface, from one forward pass over the grid and one readback.
      const out = gb.tidy(() => {
        const y = model.forward(surfaceX);
        return classify ? y.softmax(1) : y;
      });
      const values = await out.data();
      out.dispose();
      drawGrid(surface, GRID, GRID, (i) => outputColor(values, i));
      const sctx = surface.getContext('2d')!;
      trainIdx.forEach((i) =>
        dot(
          sctx,
          view.px(data.points[i][0]),
          view.py(data.points[i][1]),
          4,
          pointColor(data.labels[i]),
          '#222',
        ),
      );
      testIdx.forEach((i) =>
        dot(
          sctx,
          view.px(data.points[i][0]),
          view.py(data.points[i][1]),
          4,
          '#fff',
          pointColor(data.labels[i]),
        ),
      );
      // A few times a second: neurons, weights, accuracy and the confusion matrix.
      if (performance.now() - lastSlow > 300) {
        lastSlow = performance.now();
        const acts = gb.tidy(() => forwardAll(neuronX));
        neuronValues = await Promise.all(acts.map((t) => t.data()));
        acts.forEach((t) => t.dispose());
        weightValues = await Promise.all(model.layers.map((l) => l.w.data()));
        if (classify) {
          const sTr = gb.tidy(() => model.forward(xTr));
          const sTe = gb.tidy(() => model.forward(xTe));
          // Read all three, then publish them together: state() may be read between two awaits, and the
          // accuracies and the confusion matrix it reports must come from the same weights.
          const [train, test, matrix] = await Promise.all([
            nn.accuracy(sTr, yTr),
            nn.accuracy(sTe, yTe),
            nn.confusionMatrix(sTe, yTe, outputs),
          ]);
          [trainAccuracy, testAccuracy, confusion] = [train, test, matrix];
          sTr.dispose();
          sTe.dispose();
        }
        drawDiagram();
        renderMetrics();
      }
    },
    async formula() {
      const f = feats.map((x) => x.tex).join(',\\ ');
      const layers = hidden
        .map(
          (w, i) =>
            `h_{${i + 1}} = \\mathrm{${acts[i]}}(h_{${i}} W_{${i + 1}} + b_{${i + 1}}) \\in \\mathbb{R}^{${w}}`,
        )
        .join('\\\\ ');
      const lossTex = classify
        ? `L = -\\frac{1}{B}\\sum_{i} \\log \\mathrm{softmax}(z_i)_{y_i}`
        : `L = \\frac{1}{B}\\sum_i (z_i - y_i)^2`;
      const reg =
        state.reg === 'none'
          ? ''
          : ` + ${state.regRate.toPrecision(2)} \\lVert W \\rVert_{${state.reg === 'L1' ? 1 : 2}}${state.reg === 'L2' ? '^2' : ''}`;
      return (
        `h_0 = (${f})\\\\ ${layers}${layers ? '\\\\ ' : ''}z = h_{${hidden.length}} W_{${hidden.length + 1}} + b_{${hidden.length + 1}}` +
        `\\\\ ${lossTex}${reg} = ${Number.isFinite(trainLoss) ? trainLoss.toPrecision(4) : '\\cdot'}` +
        `\\\\ \\text{${p.optimizer}},\\ \\eta = ${state.lr.toPrecision(3)},\\ B = ${Math.min(Number(p.batchSize), trainIdx.length)}`
      );
    },
    metrics(): Record<string, number> {
      return classify ? { 'train accuracy': trainAccuracy, 'test accuracy': testAccuracy } : {};
    },
    figures() {
      return {
        dataset: String(p.dataset),
        trainLoss,
        testLoss,
        ...(classify ? { trainAccuracy, testAccuracy, confusion } : {}),
        parameters: params.reduce((s, t) => s + t.size, 0),
      };
    },
    async snapshot(): Promise<Carry> {
      return { key, weights: await Promise.all(params.map(async (t) => Array.from(await t.data()))) };
    },
    update(next) {
      state.lr = Number(next.lr);
      state.reg = String(next.regularization);
      state.regRate = Number(next.regRate);
    },
    dispose() {
      optimizer.dispose();
      for (const t of [xTr, yTr, xTe, yTe, surfaceX, neuronX, ...params]) t.dispose();
    },
  };
}

startDemo({
  id: 'playground',
  title: 'Neural-network playground',
  params: PARAMS,
  liveKeys: ['lr', 'stepsPerFrame', 'regularization', 'regRate'],
  kernels: ['matmul', 'elementwise', 'reduce', 'softmax', 'layout', 'optim'],
  series: ['test loss'],
  metrics: ['train accuracy', 'test accuracy'],
  create,
});
