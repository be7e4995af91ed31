import { callerOf, httpHandler } from '@pixelvault/core';
import { placeOrder } from '../adapters/order-placement';
import { orderDownloads } from '../adapters/orders';
import { orderView, placeOrderBody, requirePartner } from '../domain/ordering';

/**
 * POST /v1/orders (partner, orders:write) `{externalOrderId, userId|sessionId, projectIds, retainUntil?}`:
 * 201 with the order; the same request again 200 with the same order; a different one under the same
 * externalOrderId 409.
 */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    requirePartner(caller, 'write');
    const { order, replayed } = await placeOrder(caller.tenantId, caller.sub, body);
    const { documents, files } = await orderDownloads(order);
    return {
      statusCode: replayed ? 200 : 201,
      headers: { 'cache-control': 'no-store' },
      body: orderView(order, documents, files),
    };
  },
  { body: placeOrderBody },
);
