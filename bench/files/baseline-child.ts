/**
 * The baseline in a process of its own (pipeline.ts forks it): processImage in-process on the cached bench photos,
 * so it can run on the same cores as the processor it is compared with.
 */
import { answerParent } from './child';
import { benchPhotos } from './photos';
import { processInProcess } from './pipeline';

export interface BaselineRequest {
  count: number;
  concurrency: number;
}

answerParent(async ({ count, concurrency }: BaselineRequest) =>
  processInProcess(await benchPhotos(count, () => undefined), concurrency),
);
