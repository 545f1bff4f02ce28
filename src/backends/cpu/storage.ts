// The CPU backend's storage: a Float32Array and its length.
// Kept apart so every CPU kernel module can name it without importing the backend.
import type { Storage } from '../backend';

export interface CpuStorage extends Storage {
  readonly data: Float32Array;
}
