// ml-matrix 6.15 as the plain-JavaScript peer of the linalg suite: float64 on the CPU, one matrix of a
// batch at a time. Inputs become Matrix objects before timing; results become float32 only when read.
import {
  CholeskyDecomposition,
  EigenvalueDecomposition,
  Matrix,
  QrDecomposition,
  SingularValueDecomposition,
  solve,
} from 'ml-matrix';
import { joined, type Lib, type OpName } from './libs-core';

const ML_OPS: OpName[] = ['cholesky', 'solve', 'qr', 'eigh', 'svd'];

/** The matrices of a (..., rows, cols) input, as ml-matrix Matrix objects. */
function matrices(data: Float32Array, shape: number[]): Matrix[] {
  const [rows, cols] = shape.slice(-2);
  const out: Matrix[] = [];
  for (let o = 0; o < data.length; o += rows * cols)
    out.push(Matrix.from1DArray(rows, cols, Array.from(data.subarray(o, o + rows * cols))));
  return out;
}

/** ml-matrix on the CPU. */
export function mlMatrixLib(): Lib {
  return {
    id: 'ml-matrix',
    library: 'ml-matrix 6.15',
    backend: 'cpu (float64)',
    supports: (op) => ML_OPS.includes(op),
    async open() {
      return {
        async prepare(op, inputs) {
          const [as, bs] = inputs.map((x) => matrices(x.data, x.shape));
          const call = (): Matrix[][] =>
            as.map((a, i) => {
              if (op === 'cholesky') return [new CholeskyDecomposition(a).lowerTriangularMatrix];
              if (op === 'solve') return [solve(a, bs[i])];
              if (op === 'qr') {
                const f = new QrDecomposition(a);
                return [f.orthogonalMatrix, f.upperTriangularMatrix];
              }
              if (op === 'eigh') {
                const f = new EigenvalueDecomposition(a, { assumeSymmetric: true });
                return [Matrix.rowVector(f.realEigenvalues), f.eigenvectorMatrix];
              }
              if (op === 'svd') {
                const f = new SingularValueDecomposition(a);
                return [
                  f.leftSingularVectors,
                  Matrix.rowVector(f.diagonal),
                  f.rightSingularVectors.transpose(),
                ];
              }
              throw new Error(`ml-matrix is not a peer of the ${op} benchmark`);
            });
          return {
            async run(times) {
              const t0 = performance.now();
              for (let i = 0; i < times; i++) call();
              return { wallMs: performance.now() - t0, kernelMs: null };
            },
            async runAndRead() {
              const per = call();
              // Every output of every matrix, output by output (all Q, then all R).
              return joined(per[0].map((_, k) => joined(per.map((outs) => outs[k].to1DArray()))));
            },
            dispose: () => {},
          };
        },
        async dispose() {},
      };
    },
  };
}
