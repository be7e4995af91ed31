import type { ProjectItem } from '@pixelvault/core';

/** A project in a list: no document, no file ids. */
export interface ProjectSummary {
  id: string;
  title: string;
  product: { type: string };
  version: number;
  fileCount: number;
  documentBytes: number;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

/** A project as its owner sees it; `document` only where it was asked for (GET one). */
export interface ProjectView extends ProjectSummary {
  fileIds: string[];
  document?: unknown;
}

export type ProjectFields = Pick<
  ProjectItem,
  | 'projectId'
  | 'title'
  | 'product'
  | 'version'
  | 'fileIds'
  | 'documentBytes'
  | 'createdAt'
  | 'updatedAt'
  | 'expiresAt'
>;

export const projectSummary = (item: ProjectFields): ProjectSummary => ({
  id: item.projectId,
  title: item.title,
  product: { type: item.product.type },
  version: item.version,
  fileCount: item.fileIds.length,
  documentBytes: item.documentBytes,
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
  expiresAt: item.expiresAt,
});

export const projectView = (item: ProjectFields, document?: unknown): ProjectView => ({
  ...projectSummary(item),
  fileIds: item.fileIds,
  ...(document === undefined ? {} : { document }),
});

/** The version as an entity tag, so caches and clients can send it back in If-Match. */
export const versionTag = (version: number) => ({ etag: `"${version}"` });
