/**
 * The icon a listing row shows, from the entry's type and its name's extension. The extension only
 * picks a picture: nothing about how a file is served depends on it.
 */
import type { IconKind } from './page-model.js';

const KIND_BY_EXTENSION = new Map<string, IconKind>();
const EXTENSIONS: Record<Exclude<IconKind, 'folder' | 'file'>, string> = {
  image: 'jpg jpeg png gif webp avif heic heif bmp tif tiff svg ico raw cr2 nef arw dng',
  video: 'mp4 m4v mov avi mkv webm wmv flv mpg mpeg 3gp ts mts m2ts',
  audio: 'mp3 m4a aac wav flac ogg oga opus wma aif aiff mid midi',
  document: 'pdf doc docx odt rtf txt md xls xlsx ods csv ppt pptx odp pages numbers key epub',
  archive: 'zip rar 7z tar gz tgz bz2 xz zst iso dmg',
  code: 'js mjs cjs ts tsx jsx json html htm css scss xml yml yaml toml ini sh bat ps1 py rb go rs java kt c h cc cpp hpp cs swift php sql',
};
for (const [kind, list] of Object.entries(EXTENSIONS)) {
  for (const extension of list.split(' ')) KIND_BY_EXTENSION.set(extension, kind as IconKind);
}

/** The icon for an entry called `name`: "folder" for folders, "file" when the extension says nothing. */
export function iconKindFor(name: string, type: 'file' | 'dir'): IconKind {
  if (type === 'dir') return 'folder';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'file';
  return KIND_BY_EXTENSION.get(name.slice(dot + 1).toLowerCase()) ?? 'file';
}
