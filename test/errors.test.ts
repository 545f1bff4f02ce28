// Bad input gets a GradboxError that names the op, what was given and what was expected.
// Each case asserts the message, on both backends (validation happens before any backend call).
import { expect, it } from 'vitest';
import { createContext, GradboxError, type Tensor } from '../src/index';
import { eachBackend } from './helpers/backends';

function expectError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(GradboxError);
  for (const p of parts) expect((caught as Error).message).toMatch(p);
}

eachBackend('errors', (use) => {
  it('shape mismatches name the op and both shapes', () => {
    const gb = use();
    const a = gb.zeros([3, 4]);
    const b = gb.zeros([5, 2]);
    expectError(() => a.matmul(b), 'matmul: inner dimensions differ: (3,4) @ (5,2)');
    expectError(() => a.add(gb.zeros([3, 5])), 'add', '(3,4)', '(3,5)', 'cannot be broadcast');
    expectError(() => gb.zeros([2, 3, 4]).matmul(gb.zeros([5, 4, 2])), 'matmul (batch axes)', '(2)', '(5)');
    expectError(() => gb.tensor(3).matmul(a), 'matmul', 'at least one dimension');
    expectError(() => a.where(gb.zeros([2]), 1), 'where', 'cannot be broadcast');
  });

  it('bad axes say the valid range', () => {
    const gb = use();
    const x = gb.zeros([2, 3]);
    expectError(() => x.sum(2), 'sum: axis 2 is out of range for a tensor of rank 2; valid: -2..1');
    expectError(() => x.mean(-3), 'mean: axis -3 is out of range');
    expectError(() => x.sum([0, 0]), 'axis 0 is listed twice');
    expectError(() => x.sum(0.5 as number), 'axis must be an integer, got 0.5');
    expectError(() => x.argmax([0, 1] as unknown as number), 'argmax: takes one axis or none');
    expectError(() => x.softmax(5), 'softmax: axis 5 is out of range');
    expectError(() => gb.tensor(1).softmax(), 'softmax: needs at least one axis, got a scalar');
    expectError(() => x.transpose([0, 0]), 'transpose: perm must be a permutation of 0..1');
    expectError(() => x.gather(gb.tensor([0]), 3), 'gather: axis 3 is out of range');
    expectError(() => gb.zeros([0, 3]).max(0), 'max: cannot reduce an empty axis');
  });

  it('ragged nested arrays, non-numeric values and bad sizes are reported with their position', () => {
    const gb = use();
    expectError(
      () => gb.tensor([[1, 2], [3]]),
      'tensor: ragged nested array: at [1] expected an array of length 2, got length 1',
    );
    expectError(() => gb.tensor([[1, 2], 3] as never), 'ragged nested array: at [1]', 'got 3');
    expectError(
      () =>
        gb.tensor([
          [1, [2]],
          [3, 4],
        ] as never),
      'ragged',
      'at [0][1]',
    );
    expectError(() => gb.tensor([1, 'a', 3] as never), 'tensor: expected a number at [1], got "a" (string)');
    expectError(() => gb.tensor([1, null, 3] as never), 'expected a number at [1], got null');
    expectError(
      () => gb.tensor('abc' as never),
      'tensor: expected a number, nested arrays of numbers or a typed array',
    );
    expectError(() => gb.tensor([1, 2, 3], [2, 2]), 'tensor: 3 values cannot fill shape (2,2) (4 elements)');
    expectError(() => gb.zeros([2, -1]), 'zeros: every dimension must be a non-negative integer, got -1');
    expectError(() => gb.ones([2.5]), 'ones: every dimension must be a non-negative integer, got 2.5');
    expectError(() => gb.full([2], 'x' as never), 'full: value must be a number');
    expectError(() => gb.zeros('3' as never), 'zeros: shape must be an array');
    expectError(() => gb.arange(0, 5, 0), 'arange: step must not be 0');
    expectError(() => gb.arange(Number.NaN), 'arange: stop must be a finite number, got NaN');
    expectError(() => gb.linspace(0, 1, -2), 'linspace: num must be a non-negative integer, got -2');
    expectError(() => gb.eye(-1), 'eye: every dimension must be a non-negative integer, got -1');
    expectError(() => gb.zeros([6]).reshape([4, -1]), 'reshape: cannot infer -1 in (4,-1) for 6 elements');
    expectError(
      () => gb.zeros([6]).reshape([4, 2]),
      'reshape: cannot reshape (6) (6 elements) to (4,2) (8 elements)',
    );
    expectError(() => gb.zeros([3]).oneHot(0), 'oneHot: depth must be a positive integer');
    expectError(
      () => gb.zeros([3]).add('1' as never),
      'add: expected a Tensor or a number, got "1" (string)',
    );
  });

  it('item() of a tensor with more than one element rejects', async () => {
    const gb = use();
    await expect(gb.zeros([3]).item()).rejects.toThrow(
      'item: needs a tensor with one element, got shape (3)',
    );
  });

  it('wrong seeds say what a seed is', () => {
    const gb = use();
    expectError(
      () => gb.rand([2], { seed: -1 }),
      'rand: seed must be a non-negative integer up to 2^53-1, got -1',
    );
    expectError(() => gb.randn([2], { seed: 1.5 }), 'randn: seed must be a non-negative integer', '1.5');
    expectError(() => gb.rand([2], { seed: '7' as never }), 'seed must be', '"7" (string)');
    expectError(() => gb.rand([2], { seed: Number.NaN }), 'got NaN');
    expectError(() => gb.rand([2], { low: Number.NaN }), 'rand: low must be a finite number');
  });

  it('a disposed tensor says so and how tidy may have freed it', () => {
    const gb = use();
    const x = gb.ones([2]);
    x.dispose();
    x.dispose(); // twice is fine
    expect(x.isDisposed).toBe(true);
    expectError(() => x.add(1), 'add: tensor (2) #', 'was disposed', 'gb.keep');
    expectError(() => gb.ones([2]).add(x), 'was disposed');
    let inner: Tensor | null = null;
    gb.tidy(() => {
      inner = gb.ones([3]);
    });
    expectError(() => inner!.sum(), 'sum:', 'was disposed');
  });

  it('tidy rejects async functions', () => {
    const gb = use();
    expectError(() => gb.tidy((async () => gb.ones([1])) as never), 'tidy: the function returned a Promise');
  });
});

it('mixing tensors of two contexts is an error that says how to copy across', async () => {
  const a = await createContext({ backend: 'cpu' });
  const b = await createContext({ backend: 'cpu' });
  try {
    expectError(() => a.ones([2]).add(b.ones([2])), 'add: the tensors belong to two different contexts');
    expectError(
      () => a.ones([2, 2]).matmul(b.ones([2, 2])),
      'matmul: the tensors belong to two different contexts',
    );
  } finally {
    a.dispose();
    b.dispose();
  }
});

it('a disposed context and bad options are reported', async () => {
  const gb = await createContext({ backend: 'cpu' });
  gb.dispose();
  expectError(() => gb.ones([1]), 'ones: this context was disposed');
  await expect(createContext({ backend: 'gpu' as never })).rejects.toThrow(
    "createContext: backend must be one of 'auto', 'webgpu', 'cpu', 'wasm', 'js', got \"gpu\" (string)",
  );
  await expect(createContext({ backend: 'cpu', seed: -3 })).rejects.toThrow('createContext: seed must be');
});

it('fromBuffer on the CPU backend says it needs WebGPU', async () => {
  const gb = await createContext({ backend: 'cpu' });
  try {
    expectError(() => gb.fromBuffer({} as GPUBuffer, [2]), 'fromBuffer: needs the WebGPU backend');
    expectError(() => gb.ones([1]).buffer, `buffer: this tensor is on the ${gb.backend} backend`);
  } finally {
    gb.dispose();
  }
});
