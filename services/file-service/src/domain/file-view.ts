import type { FileItem } from '@pixelvault/core';

interface VariantView {
  width: number;
  height: number;
}

/** A file as its owner sees it: no storage keys, owner, counters or bookkeeping. */
export interface PublicFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  state: FileItem['state'];
  width?: number;
  height?: number;
  format?: string;
  variants?: { thumbnail?: VariantView; preview?: VariantView };
  rejection?: { reason: string; detail?: string };
  createdAt: string;
  updatedAt: string;
}

const variantView = (variant: { width: number; height: number } | undefined) =>
  variant === undefined ? undefined : { width: variant.width, height: variant.height };

export function publicFile(item: FileItem): PublicFile {
  const thumbnail = variantView(item.variants?.thumbnail);
  const preview = variantView(item.variants?.preview);
  return {
    id: item.fileId,
    name: item.name,
    contentType: item.contentType,
    size: item.size,
    sha256: item.sha256,
    state: item.state,
    ...(item.width === undefined ? {} : { width: item.width }),
    ...(item.height === undefined ? {} : { height: item.height }),
    ...(item.format === undefined ? {} : { format: item.format }),
    ...(item.variants === undefined
      ? {}
      : {
          variants: {
            ...(thumbnail === undefined ? {} : { thumbnail }),
            ...(preview === undefined ? {} : { preview }),
          },
        }),
    ...(item.rejection === undefined ? {} : { rejection: item.rejection }),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
