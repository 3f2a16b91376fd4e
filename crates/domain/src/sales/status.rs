//! Statuses of quotes, orders and invoices and the moves between them.
//!
//! People move a document only along [`may_move`]; conversion (quote → order → invoice) and
//! payments set the other statuses. A document whose discounts await a manager's approval can
//! neither move nor be converted until it is approved.

/// Statuses of a quote (پیش‌فاکتور).
pub const QUOTE_STATUSES: &[&str] = &["draft", "sent", "accepted", "rejected"];
/// Statuses of an order.
pub const ORDER_STATUSES: &[&str] = &["confirmed", "delivered"];
/// Statuses of an invoice; `partly_paid` and `paid` follow from payments.
pub const INVOICE_STATUSES: &[&str] = &["issued", "partly_paid", "paid", "cancelled"];
/// Where a document stands with discount approval.
pub const APPROVAL_STATES: &[&str] = &["not_required", "pending", "approved"];
/// How a payment was made.
pub const PAYMENT_METHODS: &[&str] = &["cash", "card", "transfer", "cheque", "other"];

/// The three kinds of sales document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A quote (پیش‌فاکتور).
    Quote,
    /// A sales order.
    Order,
    /// An invoice.
    Invoice,
}

impl DocumentKind {
    /// Every kind, in the order a sale goes through them.
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::Quote,
        DocumentKind::Order,
        DocumentKind::Invoice,
    ];

    /// The stable code (as in the lines table and the counters).
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Quote => "quote",
            DocumentKind::Order => "order",
            DocumentKind::Invoice => "invoice",
        }
    }

    /// The status a new document starts in.
    pub fn initial_status(self) -> &'static str {
        match self {
            DocumentKind::Quote => "draft",
            DocumentKind::Order => "confirmed",
            DocumentKind::Invoice => "issued",
        }
    }

    /// The prefix of its numbers (`Q-TEH-1405-000123`).
    pub fn number_prefix(self) -> &'static str {
        match self {
            DocumentKind::Quote => "Q",
            DocumentKind::Order => "SO",
            DocumentKind::Invoice => "INV",
        }
    }

    /// Every status of this kind.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            DocumentKind::Quote => QUOTE_STATUSES,
            DocumentKind::Order => ORDER_STATUSES,
            DocumentKind::Invoice => INVOICE_STATUSES,
        }
    }
}

/// Whether a person may move a document of `kind` from `from` to `to`. Paid and partly paid
/// are reached only by recording payments; an invoice can be cancelled only before any payment
/// (the caller checks the paid amount).
pub fn may_move(kind: DocumentKind, from: &str, to: &str) -> bool {
    matches!(
        (kind, from, to),
        (DocumentKind::Quote, "draft", "sent")
            | (DocumentKind::Quote, "sent", "accepted" | "rejected")
            | (DocumentKind::Quote, "draft", "rejected")
            | (DocumentKind::Order, "confirmed", "delivered")
            | (DocumentKind::Invoice, "issued", "cancelled")
    )
}

/// Whether the lines of a document in `status` may still change: only before the document
/// has gone out (a draft quote), while an order is not yet delivered, and while an invoice has
/// no payment.
pub fn lines_editable(kind: DocumentKind, status: &str) -> bool {
    matches!(
        (kind, status),
        (DocumentKind::Quote, "draft")
            | (DocumentKind::Order, "confirmed")
            | (DocumentKind::Invoice, "issued")
    )
}

/// Whether a document in `status` may become the next kind of document: an accepted (or sent,
/// which accepts it) quote into an order, a confirmed or delivered order into an invoice.
pub fn may_convert(kind: DocumentKind, status: &str) -> bool {
    matches!(
        (kind, status),
        (DocumentKind::Quote, "sent" | "accepted")
            | (DocumentKind::Order, "confirmed" | "delivered")
    )
}

/// The status of an invoice with `total` due and `paid` received.
pub fn invoice_status_after_payments(total: i64, paid: i64) -> &'static str {
    if paid <= 0 {
        "issued"
    } else if paid < total {
        "partly_paid"
    } else {
        "paid"
    }
}

/// The approval state of a document whose largest line discount is `max_discount_bp`, written
/// by someone whose role allows `limit_bp`.
pub fn approval_needed(max_discount_bp: i64, limit_bp: i64) -> &'static str {
    if max_discount_bp > limit_bp {
        "pending"
    } else {
        "not_required"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_moves_are_allowed() {
        use DocumentKind::*;
        assert!(may_move(Quote, "draft", "sent"));
        assert!(may_move(Quote, "sent", "accepted"));
        assert!(!may_move(Quote, "accepted", "draft"));
        assert!(!may_move(Quote, "rejected", "accepted"));
        assert!(may_move(Order, "confirmed", "delivered"));
        assert!(!may_move(Order, "delivered", "confirmed"));
        assert!(may_move(Invoice, "issued", "cancelled"));
        assert!(!may_move(Invoice, "issued", "paid"));
        assert!(!may_move(Invoice, "paid", "cancelled"));
        for kind in DocumentKind::ALL {
            assert!(kind.statuses().contains(&kind.initial_status()));
            for from in kind.statuses() {
                assert!(!may_move(kind, from, from), "{from}");
            }
        }
    }

    #[test]
    fn payments_decide_the_invoice_status() {
        assert_eq!(invoice_status_after_payments(1000, 0), "issued");
        assert_eq!(invoice_status_after_payments(1000, 1), "partly_paid");
        assert_eq!(invoice_status_after_payments(1000, 1000), "paid");
        assert_eq!(invoice_status_after_payments(0, 0), "issued");
    }

    #[test]
    fn discounts_above_the_limit_wait_for_approval() {
        assert_eq!(approval_needed(1000, 1000), "not_required");
        assert_eq!(approval_needed(1001, 1000), "pending");
        assert_eq!(approval_needed(0, 0), "not_required");
    }
}
