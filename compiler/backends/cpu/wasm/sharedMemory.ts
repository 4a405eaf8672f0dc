/**
 * Whether a WebAssembly memory is shared. Checked by the buffer's tag: a page that is not
 * cross-origin isolated can create shared memories but has no SharedArrayBuffer global to test with.
 */
export const isSharedMemory = (memory: WebAssembly.Memory): boolean => Object.prototype.toString.call(memory.buffer) === '[object SharedArrayBuffer]';
