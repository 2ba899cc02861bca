// Accounts of the demo store (streams account-…): balance, totals and status.
// EventStoreDB projection style; EventScope folds one stream at a time, so fromCategory only names the domain.
fromCategory('account').when({
    $init: function () {
        return {
            accountId: null,
            owner: null,
            kind: null,
            currency: null,
            status: 'new',
            balance: 0,
            deposited: 0,
            withdrawn: 0,
            transactions: 0,
            lastOrderId: null
        };
    },
    AccountOpened: function (s, e) {
        s.accountId = e.data.accountId;
        s.owner = e.data.owner;
        s.tenant = e.data.tenant;
        s.kind = e.data.kind;
        s.currency = e.data.currency;
        s.status = 'open';
        s.openedAt = e.time;
    },
    FundsDeposited: function (s, e) {
        s.balance += e.data.amount;
        s.deposited += e.data.amount;
        s.transactions += 1;
        if (e.data.orderId)
            s.lastOrderId = e.data.orderId;
    },
    FundsWithdrawn: function (s, e) {
        s.balance -= e.data.amount;
        s.withdrawn += e.data.amount;
        s.transactions += 1;
        if (e.data.orderId)
            s.lastOrderId = e.data.orderId;
    },
    AccountClosed: function (s, e) {
        s.status = 'closed';
        s.closeReason = e.data.reason;
        s.closedAt = e.time;
    }
});
