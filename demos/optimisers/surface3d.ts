// The 3-D view of a loss surface: a WebGPU render pipeline on the demo's own device (not gradbox's),
// drawing a mesh of surface values that gradbox computed and the demo read back, with the optimisers'
// paths on it; camera matrices from wgpu-matrix. It renders into a texture whose pixels are copied onto a
// 2-D canvas: presenting a WebGPU canvas loses every device of the page on headless Chromium with
// SwiftShader (gradbox's too). Without WebGPU, the same projection is painted quad by quad on the canvas.
import { mat4, vec3 } from 'wgpu-matrix';

/** A height field: side x side values in [0, 1] (row 0 at the back: the largest y) and a colour per vertex. */
export interface Mesh {
  side: number;
  heights: Float32Array;
  /** RGB in [0, 1] per vertex. */
  colors: Float32Array;
}

/** A polyline on the surface, in mesh coordinates: u, v in [-1, 1] (v up the data's y axis), h in [0, 1]. */
export interface Path3D {
  points: [number, number, number][];
  color: [number, number, number];
}

/** Where the camera looks from: yaw around the vertical axis and pitch above the plane, in radians. */
export interface Camera {
  yaw: number;
  pitch: number;
}

export interface SurfaceRenderer {
  kind: 'webgpu' | 'canvas';
  /** Frames drawn so far. */
  frames: number;
  /** Draws a frame; resolves when it is on the canvas (a frame asked for meanwhile replaces this one). */
  draw(mesh: Mesh, paths: readonly Path3D[], camera: Camera): Promise<void>;
  dispose(): void;
}

const HEIGHT = 0.9; // world height of h = 1

/** World position of mesh coordinates: x across, y up, z towards the viewer at yaw 0. */
const world = (u: number, v: number, h: number): [number, number, number] => [u, h * HEIGHT, -v];

function viewProjection(camera: Camera, aspect: number): Float32Array {
  const r = 3.4;
  const eye = [
    r * Math.cos(camera.pitch) * Math.sin(camera.yaw),
    r * Math.sin(camera.pitch) + 0.3,
    r * Math.cos(camera.pitch) * Math.cos(camera.yaw),
  ];
  const proj = mat4.perspective((38 * Math.PI) / 180, aspect, 0.1, 20);
  const view = mat4.lookAt(eye, [0, 0.3, 0], [0, 1, 0]);
  return mat4.multiply(proj, view) as Float32Array;
}

/** Vertices (x, y, z, r, g, b) of the mesh, shaded by a fixed light, and the triangles' indices. */
function meshGeometry(mesh: Mesh): { vertices: Float32Array; indices: Uint32Array } {
  const n = mesh.side;
  const vertices = new Float32Array(n * n * 6);
  const coord = (k: number) => -1 + (2 * k) / (n - 1);
  const light = vec3.normalize([0.4, 1, 0.6]);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const k = j * n + i;
      const h = (a: number, b: number) =>
        mesh.heights[Math.min(n - 1, Math.max(0, b)) * n + Math.min(n - 1, Math.max(0, a))] * HEIGHT;
      const [x, y, z] = world(coord(i), -coord(j), mesh.heights[k]);
      // Normal from central differences: x runs with i, z with j (row 0 is at the back, z = -1).
      const normal = vec3.normalize([
        (h(i - 1, j) - h(i + 1, j)) * (n - 1),
        4,
        (h(i, j - 1) - h(i, j + 1)) * (n - 1),
      ]);
      const shade = 0.55 + 0.45 * Math.max(0, vec3.dot(normal, light));
      vertices.set([x, y, z, ...[0, 1, 2].map((c) => mesh.colors[3 * k + c] * shade)], 6 * k);
    }
  }
  const indices = new Uint32Array((n - 1) * (n - 1) * 6);
  let o = 0;
  for (let j = 0; j + 1 < n; j++) {
    for (let i = 0; i + 1 < n; i++) {
      const a = j * n + i;
      indices.set([a, a + 1, a + n, a + 1, a + n + 1, a + n], o);
      o += 6;
    }
  }
  return { vertices, indices };
}

/** Line-list vertices of the paths, lifted a little above the surface so the depth test keeps them. */
function pathGeometry(paths: readonly Path3D[]): Float32Array {
  const out: number[] = [];
  for (const p of paths) {
    for (let k = 0; k + 1 < p.points.length; k++) {
      for (const [u, v, h] of [p.points[k], p.points[k + 1]]) out.push(...world(u, v, h + 0.02), ...p.color);
    }
  }
  return new Float32Array(out);
}

const WGSL = /* wgsl */ `
struct Uniforms { viewProjection: mat4x4f };
@group(0) @binding(0) var<uniform> uniforms: Uniforms;
struct VertexOut { @builtin(position) position: vec4f, @location(0) color: vec3f };
@vertex fn vs(@location(0) position: vec3f, @location(1) color: vec3f) -> VertexOut {
  return VertexOut(uniforms.viewProjection * vec4f(position, 1.0), color);
}
@fragment fn fs(v: VertexOut) -> @location(0) vec4f { return vec4f(v.color, 1.0); }
`;

/** A WebGPU renderer on `canvas` with its own device, or null when there is no adapter. */
async function webgpuRenderer(canvas: HTMLCanvasElement): Promise<SurfaceRenderer | null> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return null;
  const device = await adapter.requestDevice({ label: 'optimisers 3-D view' });
  const ctx2d = canvas.getContext('2d')!;
  const format: GPUTextureFormat = 'rgba8unorm';
  const [width, height] = [canvas.width, canvas.height];
  const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
  const target = device.createTexture({
    label: 'surface3d colour',
    size: [width, height],
    format,
    usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
  });
  const readback = device.createBuffer({
    label: 'surface3d readback',
    size: bytesPerRow * height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  const image = ctx2d.createImageData(width, height);
  const module = device.createShaderModule({ label: 'surface3d', code: WGSL });
  const pipeline = (topology: GPUPrimitiveTopology) =>
    device.createRenderPipeline({
      label: `surface3d ${topology}`,
      layout: 'auto',
      vertex: {
        module,
        entryPoint: 'vs',
        buffers: [
          {
            arrayStride: 24,
            attributes: [
              { shaderLocation: 0, offset: 0, format: 'float32x3' },
              { shaderLocation: 1, offset: 12, format: 'float32x3' },
            ],
          },
        ],
      },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology, cullMode: 'none' },
      depthStencil: { format: 'depth24plus', depthWriteEnabled: true, depthCompare: 'less-equal' },
    });
  const triangles = pipeline('triangle-list');
  const lines = pipeline('line-list');
  const uniforms = device.createBuffer({
    label: 'surface3d camera',
    size: 64,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const bindGroup = (p: GPURenderPipeline) =>
    device.createBindGroup({
      layout: p.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: uniforms } }],
    });
  const [triangleGroup, lineGroup] = [bindGroup(triangles), bindGroup(lines)];
  const depth = device.createTexture({
    label: 'surface3d depth',
    size: [width, height],
    format: 'depth24plus',
    usage: GPUTextureUsage.RENDER_ATTACHMENT,
  });
  const upload = (label: string, data: Float32Array | Uint32Array, usage: number) => {
    const buffer = device.createBuffer({
      label,
      size: Math.max(16, data.byteLength),
      usage: usage | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  };
  let meshOf: Mesh | null = null;
  let meshBuffers: { vertices: GPUBuffer; indices: GPUBuffer; count: number } | null = null;
  // One frame in flight (the readback buffer is mapped while it lands); a newer request waits for it.
  let inFlight: Promise<void> | null = null;
  let next: (() => Promise<void>) | null = null;
  const frame = async (mesh: Mesh, paths: readonly Path3D[], camera: Camera) => {
    if (mesh !== meshOf) {
      meshBuffers?.vertices.destroy();
      meshBuffers?.indices.destroy();
      const g = meshGeometry(mesh);
      meshBuffers = {
        vertices: upload('surface3d mesh', g.vertices, GPUBufferUsage.VERTEX),
        indices: upload('surface3d triangles', g.indices, GPUBufferUsage.INDEX),
        count: g.indices.length,
      };
      meshOf = mesh;
    }
    device.queue.writeBuffer(uniforms, 0, viewProjection(camera, width / height));
    const pathData = pathGeometry(paths);
    const pathBuffer = upload('surface3d paths', pathData, GPUBufferUsage.VERTEX);
    const encoder = device.createCommandEncoder({ label: 'surface3d frame' });
    const pass = encoder.beginRenderPass({
      colorAttachments: [
        {
          view: target.createView(),
          clearValue: { r: 1, g: 1, b: 1, a: 1 },
          loadOp: 'clear',
          storeOp: 'store',
        },
      ],
      depthStencilAttachment: {
        view: depth.createView(),
        depthClearValue: 1,
        depthLoadOp: 'clear',
        depthStoreOp: 'store',
      },
    });
    pass.setPipeline(triangles);
    pass.setBindGroup(0, triangleGroup);
    pass.setVertexBuffer(0, meshBuffers!.vertices);
    pass.setIndexBuffer(meshBuffers!.indices, 'uint32');
    pass.drawIndexed(meshBuffers!.count);
    if (pathData.length) {
      pass.setPipeline(lines);
      pass.setBindGroup(0, lineGroup);
      pass.setVertexBuffer(0, pathBuffer);
      pass.draw(pathData.length / 6);
    }
    pass.end();
    encoder.copyTextureToBuffer({ texture: target }, { buffer: readback, bytesPerRow }, [width, height]);
    device.queue.submit([encoder.finish()]);
    pathBuffer.destroy();
    await readback.mapAsync(GPUMapMode.READ);
    const pixels = new Uint8Array(readback.getMappedRange());
    for (let y = 0; y < height; y++) {
      image.data.set(pixels.subarray(y * bytesPerRow, y * bytesPerRow + width * 4), y * width * 4);
    }
    readback.unmap();
    ctx2d.putImageData(image, 0, 0);
    renderer.frames++;
  };
  const renderer: SurfaceRenderer = {
    kind: 'webgpu',
    frames: 0,
    draw(mesh, paths, camera) {
      const run = () => frame(mesh, paths, camera);
      if (!inFlight) {
        inFlight = run().finally(() => {
          inFlight = null;
        });
        return inFlight;
      }
      // Drawn after the frame in flight; later requests replace this one.
      next = run;
      return inFlight.then(async () => {
        if (next !== run) return;
        next = null;
        await renderer.draw(mesh, paths, camera);
      });
    },
    dispose() {
      target.destroy();
      readback.destroy();
      meshBuffers?.vertices.destroy();
      meshBuffers?.indices.destroy();
      depth.destroy();
      uniforms.destroy();
      device.destroy();
    },
  };
  return renderer;
}

/** The fallback: the same camera, quads sorted by depth and filled on a 2-D canvas. */
function canvasRenderer(canvas: HTMLCanvasElement): SurfaceRenderer {
  const ctx = canvas.getContext('2d')!;
  const renderer: SurfaceRenderer = {
    kind: 'canvas',
    frames: 0,
    async draw(mesh, paths, camera) {
      const m = viewProjection(camera, canvas.width / canvas.height);
      const { vertices } = meshGeometry(mesh);
      const n = mesh.side;
      const screen = (p: ArrayLike<number>) => {
        const q = vec3.transformMat4([p[0], p[1], p[2]], m);
        return [(q[0] * 0.5 + 0.5) * canvas.width, (0.5 - q[1] * 0.5) * canvas.height, q[2]];
      };
      const proj = Array.from({ length: n * n }, (_, k) => screen(vertices.subarray(6 * k, 6 * k + 3)));
      const quads: { depth: number; k: number }[] = [];
      for (let j = 0; j + 1 < n; j++) {
        for (let i = 0; i + 1 < n; i++) {
          const k = j * n + i;
          const depth = (proj[k][2] + proj[k + 1][2] + proj[k + n][2] + proj[k + n + 1][2]) / 4;
          quads.push({ depth, k });
        }
      }
      quads.sort((a, b) => b.depth - a.depth);
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      for (const { k } of quads) {
        const c = [0, 1, 2].map((o) => Math.round(255 * vertices[6 * k + 3 + o]));
        ctx.fillStyle = ctx.strokeStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
        ctx.beginPath();
        for (const q of [k, k + 1, k + n + 1, k + n]) ctx.lineTo(proj[q][0], proj[q][1]);
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
      }
      ctx.lineWidth = 2;
      for (const p of paths) {
        ctx.strokeStyle = `rgb(${p.color.map((c) => Math.round(255 * c)).join(',')})`;
        ctx.beginPath();
        for (const [u, v, h] of p.points) {
          const [x, y] = screen(world(u, v, h + 0.02));
          ctx.lineTo(x, y);
        }
        ctx.stroke();
      }
      ctx.lineWidth = 1;
      renderer.frames++;
    },
    dispose() {},
  };
  return renderer;
}

/** A WebGPU renderer when the browser has an adapter, else the 2-D canvas one. */
export async function createSurfaceRenderer(canvas: HTMLCanvasElement): Promise<SurfaceRenderer> {
  try {
    const gpu = await webgpuRenderer(canvas);
    if (gpu) return gpu;
  } catch {
    // No usable WebGPU device for drawing: the 2-D fallback shows the same picture.
  }
  return canvasRenderer(canvas);
}
