/**
 * The file-system layer of the core: the backend contract, its errors, the path resolver and the
 * two backends (one folder as `/`, or several folders under a virtual `/`).
 */
export type { FileInfo, FileSystem, ReadAhead, ReadableFile, UploadMode, UploadTarget } from './file-system.js';
export { readFileStream } from './file-stream.js';
export { FsError, isFsError, toFsError, type FsErrorCode } from './fs-error.js';
export {
  ftpComponents,
  hostPlatform,
  isInside,
  nameProblem,
  pathFor,
  resolveFtpPath,
  splitFtpPath,
  toHostPath,
  validateName,
  type HostPlatform,
} from './safe-path.js';
export { PhysicalFileSystem, type PhysicalFileSystemOptions } from './physical.js';
export { isUploadTempName } from './upload-target.js';
export { VirtualFileSystem, mountNames, type VirtualFileSystemOptions } from './virtual.js';
export { SwitchableFileSystem, type LiveFileSystem } from './switchable.js';
