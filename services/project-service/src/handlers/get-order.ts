import { callerOf, httpHandler, notFound, ORDER_ID_PATTERN } from '@pixelvault/core';
import { findOrder, orderDownloads } from '../adapters/orders';
import { orderView, requirePartner } from '../domain/ordering';

/** GET /v1/orders/{id} (partner, orders:read): the order with fresh download URLs; other tenants' are 404. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  requirePartner(caller, 'read');
  const orderId = event.pathParameters?.id ?? '';
  const order = ORDER_ID_PATTERN.test(orderId) ? await findOrder(caller.tenantId, orderId) : undefined;
  if (!order) throw notFound('Order');
  const { documents, files } = await orderDownloads(order);
  return {
    statusCode: 200,
    headers: { 'cache-control': 'no-store' },
    body: orderView(order, documents, files),
  };
});
