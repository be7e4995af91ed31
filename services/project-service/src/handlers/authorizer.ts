import { tokenAuthorizerFromEnv } from '@pixelvault/core';

export const handler = tokenAuthorizerFromEnv();
