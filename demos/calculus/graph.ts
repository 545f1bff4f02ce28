// The chain rule on a computation graph: one neuron with a squared loss, L = (act(w1 x1 + w2 x2 + b) - t)^2,
// as nodes and edges. gradbox computes every forward value, the gradient of L with respect to every node
// (intermediate ones too, from one reverse pass) and each edge's local derivative. No DOM.
import type { Context, Tensor } from '../../src/index';

export const ACTIVATIONS = ['tanh', 'sigmoid', 'relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const LEAVES = ['x1', 'w1', 'x2', 'w2', 'b', 't'] as const;
export type Leaf = (typeof LEAVES)[number];

export interface GraphNode {
  id: string;
  /** What the node shows: its name, and for an operation what it computes. */
  label: string;
  op: 'leaf' | 'mul' | 'add' | 'sub' | 'square' | 'act';
  inputs: string[];
  /** Place on the drawing: column left to right, row top to bottom. */
  col: number;
  row: number;
}

export const NODES: GraphNode[] = [
  { id: 'x1', label: 'x₁', op: 'leaf', inputs: [], col: 0, row: 0 },
  { id: 'w1', label: 'w₁', op: 'leaf', inputs: [], col: 0, row: 1 },
  { id: 'x2', label: 'x₂', op: 'leaf', inputs: [], col: 0, row: 2.2 },
  { id: 'w2', label: 'w₂', op: 'leaf', inputs: [], col: 0, row: 3.2 },
  { id: 'm1', label: 'x₁·w₁', op: 'mul', inputs: ['x1', 'w1'], col: 1, row: 0.5 },
  { id: 'm2', label: 'x₂·w₂', op: 'mul', inputs: ['x2', 'w2'], col: 1, row: 2.7 },
  { id: 's', label: '+', op: 'add', inputs: ['m1', 'm2'], col: 2, row: 1.6 },
  { id: 'b', label: 'b', op: 'leaf', inputs: [], col: 2, row: 3.4 },
  { id: 'z', label: 'z = · + b', op: 'add', inputs: ['s', 'b'], col: 3, row: 2.2 },
  { id: 'a', label: 'a = act(z)', op: 'act', inputs: ['z'], col: 4, row: 2.2 },
  { id: 't', label: 't (target)', op: 'leaf', inputs: [], col: 4, row: 3.6 },
  { id: 'd', label: 'a − t', op: 'sub', inputs: ['a', 't'], col: 5, row: 2.6 },
  { id: 'L', label: 'L = (·)²', op: 'square', inputs: ['d'], col: 6, row: 2.6 },
];

/** Every node's value and dL/d(node), and every edge's local derivative d(to)/d(from), as numbers. */
export interface GraphValues {
  values: Record<string, number>;
  grads: Record<string, number>;
  /** Keyed "from>to". */
  local: Record<string, number>;
}

function apply(node: GraphNode, ins: Tensor[], act: Activation): Tensor {
  switch (node.op) {
    case 'mul':
      return ins[0].mul(ins[1]);
    case 'add':
      return ins[0].add(ins[1]);
    case 'sub':
      return ins[0].sub(ins[1]);
    case 'square':
      return ins[0].square();
    case 'act':
      return ins[0][act]();
    case 'leaf':
      throw new Error(`${node.id} is a leaf`);
  }
}

/**
 * The forward pass over the graph from leaf tensors. A `probe` (zero) added to each operation's output
 * changes nothing forward, and the gradient of L with respect to it is dL/d(that node).
 */
function forward(leaves: Record<string, Tensor>, act: Activation, probes?: Record<string, Tensor>) {
  const v: Record<string, Tensor> = { ...leaves };
  for (const n of NODES) {
    if (n.op === 'leaf') continue;
    const out = apply(
      n,
      n.inputs.map((i) => v[i]),
      act,
    );
    v[n.id] = probes ? out.add(probes[n.id]) : out;
  }
  return v;
}

export async function evaluateGraph(
  gb: Context,
  leafValues: Record<Leaf, number>,
  act: Activation,
): Promise<GraphValues> {
  const inner = NODES.filter((n) => n.op !== 'leaf');
  const edges = inner.flatMap((n) => n.inputs.map((from) => [from, n] as const));
  const all = gb.tidy(() => {
    const leaves = Object.fromEntries(LEAVES.map((k) => [k, gb.tensor([leafValues[k]])]));
    const values = forward(leaves, act);
    // dL/d(leaf) and dL/d(inner node) from one reverse pass, through the probes.
    const probes = inner.map(() => gb.zeros([1]));
    const grads = gb.grad((...args: Tensor[]) => {
      const l = Object.fromEntries(LEAVES.map((k, i) => [k, args[i]]));
      const p = Object.fromEntries(inner.map((n, i) => [n.id, args[LEAVES.length + i]]));
      return forward(l, act, p).L.sum();
    })(...LEAVES.map((k) => leaves[k]), ...probes);
    // Each edge's local derivative d(to)/d(from), at the forward values.
    const local = edges.map(([from, to]) => {
      const at = to.inputs.map((i) => values[i]);
      const k = to.inputs.indexOf(from);
      return gb.grad((...ins: Tensor[]) => apply(to, ins, act).sum())(...at)[k];
    });
    return gb.concat([...NODES.map((n) => values[n.id]), ...grads, ...local]);
  });
  const d = Array.from(await all.data());
  all.dispose();
  const order = [...LEAVES, ...inner.map((n) => n.id)];
  return {
    values: Object.fromEntries(NODES.map((n, i) => [n.id, d[i]])),
    grads: Object.fromEntries(order.map((id, i) => [id, d[NODES.length + i]])),
    local: Object.fromEntries(
      edges.map(([from, to], i) => [`${from}>${to.id}`, d[NODES.length + order.length + i]]),
    ),
  };
}
