/**
 * A CRI runtime.v1 client over gRPC (./cri.proto, loaded with @grpc/proto-loader): one typed
 * function per call isoprobe makes, each bounded by a gRPC deadline of its own (a runtime that
 * does not answer is a CriError naming the call, never a hang). Messages are plain objects with
 * the proto's field names in lowerCamelCase (keepCase false), the same names a podConfig or
 * containerConfig merge patch uses; enums are sent and read as their names.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { REPO_ROOT } from '../../host/paths.js';

export const PROTO_FILE = path.join(REPO_ROOT, 'targets/cri/cri.proto');

/** Per call: most answer in milliseconds; creating a sandbox runs the pause container (and CNI). */
export const CRI_BOUNDS_MS = { version: 5_000, sandbox: 60_000, container: 30_000, status: 10_000, list: 10_000, stop: 30_000, remove: 30_000 };

export type Json = Record<string, unknown>;

export class CriError extends Error {
  readonly code = 'ECRI';
  constructor(
    readonly call: string,
    readonly grpcCode: number | undefined,
    message: string,
  ) {
    super(`CRI ${call}: ${message}`);
  }
  get notFound(): boolean {
    return this.grpcCode === grpc.status.NOT_FOUND;
  }
  get unreachable(): boolean {
    return this.grpcCode === grpc.status.UNAVAILABLE || this.grpcCode === grpc.status.DEADLINE_EXCEEDED;
  }
}

type Unary = (req: Json, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res: Json) => void) => void;
type Service = grpc.Client & Record<string, Unary>;

let definition: grpc.GrpcObject | null = null;
function proto(): grpc.GrpcObject {
  definition ??= grpc.loadPackageDefinition(loader.loadSync(PROTO_FILE, { keepCase: false, enums: String, longs: Number, defaults: true }));
  return definition;
}

/** A unix:///path or unix:/path endpoint, as kubelet's --container-runtime-endpoint names one. */
export function endpointTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return `unix:${endpoint.slice('unix://'.length)}`;
  if (endpoint.startsWith('/')) return `unix:${endpoint}`;
  return endpoint;
}

export class CriClient {
  private readonly runtime: Service;
  private readonly images: Service;

  constructor(readonly endpoint: string) {
    const v1 = (proto().runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const make = (name: string) =>
      new (v1[name] as grpc.ServiceClientConstructor)(endpointTarget(endpoint), grpc.credentials.createInsecure()) as unknown as Service;
    this.runtime = make('RuntimeService');
    this.images = make('ImageService');
  }

  close(): void {
    this.runtime.close();
    this.images.close();
  }

  private call<T = Json>(svc: Service, method: string, req: Json, ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
      svc[method].call(svc, req, { deadline: new Date(Date.now() + ms) }, (e, res) => {
        if (e) reject(new CriError(method, e.code, e.details || e.message));
        else resolve(res as T);
      });
    });
  }

  version(ms = CRI_BOUNDS_MS.version) {
    return this.call<{ version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>(
      this.runtime,
      'Version',
      { version: 'v1' },
      ms,
    );
  }

  async runPodSandbox(config: Json, runtimeHandler: string): Promise<string> {
    const r = await this.call<{ podSandboxId: string }>(this.runtime, 'RunPodSandbox', { config, runtimeHandler }, CRI_BOUNDS_MS.sandbox);
    return r.podSandboxId;
  }

  stopPodSandbox(podSandboxId: string) {
    return this.call(this.runtime, 'StopPodSandbox', { podSandboxId }, CRI_BOUNDS_MS.stop);
  }

  removePodSandbox(podSandboxId: string) {
    return this.call(this.runtime, 'RemovePodSandbox', { podSandboxId }, CRI_BOUNDS_MS.remove);
  }

  podSandboxStatus(podSandboxId: string) {
    return this.call<{ status: Json; info: Record<string, string> }>(this.runtime, 'PodSandboxStatus', { podSandboxId, verbose: true }, CRI_BOUNDS_MS.status);
  }

  async listPodSandbox(labelSelector: Record<string, string>): Promise<{ id: string; labels: Record<string, string> }[]> {
    const r = await this.call<{ items: { id: string; labels: Record<string, string> }[] }>(
      this.runtime,
      'ListPodSandbox',
      { filter: { labelSelector } },
      CRI_BOUNDS_MS.list,
    );
    return r.items;
  }

  async createContainer(podSandboxId: string, config: Json, sandboxConfig: Json): Promise<string> {
    const r = await this.call<{ containerId: string }>(this.runtime, 'CreateContainer', { podSandboxId, config, sandboxConfig }, CRI_BOUNDS_MS.container);
    return r.containerId;
  }

  startContainer(containerId: string) {
    return this.call(this.runtime, 'StartContainer', { containerId }, CRI_BOUNDS_MS.container);
  }

  removeContainer(containerId: string) {
    return this.call(this.runtime, 'RemoveContainer', { containerId }, CRI_BOUNDS_MS.remove);
  }

  async listContainers(labelSelector: Record<string, string>): Promise<{ id: string; podSandboxId: string; state: string }[]> {
    const r = await this.call<{ containers: { id: string; podSandboxId: string; state: string }[] }>(
      this.runtime,
      'ListContainers',
      { filter: { labelSelector } },
      CRI_BOUNDS_MS.list,
    );
    return r.containers;
  }

  containerStatus(containerId: string) {
    return this.call<{
      status: { id: string; state: string; exitCode: number; reason: string; message: string; logPath: string; finishedAt: number };
      info: Record<string, string>;
    }>(this.runtime, 'ContainerStatus', { containerId, verbose: true }, CRI_BOUNDS_MS.status);
  }

  async listImages(): Promise<{ id: string; repoTags: string[] }[]> {
    const r = await this.call<{ images: { id: string; repoTags: string[] }[] }>(this.images, 'ListImages', {}, CRI_BOUNDS_MS.list);
    return r.images;
  }

  removeImage(image: string) {
    return this.call(this.images, 'RemoveImage', { image: { image } }, CRI_BOUNDS_MS.remove);
  }
}
