import { healthHandler } from '@pixelvault/core';

export const handler = healthHandler('auth-service');
