/**
 * Like Promise.all, but waits for every start to settle before rejecting, so whatever did start
 * has been added to its Stoppers and the caller's clean-up can reach it.
 */
export async function allStarted<T extends readonly unknown[]>(starts: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const results = await Promise.allSettled(starts);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * What has been started, stopped in reverse order; a failing stop does not keep the others running. A stopAll()
 * while another is under way resolves only when that one has finished too (Ctrl-C during a clean-up, say).
 */
export class Stoppers {
  private readonly stops: Array<() => Promise<void> | void> = [];
  private stopping: Promise<void> = Promise.resolve();

  /** An arrow function, so it can be passed as is: `start().then(stoppers.add)`. */
  readonly add = <T extends { stop(): Promise<void> | void }>(running: T): T => {
    this.stops.push(() => running.stop());
    return running;
  };

  stopAll(): Promise<void> {
    this.stopping = this.stopping.then(async () => {
      for (const stop of this.stops.splice(0).reverse()) await Promise.resolve(stop()).catch(() => undefined);
    });
    return this.stopping;
  }
}
