// The 3-D cloud's picture: points coloured by their distance from the plane that keeps the most variance,
// that plane, and the three principal axes, seen through an orbiting camera (wgpu-matrix builds its
// matrices). With a GPU device it is a WebGPU render pipeline (its own buffers and textures on gradbox's
// device) whose frame is painted on the demo's canvas; without one, the same camera projects onto a 2-D
// canvas. The frame is read back rather than presented through a 'webgpu' canvas context: presenting one
// loses the device in headless Chromium on SwiftShader (where the tests run), and with it gradbox's work.
import { mat4, vec3 } from 'wgpu-matrix';
import { diverging } from '../shared/draw';

/** What to draw, in data coordinates: points, their signed distance to the plane, the plane and the axes. */
export interface Scene {
  points: Float32Array; // (n, 3)
  /** Per point, the signed distance from the plane scaled to [-1, 1] (its colour). */
  shade: Float32Array;
  /** The plane's four corners (4, 3), in order around it. */
  plane: Float32Array;
  /** Three axes as segments from the mean: (3, 2, 3). */
  axes: Float32Array;
}

/** An orbiting camera: yaw about the vertical, pitch above the horizon, looking at the origin. */
export interface Orbit {
  yaw: number;
  pitch: number;
  distance: number;
}

/** The camera's view-projection matrix (WebGPU clip space, depth in [0, 1]) for a square canvas. */
export function viewProjection(o: Orbit, aspect = 1): Float32Array {
  const eye = [
    o.distance * Math.cos(o.pitch) * Math.sin(o.yaw),
    o.distance * Math.sin(o.pitch),
    o.distance * Math.cos(o.pitch) * Math.cos(o.yaw),
  ];
  const view = mat4.lookAt(eye, [0, 0, 0], [0, 1, 0]);
  const proj = mat4.perspective((40 * Math.PI) / 180, aspect, 0.1, 100);
  return mat4.multiply(proj, view) as Float32Array;
}

/** Draws a Scene on a canvas; `kind` says how. */
export interface CloudRenderer {
  readonly kind: 'webgpu' | 'canvas2d';
  /** Resolves when the frame is on the canvas. */
  draw(scene: Scene, camera: Float32Array): Promise<void>;
  dispose(): void;
}

const AXIS_COLORS = [
  [0.86, 0.15, 0.15],
  [0.09, 0.64, 0.29],
  [0.15, 0.39, 0.92],
];

/** The 2-D fallback: project, sort far to near, paint. */
export class CanvasCloud implements CloudRenderer {
  readonly kind = 'canvas2d';
  constructor(private readonly canvas: HTMLCanvasElement) {}

  async draw(scene: Scene, camera: Float32Array): Promise<void> {
    const ctx = this.canvas.getContext('2d')!;
    const { width: W, height: H } = this.canvas;
    const project = (x: number, y: number, z: number) => {
      const p = vec3.transformMat4([x, y, z], camera);
      return [((p[0] + 1) / 2) * W, ((1 - p[1]) / 2) * H, p[2]];
    };
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    const n = scene.points.length / 3;
    const pts = Array.from({ length: n }, (_, i) => [
      ...project(scene.points[3 * i], scene.points[3 * i + 1], scene.points[3 * i + 2]),
      scene.shade[i],
    ]);
    pts.sort((a, b) => b[2] - a[2]);
    const corners = [0, 1, 2, 3].map((i) =>
      project(scene.plane[3 * i], scene.plane[3 * i + 1], scene.plane[3 * i + 2]),
    );
    ctx.fillStyle = 'rgba(37, 99, 235, 0.16)';
    ctx.strokeStyle = 'rgba(37, 99, 235, 0.6)';
    ctx.beginPath();
    corners.forEach(([x, y], i) => ctx[i ? 'lineTo' : 'moveTo'](x, y));
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    for (const [x, y, , s] of pts) {
      const [r, g, b] = diverging(s);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.strokeStyle = 'rgba(0,0,0,0.35)';
      ctx.beginPath();
      ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    for (let a = 0; a < 3; a++) {
      const [x0, y0] = project(scene.axes[6 * a], scene.axes[6 * a + 1], scene.axes[6 * a + 2]);
      const [x1, y1] = project(scene.axes[6 * a + 3], scene.axes[6 * a + 4], scene.axes[6 * a + 5]);
      const [r, g, b] = AXIS_COLORS[a].map((c) => Math.round(c * 255));
      ctx.strokeStyle = `rgb(${r},${g},${b})`;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
    }
  }

  dispose(): void {}
}

const SHADER = /* wgsl */ `
struct Camera { viewProj: mat4x4f, viewport: vec2f, pointSize: f32, _pad: f32 };
@group(0) @binding(0) var<uniform> camera: Camera;

struct PointOut { @builtin(position) pos: vec4f, @location(0) corner: vec2f, @location(1) shade: f32 };

// Six vertices per point: a square facing the camera, pointSize pixels wide.
@vertex fn pointVertex(@builtin(vertex_index) v: u32, @location(0) point: vec4f) -> PointOut {
  var corners = array<vec2f, 6>(vec2f(-1, -1), vec2f(1, -1), vec2f(1, 1), vec2f(-1, -1), vec2f(1, 1), vec2f(-1, 1));
  let c = corners[v];
  var clip = camera.viewProj * vec4f(point.xyz, 1.0);
  clip = vec4f(clip.xy + c * camera.pointSize / camera.viewport * clip.w, clip.zw);
  return PointOut(clip, c, point.w);
}

// The diverging map of the 2-D demos: blue below the plane, white on it, orange above.
@fragment fn pointFragment(in: PointOut) -> @location(0) vec4f {
  let r2 = dot(in.corner, in.corner);
  if (r2 > 1.0) { discard; }
  let t = clamp(in.shade, -1.0, 1.0);
  var rgb = select(
    vec3f(1.0) + t * (vec3f(1.0) - vec3f(37.0, 99.0, 235.0) / 255.0),
    vec3f(1.0) - t * (vec3f(1.0) - vec3f(249.0, 115.0, 22.0) / 255.0),
    t >= 0.0);
  let edge = select(1.0, 0.55, r2 > 0.6);
  return vec4f(rgb * edge, 1.0);
}

struct LineOut { @builtin(position) pos: vec4f, @location(0) color: vec4f };

@vertex fn flatVertex(@location(0) position: vec3f, @location(1) color: vec4f) -> LineOut {
  return LineOut(camera.viewProj * vec4f(position, 1.0), color);
}

@fragment fn flatFragment(in: LineOut) -> @location(0) vec4f {
  return vec4f(in.color.rgb * in.color.a, in.color.a);
}
`;

/** The WebGPU renderer: instanced point sprites, a translucent plane and three axis lines. */
export class WebGpuCloud implements CloudRenderer {
  readonly kind = 'webgpu';
  private readonly format: GPUTextureFormat = 'rgba8unorm';
  private readonly color: GPUTexture;
  private readonly depth: GPUTexture;
  /** The frame's pixels, rows padded to 256 bytes as copies from textures require. */
  private readonly pixels: GPUBuffer;
  private readonly rowBytes: number;
  private readonly uniforms: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private readonly points: GPURenderPipeline;
  private readonly plane: GPURenderPipeline;
  private readonly lines: GPURenderPipeline;
  private owned: GPUBuffer[] = [];
  // The scene's vertex buffers, made again only when the scene changes (turning the camera reuses them).
  private uploaded: { scene: Scene; points: GPUBuffer; plane: GPUBuffer; axes: GPUBuffer; n: number } | null =
    null;

  constructor(
    private readonly device: GPUDevice,
    private readonly canvas: HTMLCanvasElement,
  ) {
    const { width, height } = canvas;
    this.color = device.createTexture({
      label: 'pca cloud frame',
      size: [width, height],
      format: this.format,
      usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
    });
    this.depth = device.createTexture({
      label: 'pca cloud depth',
      size: [width, height],
      format: 'depth24plus',
      usage: GPUTextureUsage.RENDER_ATTACHMENT,
    });
    this.rowBytes = Math.ceil((4 * width) / 256) * 256;
    this.pixels = device.createBuffer({
      label: 'pca cloud pixels',
      size: this.rowBytes * height,
      usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
    });
    const module = device.createShaderModule({ label: 'pca cloud', code: SHADER });
    this.uniforms = device.createBuffer({
      label: 'pca cloud camera',
      size: 80,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const layout = device.createBindGroupLayout({
      entries: [{ binding: 0, visibility: GPUShaderStage.VERTEX, buffer: { type: 'uniform' } }],
    });
    this.bindGroup = device.createBindGroup({
      layout,
      entries: [{ binding: 0, resource: { buffer: this.uniforms } }],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const depthStencil = (write: boolean): GPUDepthStencilState => ({
      format: 'depth24plus',
      depthWriteEnabled: write,
      depthCompare: 'less',
    });
    const flatBuffers: GPUVertexBufferLayout[] = [
      {
        arrayStride: 28,
        attributes: [
          { shaderLocation: 0, offset: 0, format: 'float32x3' },
          { shaderLocation: 1, offset: 12, format: 'float32x4' },
        ],
      },
    ];
    const blend: GPUBlendState = {
      color: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha' },
      alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha' },
    };
    this.points = device.createRenderPipeline({
      label: 'pca cloud points',
      layout: pipelineLayout,
      vertex: {
        module,
        entryPoint: 'pointVertex',
        buffers: [
          {
            arrayStride: 16,
            stepMode: 'instance',
            attributes: [{ shaderLocation: 0, offset: 0, format: 'float32x4' }],
          },
        ],
      },
      fragment: { module, entryPoint: 'pointFragment', targets: [{ format: this.format }] },
      primitive: { topology: 'triangle-list' },
      depthStencil: depthStencil(true),
    });
    this.plane = device.createRenderPipeline({
      label: 'pca cloud plane',
      layout: pipelineLayout,
      vertex: { module, entryPoint: 'flatVertex', buffers: flatBuffers },
      fragment: { module, entryPoint: 'flatFragment', targets: [{ format: this.format, blend }] },
      primitive: { topology: 'triangle-list' },
      depthStencil: depthStencil(false),
    });
    this.lines = device.createRenderPipeline({
      label: 'pca cloud axes',
      layout: pipelineLayout,
      vertex: { module, entryPoint: 'flatVertex', buffers: flatBuffers },
      fragment: { module, entryPoint: 'flatFragment', targets: [{ format: this.format }] },
      primitive: { topology: 'line-list' },
      depthStencil: depthStencil(true),
    });
  }

  private upload(data: Float32Array, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({
      label,
      size: Math.max(16, data.byteLength),
      usage: usage | GPUBufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(buffer, 0, data);
    this.owned.push(buffer);
    return buffer;
  }

  async draw(scene: Scene, camera: Float32Array): Promise<void> {
    const { width, height } = this.canvas;
    const { points, plane, axes, n } = this.uploadScene(scene);
    const u = new Float32Array(20);
    u.set(camera, 0);
    u.set([width, height, 7], 16);
    this.device.queue.writeBuffer(this.uniforms, 0, u);

    const encoder = this.device.createCommandEncoder({ label: 'pca cloud frame' });
    const pass = encoder.beginRenderPass({
      colorAttachments: [
        {
          view: this.color.createView(),
          clearValue: { r: 1, g: 1, b: 1, a: 1 },
          loadOp: 'clear',
          storeOp: 'store',
        },
      ],
      depthStencilAttachment: {
        view: this.depth.createView(),
        depthClearValue: 1,
        depthLoadOp: 'clear',
        depthStoreOp: 'store',
      },
    });
    pass.setBindGroup(0, this.bindGroup);
    pass.setPipeline(this.points);
    pass.setVertexBuffer(0, points);
    pass.draw(6, n);
    pass.setPipeline(this.lines);
    pass.setVertexBuffer(0, axes);
    pass.draw(6);
    pass.setPipeline(this.plane);
    pass.setVertexBuffer(0, plane);
    pass.draw(6);
    pass.end();
    encoder.copyTextureToBuffer(
      { texture: this.color },
      { buffer: this.pixels, bytesPerRow: this.rowBytes },
      [width, height],
    );
    this.device.queue.submit([encoder.finish()]);
    await this.pixels.mapAsync(GPUMapMode.READ);
    const padded = new Uint8Array(this.pixels.getMappedRange());
    const image = new ImageData(width, height);
    for (let y = 0; y < height; y++) {
      image.data.set(padded.subarray(y * this.rowBytes, y * this.rowBytes + 4 * width), 4 * width * y);
    }
    this.pixels.unmap();
    this.canvas.getContext('2d')!.putImageData(image, 0, 0);
  }

  private uploadScene(scene: Scene) {
    if (this.uploaded?.scene === scene) return this.uploaded;
    for (const b of this.owned) b.destroy();
    this.owned = [];
    const n = scene.points.length / 3;
    const instances = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) {
      instances.set(scene.points.subarray(3 * i, 3 * i + 3), 4 * i);
      instances[4 * i + 3] = scene.shade[i];
    }
    const flat = (pts: number[][], rgba: number[][]) =>
      new Float32Array(pts.flatMap((p, i) => [...p, ...rgba[i]]));
    const corner = (i: number) => Array.from(scene.plane.subarray(3 * i, 3 * i + 3));
    const planeColor = [0.15, 0.39, 0.92, 0.18];
    const planeVertices = flat([0, 1, 2, 0, 2, 3].map(corner), new Array(6).fill(planeColor));
    const axisVertices = flat(
      Array.from({ length: 6 }, (_, i) => Array.from(scene.axes.subarray(3 * i, 3 * i + 3))),
      Array.from({ length: 6 }, (_, i) => [...AXIS_COLORS[Math.floor(i / 2)], 1]),
    );
    this.uploaded = {
      scene,
      n,
      points: this.upload(instances, GPUBufferUsage.VERTEX, 'pca cloud point instances'),
      plane: this.upload(planeVertices, GPUBufferUsage.VERTEX, 'pca cloud plane vertices'),
      axes: this.upload(axisVertices, GPUBufferUsage.VERTEX, 'pca cloud axis vertices'),
    };
    return this.uploaded;
  }

  dispose(): void {
    for (const b of this.owned) b.destroy();
    this.owned = [];
    for (const t of [this.uniforms, this.pixels, this.color, this.depth]) t.destroy();
  }
}
