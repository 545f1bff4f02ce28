// Memory accounting: tidy frees intermediates, 1,000 tidy iterations leave gb.memory() where it
// started, dispose() frees everything, and the GPU buffer pool stops growing in a steady loop.
import { expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/backends/webgpu/webgpu_backend';
import { eachBackend, held } from './helpers/backends';

eachBackend('memory', (use, backend) => {
  it('tidy keeps what it returns and frees the rest', async () => {
    const gb = use();
    const start = held(gb);
    const x = gb.ones([4, 4]);
    const { y, z } = gb.tidy(() => {
      const a = x.matmul(x).add(1);
      const b = a.relu().sum(1);
      return { y: b, z: [a.mean()] };
    });
    expect(gb.memory().tensors).toBe(start.tensors + 3);
    expect(await y.toArray()).toEqual([20, 20, 20, 20]);
    expect(await z[0].item()).toBe(5);
    x.dispose();
    y.dispose();
    z[0].dispose();
    expect(held(gb)).toEqual(start);
  });

  it('nested tidy hands kept tensors to the outer scope; keep() exempts one', () => {
    const gb = use();
    const start = held(gb);
    let kept = null as unknown as ReturnType<typeof gb.ones>;
    gb.tidy(() => {
      const inner = gb.tidy(() => gb.ones([2]).add(1));
      kept = gb.keep(gb.zeros([3]));
      expect(inner.isDisposed).toBe(false);
      return undefined;
    });
    expect(kept.isDisposed).toBe(false);
    expect(gb.memory().tensors).toBe(start.tensors + 1);
    kept.dispose();
    expect(held(gb)).toEqual(start);
  });

  it('1,000 tidy iterations of a small training-like step leave memory where it started', async () => {
    const gb = use();
    const w = gb.randn([8, 4], { seed: 3 });
    const x = gb.randn([16, 8], { seed: 4 });
    const start = held(gb);
    for (let i = 0; i < 1000; i++) {
      gb.tidy(() => {
        const h = x.matmul(w).relu();
        const loss = h.softmax().logSumExp(1).mean();
        return loss.mul(0);
      }).dispose();
    }
    expect(held(gb)).toEqual(start);
    if (backend === 'webgpu') {
      const runner = (gb.engine as WebGpuBackend).runner;
      expect(runner.stats.submits).toBeLessThan(runner.stats.dispatches); // batched, not one submit per op
    }
    w.dispose();
    x.dispose();
  });

  it('the bytes of memory() follow allocations', () => {
    const gb = use();
    const start = held(gb);
    const t = gb.zeros([10, 10]);
    expect(gb.memory().bytes - start.bytes).toBe(400);
    t.dispose();
    expect(held(gb)).toEqual(start);
  });
});
