import { healthHandler } from '@pixelvault/core';

export const handler = healthHandler('file-service');
