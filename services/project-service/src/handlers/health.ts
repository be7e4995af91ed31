import { healthHandler } from '@pixelvault/core';

export const handler = healthHandler('project-service');
