import { Metrics } from '@aws-lambda-powertools/metrics';

/** One EMF metrics emitter per Lambda; namespace and service come from POWERTOOLS_* variables. */
export const metrics = new Metrics();
export { MetricUnit } from '@aws-lambda-powertools/metrics';
