// Orders of the demo store (streams order-…): status, items and total.
// A plain object of handlers; each returns the new state instead of mutating it.
({
    $init: () => ({
        orderId: null,
        accountId: null,
        status: 'none',
        items: [],
        itemCount: 0,
        total: 0,
        paid: 0,
        refunded: 0,
        shipment: null
    }),
    OrderPlaced: (s, e) => Object.assign({}, s, {
        orderId: e.data.orderId,
        accountId: e.data.accountId,
        customerId: e.data.customerId,
        channel: e.data.channel,
        currency: e.data.currency,
        placedAt: e.time,
        status: 'placed'
    }),
    ItemAdded: (s, e) => {
        const items = s.items.concat([{
            sku: e.data.sku,
            name: e.data.name,
            quantity: e.data.quantity,
            unitPrice: e.data.unitPrice,
            lineTotal: e.data.lineTotal
        }]);
        return Object.assign({}, s, { items: items, itemCount: items.length, total: e.data.total });
    },
    OrderConfirmed: (s, e) => Object.assign({}, s, { status: 'confirmed', total: e.data.total }),
    PaymentCaptured: (s, e) => Object.assign({}, s, { status: 'paid', paid: e.data.amount, paymentId: e.data.paymentId }),
    PaymentFailed: (s, e) => Object.assign({}, s, { status: 'payment-failed', failure: e.data.reason }),
    OrderCancelled: (s, e) => Object.assign({}, s, { status: 'cancelled', cancelReason: e.data.reason }),
    OrderShipped: (s, e) => Object.assign({}, s, {
        status: 'shipped',
        shipment: { id: e.data.shipmentId, carrier: e.data.carrier, trackingNumber: e.data.trackingNumber }
    }),
    OrderCompleted: (s, e) => Object.assign({}, s, { status: 'completed', completedAt: e.time }),
    OrderRefunded: (s, e) => Object.assign({}, s, { status: 'refunded', refunded: e.data.amount, refundReason: e.data.reason })
})
