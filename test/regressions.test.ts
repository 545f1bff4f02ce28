// Regression tests for the defects a review of the core found (each failed on the code before its fix),
// and the gradient conventions at kinks and ties that let the first of them through.
import { expect, it, vi } from 'vitest';
import { vulkanLoaderAdvice } from '../src/backends/webgpu/device';
import { createContext, GradboxError, models, nn, optim, type Tensor } from '../src/index';
import { eachBackend, held, skipWebgpu } from './helpers/backends';
import { expectClose, randomData } from './helpers/close';

// Reason for the skip: no WebGPU adapter on a developer machine; CI never skips (see helpers/backends).
const itGpu = skipWebgpu ? it.skip : it;

eachBackend('regressions', (use, backend) => {
  it('bceWithLogits has gradient sigmoid(z) - y at z = 0, so logistic regression starts right', async () => {
    const gb = use();
    const x = gb.ones([4, 1]);
    const y = gb.tensor([1, 1, 1, 0]);
    // d/dz mean(softplus(z) - z y) at z = 0 is (0.5 - y) / 4.
    const [dz] = gb.grad((z: Tensor) => nn.bceWithLogits(z, y.reshape([4, 1])))(gb.zeros([4, 1]));
    expectClose(await dz.data(), [-0.125, -0.125, -0.125, 0.125]);
    const model = new models.LogisticRegression(gb, 1);
    await model.fit(x, y, { steps: 1, lr: 1, optimizer: 'sgd' });
    const [w, b] = model.parameters();
    // One SGD step with lr 1: w = b = -sum((0.5 - y) / 4) = 0.25 (the kinked form gave 0.75).
    expectClose(await w.data(), [0.25]);
    expectClose(await b.data(), [0.25]);
    [x, y, dz].forEach((t) => t.dispose());
    model.disposeOptimizer();
    model.parameters().forEach((t) => t.dispose());
  });

  it('tidy, valueAndGrad and Optimizer.step free everything they made when the function throws', () => {
    const gb = use();
    const w = gb.ones([3]);
    const start = held(gb);
    const boom = (): never => {
      throw new Error('learner typo');
    };
    expect(() =>
      gb.tidy(() => {
        w.mul(2).add(1);
        boom();
      }),
    ).toThrow('learner typo');
    expect(held(gb)).toEqual(start);
    expect(() => gb.valueAndGrad((p: Tensor) => (p.square().sum(), boom()))(w)).toThrow('learner typo');
    expect(held(gb)).toEqual(start);
    const opt = optim.sgd(gb, [w], { lr: 0.1 });
    const withOpt = held(gb);
    expect(() => opt.step(() => (w.exp().sum(), boom()))).toThrow('learner typo');
    expect(held(gb)).toEqual(withOpt);
    opt.dispose();
    w.dispose();
  });

  it('grad returns a tensor of its own for every argument, also when a rule or the caller repeats one', async () => {
    const gb = use();
    const a = gb.tensor([1, 2]);
    const b = gb.tensor([3, 4]);
    const [da, db] = gb.grad((p: Tensor, q: Tensor) => p.add(q).sum())(a, b);
    expect(da).not.toBe(db);
    da.dispose();
    expect(await db.toArray()).toEqual([1, 1]);
    const [d1, d2] = gb.grad((p: Tensor, q: Tensor) => p.mul(q).sum())(a, a);
    expect(d1).not.toBe(d2);
    d1.dispose();
    expect(await d2.toArray()).toEqual([1, 2]);
    [a, b, db, d2].forEach((t) => t.dispose());
  });

  it('grad and valueAndGrad never dispose a tensor they did not create (f = x => x)', async () => {
    const gb = use();
    const s = gb.tensor(3);
    const [ds] = gb.grad((x: Tensor) => x)(s);
    expect(s.isDisposed).toBe(false);
    expect(await ds.item()).toBe(1);
    const [value, [dv]] = gb.valueAndGrad((x: Tensor) => x)(s);
    expect(value).not.toBe(s);
    value.dispose();
    expect(await s.item()).toBe(3);
    [s, ds, dv].forEach((t) => t.dispose());
  });

  it('two optimisers over the same parameters share one store; a different set is refused', async () => {
    const gb = use();
    const p = gb.tensor([1, 2, 3]);
    const q = gb.tensor([4]);
    const a = optim.sgd(gb, [p, q], { lr: 1 });
    const b = optim.sgd(gb, [q, p], { lr: 1 });
    expect(b.store).toBe(a.store);
    a.step(() => p.sum().add(q.sum())); // gradient 1 everywhere
    b.step(() => p.sum().add(q.sum().mul(2)));
    expect(await p.toArray()).toEqual([-1, 0, 1]);
    expect(await q.toArray()).toEqual([1]);
    expect(() => optim.adam(gb, [p], { lr: 1 })).toThrow(
      /parameter 0 \(3\) is already updated by another optimiser.*Dispose the other optimiser/,
    );
    a.dispose();
    b.dispose();
    // Once no optimiser holds them, the parameters can be packed again, in another set.
    const c = optim.sgd(gb, [p], { lr: 1 });
    c.step(() => p.sum());
    expect(await p.toArray()).toEqual([-2, -1, 0]);
    expect(await q.toArray()).toEqual([1]);
    c.dispose();
    p.dispose();
    q.dispose();
  });

  it('assign between two parameters packed into one buffer copies the values', async () => {
    const gb = use();
    const p = gb.tensor([1, 2, 3]);
    const q = gb.tensor([7, 8, 9]);
    const opt = optim.sgd(gb, [p, q], { lr: 1 });
    q.assign(p);
    p.assign(gb.tensor([5, 5, 5]));
    expect(await q.toArray()).toEqual([1, 2, 3]);
    expect(await p.toArray()).toEqual([5, 5, 5]);
    opt.dispose();
    p.dispose();
    q.dispose();
  });

  it('softmaxCrossEntropy gives NaN for a label outside [0, classes) or not an integer', async () => {
    const gb = use();
    const logits = gb.tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    for (const bad of [3, -1, 1.5]) {
      const loss = nn.softmaxCrossEntropy(logits, gb.tensor([0, bad]));
      expect(await loss.item(), `label ${bad}`).toBeNaN();
    }
    // Valid labels still give the finite reference value.
    const ok = nn.softmaxCrossEntropy(logits, gb.tensor([2, 1]));
    const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
    expect(await ok.item()).toBeCloseTo((lse([1, 2, 3]) - 3 + lse([0, 0, 0])) / 2, 5);
  });

  it('rand with low > high and randn with std < 0 are refused with what to do', () => {
    const gb = use();
    const start = held(gb);
    expect(() => gb.rand([2], { low: 2, high: 1 })).toThrow(/rand: low must not exceed high.*swap them/);
    expect(() => gb.randn([2], { std: -1 })).toThrow(/randn: std must be >= 0.*got -1/);
    expect(held(gb)).toEqual(start);
  });

  it('a tensor too large for the backend names the size asked for and the limit', () => {
    const gb = use();
    let err: unknown;
    try {
      gb.ones([1e6, 1e6]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradboxError);
    const want = {
      js: /cannot allocate 1000000000000 elements.*2\^32/,
      wasm: /cannot hold 4000000000000 bytes: WebAssembly memory is limited to 4 GiB/,
      webgpu: /needs 4000000000000 bytes/,
    }[backend];
    expect((err as Error).message).toMatch(want);
  });

  it('LinearRegression.fit with new data or options trains on them, continuing from the weights', async () => {
    const gb = use();
    const xs = randomData(20, 5, 1);
    const x = gb.tensor(xs, [20, 1]);
    const y1 = x.mul(2).reshape([20]);
    const y2 = x.mul(-3).add(1).reshape([20]);
    const model = new models.LinearRegression(gb, 1);
    await model.fit(x, y1, { steps: 5, lr: 0.1, optimizer: 'sgd' });
    // The first loss of the next call is the current weights' error on the NEW targets.
    const expected = await nn.mse(model.predict(x), y2.reshape([20, 1])).item();
    const res = await model.fit(x, y2, { steps: 300, lr: 0.5, optimizer: 'sgd' });
    expect(res.losses[0]).toBeCloseTo(expected, 5);
    const [w, b] = model.parameters();
    expectClose(await w.data(), [-3], { atol: 1e-3, rtol: 0 });
    expectClose(await b.data(), [1], { atol: 1e-3, rtol: 0 });
    model.disposeOptimizer();
    [x, y1, y2, w, b].forEach((t) => t.dispose());
  });

  it('memory() reports the bytes a pool keeps: a freed large buffer shows there, none on the CPU', async () => {
    const gb = use();
    const t = gb.zeros([1 << 20]);
    await gb.sync();
    const before = gb.memory().poolBytes;
    t.dispose();
    gb.flush();
    const after = gb.memory().poolBytes;
    if (backend === 'js') {
      expect([before, after]).toEqual([0, 0]);
      return;
    }
    if (backend === 'wasm') {
      // WebAssembly memory never shrinks: the freed block stays in the pool for reuse.
      expect(after - before).toBe(4 << 20);
      return;
    }
    expect(after - before).toBeGreaterThanOrEqual(4 << 20); // the 4 MiB buffer waits for reuse
    // Submits that never ask for a buffer that large again: the pool lets it go (POOL_IDLE_SUBMITS = 32).
    const small = gb.ones([8]);
    for (let i = 0; i < 40; i++) {
      small.add(1).dispose();
      gb.flush();
    }
    expect(gb.memory().poolBytes).toBeLessThan(after - (4 << 20) + 4096);
    small.dispose();
  });
});

eachBackend('gradients at kinks and ties follow stated conventions', (use) => {
  it('relu and abs have derivative 0 at 0; max and min split ties evenly; maximum/minimum give ties to a', async () => {
    const gb = use();
    const x = gb.tensor([-1, 0, 2]);
    const [dRelu] = gb.grad((t: Tensor) => t.relu().sum())(x);
    expect(await dRelu.toArray()).toEqual([0, 0, 1]);
    const [dAbs] = gb.grad((t: Tensor) => t.abs().sum())(x);
    expect(await dAbs.toArray()).toEqual([-1, 0, 1]);
    const tie = gb.tensor([3, 1, 3]);
    const [dMax] = gb.grad((t: Tensor) => t.max())(tie);
    expect(await dMax.toArray()).toEqual([0.5, 0, 0.5]);
    const [dMin] = gb.grad((t: Tensor) => t.mul(-1).min())(tie);
    expect([...(await dMin.data())].map((v) => v + 0)).toEqual([-0.5, 0, -0.5]); // + 0 turns -0 into 0
    const a = gb.tensor([1, 2]);
    const b = gb.tensor([1, 0]);
    const [daMax, dbMax] = gb.grad((p: Tensor, q: Tensor) => p.maximum(q).sum())(a, b);
    expect([await daMax.toArray(), await dbMax.toArray()]).toEqual([
      [1, 1],
      [0, 0],
    ]);
    const [daMin, dbMin] = gb.grad((p: Tensor, q: Tensor) => p.minimum(q).sum())(a, b);
    expect([await daMin.toArray(), await dbMin.toArray()]).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it('every loss passes checkGrad, also at logits of exactly 0 and at softplus kinks', async () => {
    const gb = use();
    const zeros = gb.zeros([4, 3]);
    const logits = gb.tensor(randomData(12, 7, 2), [4, 3]);
    const labels = gb.tensor([0, 2, 1, 2]);
    const probs = gb.tensor(
      randomData(12, 8, 1).map((v) => Math.abs(v)),
      [4, 3],
    );
    const t01 = gb.tensor([1, 0, 1, 1], [4, 1]);
    const target = gb.tensor(randomData(12, 9, 1), [4, 3]);
    const cases: [string, (z: Tensor) => Tensor, Tensor][] = [
      ['mse', (z) => nn.mse(z, target), logits],
      ['bceWithLogits at 0', (z) => nn.bceWithLogits(z, t01), gb.zeros([4, 1])],
      ['bceWithLogits', (z) => nn.bceWithLogits(z, t01), logits.sum(1, true)],
      ['softmaxCrossEntropy labels at 0', (z) => nn.softmaxCrossEntropy(z, labels), zeros],
      ['softmaxCrossEntropy labels', (z) => nn.softmaxCrossEntropy(z, labels), logits],
      ['softmaxCrossEntropy probabilities', (z) => nn.softmaxCrossEntropy(z, probs), logits],
      ['l1', (z) => nn.l1([z]), logits],
      ['l2', (z) => nn.l2([z]), logits],
      ['softplus', (z) => z.softplus().sum(), logits.mul(10)],
    ];
    for (const [name, f, at] of cases) {
      const r = await gb.checkGrad(f, [at]);
      expect(r.ok, `${name}: ${JSON.stringify(r.inputs[0])}`).toBe(true);
    }
  });

  it("each model's loss at its first step passes checkGrad with respect to every parameter", async () => {
    const gb = use();
    const x = gb.tensor(randomData(24, 11, 1), [8, 3]);
    const yReal = gb.tensor(randomData(8, 12, 1));
    const y01 = gb.tensor([1, 0, 0, 1, 1, 0, 1, 0]);
    const yClass = gb.tensor([0, 1, 2, 1, 0, 2, 2, 1]);
    const col = (t: Tensor) => t.reshape([t.size, 1]);
    const cases: [string, { parameters(): Tensor[]; predict(x: Tensor): Tensor }, (p: Tensor) => Tensor][] = [
      ['LinearRegression', new models.LinearRegression(gb, 3), (p) => nn.mse(p, col(yReal))],
      ['LogisticRegression', new models.LogisticRegression(gb, 3), (p) => nn.bceWithLogits(p, col(y01))],
      ['SoftmaxRegression', new models.SoftmaxRegression(gb, 3, 3), (p) => nn.softmaxCrossEntropy(p, yClass)],
      [
        'MLPClassifier',
        new models.MLPClassifier(gb, 3, 3, { hidden: [5], seed: 1 }),
        (p) => nn.softmaxCrossEntropy(p, yClass),
      ],
      [
        'MLPRegressor',
        new models.MLPRegressor(gb, 3, 1, { hidden: [5], activation: 'tanh', seed: 2 }),
        (p) => nn.mse(p, col(yReal)),
      ],
    ];
    for (const [name, model, loss] of cases) {
      const r = await gb.checkGrad((..._ps: Tensor[]) => loss(model.predict(x)), model.parameters());
      expect(r.ok, `${name}: worst ${JSON.stringify(r.inputs)}`).toBe(true);
    }
  });
});

it('createContext({ calibrate: true }) leaves no tensor behind', async () => {
  const gb = await createContext({ backend: 'auto', calibrate: true });
  expect(gb.memory().tensors).toBe(0);
  expect(gb.memory().bytes).toBe(0);
  gb.dispose();
});

itGpu(
  'a parameter packed into a flat buffer hands out its own bytes through buffer and bufferOffset',
  async () => {
    const gb = await createContext({ backend: 'webgpu' });
    const p = gb.tensor([1, 2, 3]);
    const q = gb.tensor([4, 5, 6, 7]);
    expect(q.bufferOffset).toBe(0);
    const opt = optim.sgd(gb, [p, q], { lr: 1 });
    gb.flush(); // submit gradbox's queued work (the packing copies) before the app's own
    expect(q.buffer).toBe(p.buffer);
    expect(q.bufferOffset).toBe(256); // p's 3 elements are padded to a 64-element segment
    // Read q through plain WebGPU at its offset: its own values, not p's.
    const device = gb.device!;
    const staging = device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(q.buffer, q.bufferOffset, staging, 0, 16);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    expect([...new Float32Array(staging.getMappedRange())]).toEqual([4, 5, 6, 7]);
    staging.destroy();
    opt.dispose();
    gb.dispose();
  },
);

itGpu(
  "after device loss under 'auto', the dead backend is disposed and its tensors no longer count",
  async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const gb = await createContext({ backend: 'auto' });
    const dead = gb.engine;
    const disposed = vi.spyOn(dead, 'dispose');
    const old = gb.ones([100]);
    expect(gb.memory().tensors).toBe(1);
    gb.device!.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(gb.backend).toBe('js');
    expect(disposed).toHaveBeenCalledTimes(1);
    expect(gb.memory()).toEqual({ tensors: 0, bytes: 0, poolBytes: 0 });
    const fresh = gb.ones([2]);
    expect(gb.memory()).toEqual({ tensors: 1, bytes: 8, poolBytes: 0 });
    old.dispose(); // forgetting a lost tensor is harmless
    fresh.dispose();
    expect(gb.memory().tensors).toBe(0);
    gb.dispose();
    warn.mockRestore();
  },
);

it('without a Vulkan loader on Linux, the advice names libvulkan1 and the LD_LIBRARY_PATH recipe', () => {
  const none = () => false;
  const advice = vulkanLoaderAdvice(none, {}, 'linux');
  expect(advice).toMatch(/Vulkan loader libvulkan\.so\.1/);
  expect(advice).toMatch(/apt-get install libvulkan1/);
  expect(advice).toMatch(/LD_LIBRARY_PATH=\/usr\/lib\/chromium/);
  const inLdPath = (p: string) => p === '/opt/vk/libvulkan.so.1';
  expect(vulkanLoaderAdvice(inLdPath, { LD_LIBRARY_PATH: '/opt/vk' }, 'linux')).toBeNull();
  expect(vulkanLoaderAdvice((p) => p === '/usr/lib64/libvulkan.so.1', {}, 'linux')).toBeNull();
  expect(vulkanLoaderAdvice(none, {}, 'darwin')).toBeNull();
});
