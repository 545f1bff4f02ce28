// Demo: run one op on WebGPU and on the CPU with the same inputs, compare the results, time both,
// and show the WGSL that ran. It uses only gradbox's public API.
import GUI from 'lil-gui';
import { type Context, createContext, SHADERS, type Tensor } from '../../src/index';

type Op = 'matmul' | 'sum' | 'softmax' | 'add (broadcast)';
const FAMILY: Record<Op, keyof typeof SHADERS> = {
  matmul: 'matmul',
  sum: 'reduce',
  softmax: 'softmax',
  'add (broadcast)': 'elementwise',
};

const params = { op: 'matmul' as Op, size: 256, seed: 1, run: () => void run() };
const note = document.getElementById('backend-note')!;
const tbody = document.querySelector('#results tbody')!;
const wgsl = document.getElementById('wgsl')!;

function build(gb: Context, n: number, seed: number): [Tensor, Tensor] {
  const a = gb.rand([n, n], { seed });
  const b = gb.rand([n, n], { seed: seed + 1 });
  return [a, b];
}

function apply(op: Op, a: Tensor, b: Tensor): Tensor {
  if (op === 'matmul') return a.matmul(b);
  if (op === 'sum') return a.sum(1);
  if (op === 'softmax') return a.softmax(-1);
  return a.add(b.sum(0, true));
}

async function timeOn(gb: Context, n: number): Promise<{ ms: number; data: Float32Array }> {
  const [a, b] = build(gb, n, params.seed);
  await gb.sync();
  const t0 = performance.now();
  const y = apply(params.op, a, b);
  const data = await y.data();
  const ms = performance.now() - t0;
  for (const t of [a, b, y]) t.dispose();
  return { ms, data };
}

let gpu: Context | null = null;
let cpu: Context;

async function run(): Promise<void> {
  wgsl.textContent = SHADERS[FAMILY[params.op]].code;
  const n = Math.max(1, Math.min(2048, Math.round(params.size) || 1));
  const c = await timeOn(cpu, n);
  const rows: string[][] = [[params.op, String(n), cpu.backend, c.ms.toFixed(1), '']];
  if (gpu) {
    const g = await timeOn(gpu, n);
    let worst = 0;
    for (let i = 0; i < c.data.length; i++) worst = Math.max(worst, Math.abs(c.data[i] - g.data[i]));
    rows.push([params.op, String(n), gpu.backend, g.ms.toFixed(1), worst.toExponential(2)]);
  }
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.innerHTML = r.map((v) => `<td>${v}</td>`).join('');
    tbody.prepend(tr);
  }
}

async function main(): Promise<void> {
  cpu = await createContext({ backend: 'cpu' });
  try {
    gpu = await createContext({ backend: 'webgpu' });
    note.textContent = `Running on WebGPU (${gpu.backendReason}) and on the CPU.`;
    gpu.device?.addEventListener('uncapturederror', (e) => {
      note.className = 'error';
      note.textContent = `GPU error: ${(e as GPUUncapturedErrorEvent).error.message}`;
    });
  } catch (e) {
    note.className = 'note';
    note.textContent = `WebGPU is not available, so only the CPU backend runs. ${(e as Error).message}`;
  }
  const gui = new GUI({ title: 'kernels' });
  gui.add(params, 'op', Object.keys(FAMILY)).onChange(() => void run());
  gui.add(params, 'size', 1, 1024, 1);
  gui.add(params, 'seed', 0, 1000, 1);
  gui.add(params, 'run');
  await run();
}

main().catch((e: Error) => {
  note.className = 'error';
  note.textContent = e.message;
});
