//! Schemas of the sales record kinds (issue 4, PRODUCT.md §3): the catalogue (products and
//! services, bundles, price lists and their prices) and the documents of a sale (quotes,
//! orders, invoices) with their payments.
//!
//! Document lines are not a record kind: they exist only inside their document, change with
//! its totals in one step, and are read and written through the document's own use cases.

use super::{
    BRANCH, CREATED_AT, CUSTOMER_KINDS, FieldDef, FieldType, OWNER, PlacementRule, Schema,
    UPDATED_AT, field, listed, required, searchable, system,
};
use crate::permission::RecordKind;
use crate::sales::status::{
    APPROVAL_STATES, INVOICE_STATUSES, ORDER_STATUSES, PAYMENT_METHODS, QUOTE_STATUSES,
};

/// What a catalogue item is: a product, a service, or a bundle made of products.
pub const PRODUCT_KINDS: &[&str] = &["product", "service", "bundle"];

const PRODUCT_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("code", FieldType::Text)))),
    required(searchable(listed(field("name", FieldType::Text)))),
    required(listed(field(
        "product_kind",
        FieldType::Choice(PRODUCT_KINDS),
    ))),
    listed(field("unit", FieldType::Text)),
    required(listed(field("base_price", FieldType::Money))),
    field("cost_price", FieldType::Money),
    field("tax_rate_bp", FieldType::Percent),
    listed(field("active", FieldType::Bool)),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const PRICE_LIST_FIELDS: &[FieldDef] = &[
    required(searchable(listed(field("name", FieldType::Text)))),
    listed(field("valid_from", FieldType::Date)),
    listed(field("valid_until", FieldType::Date)),
    listed(field("active", FieldType::Bool)),
    field("customer_kinds", FieldType::MultiChoice(CUSTOMER_KINDS)),
    searchable(field("customer_tags", FieldType::Tags)),
    searchable(field("customer_classes", FieldType::Tags)),
    field("description", FieldType::LongText),
    CREATED_AT,
    UPDATED_AT,
];

const PRICE_LIST_ITEM_FIELDS: &[FieldDef] = &[
    required(listed(field(
        "price_list_id",
        FieldType::Reference(RecordKind::PriceList),
    ))),
    required(listed(field(
        "product_id",
        FieldType::Reference(RecordKind::Product),
    ))),
    required(listed(field("unit_price", FieldType::Money))),
    CREATED_AT,
    UPDATED_AT,
];

const BUNDLE_ITEM_FIELDS: &[FieldDef] = &[
    required(listed(field(
        "bundle_id",
        FieldType::Reference(RecordKind::Product),
    ))),
    required(listed(field(
        "product_id",
        FieldType::Reference(RecordKind::Product),
    ))),
    required(listed(field("quantity", FieldType::Integer))),
    CREATED_AT,
    UPDATED_AT,
];

const NUMBER: FieldDef = system(searchable(listed(field("number", FieldType::Text))));
const ACCOUNT: FieldDef = listed(field(
    "account_id",
    FieldType::Reference(RecordKind::Account),
));
const CONTACT: FieldDef = listed(field(
    "contact_id",
    FieldType::Reference(RecordKind::Contact),
));
const ISSUE_DATE: FieldDef = listed(field("issue_date", FieldType::Date));
const APPROVAL: FieldDef = system(field("approval", FieldType::Choice(APPROVAL_STATES)));
const APPROVED_BY: FieldDef = system(field("approved_by", FieldType::Reference(RecordKind::User)));
const MAX_DISCOUNT: FieldDef = system(field("max_discount_bp", FieldType::Percent));
const SUBTOTAL: FieldDef = system(field("subtotal", FieldType::Money));
const DISCOUNT_TOTAL: FieldDef = system(field("discount_total", FieldType::Money));
const TAX_TOTAL: FieldDef = system(field("tax_total", FieldType::Money));
const TOTAL: FieldDef = system(listed(field("total", FieldType::Money)));
const NOTES: FieldDef = searchable(field("description", FieldType::LongText));

const QUOTE_FIELDS: &[FieldDef] = &[
    NUMBER,
    ACCOUNT,
    CONTACT,
    system(listed(field("status", FieldType::Choice(QUOTE_STATUSES)))),
    ISSUE_DATE,
    field("valid_until", FieldType::Date),
    SUBTOTAL,
    DISCOUNT_TOTAL,
    TAX_TOTAL,
    TOTAL,
    MAX_DISCOUNT,
    APPROVAL,
    APPROVED_BY,
    system(field("order_id", FieldType::Reference(RecordKind::Order))),
    // The deal the quote was made from (`App::quote_from_opportunity`), set by the system.
    system(field(
        "opportunity_id",
        FieldType::Reference(RecordKind::Opportunity),
    )),
    NOTES,
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
];

const ORDER_FIELDS: &[FieldDef] = &[
    NUMBER,
    ACCOUNT,
    CONTACT,
    system(listed(field("status", FieldType::Choice(ORDER_STATUSES)))),
    ISSUE_DATE,
    field("delivery_date", FieldType::Date),
    SUBTOTAL,
    DISCOUNT_TOTAL,
    TAX_TOTAL,
    TOTAL,
    MAX_DISCOUNT,
    APPROVAL,
    APPROVED_BY,
    system(field("quote_id", FieldType::Reference(RecordKind::Quote))),
    system(field(
        "invoice_id",
        FieldType::Reference(RecordKind::Invoice),
    )),
    NOTES,
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
];

const INVOICE_FIELDS: &[FieldDef] = &[
    NUMBER,
    ACCOUNT,
    CONTACT,
    system(listed(field("status", FieldType::Choice(INVOICE_STATUSES)))),
    ISSUE_DATE,
    listed(field("due_date", FieldType::Date)),
    SUBTOTAL,
    DISCOUNT_TOTAL,
    TAX_TOTAL,
    TOTAL,
    system(listed(field("paid_total", FieldType::Money))),
    MAX_DISCOUNT,
    APPROVAL,
    APPROVED_BY,
    system(field("order_id", FieldType::Reference(RecordKind::Order))),
    NOTES,
    OWNER,
    BRANCH,
    CREATED_AT,
    UPDATED_AT,
];

const PAYMENT_FIELDS: &[FieldDef] = &[
    required(listed(field(
        "invoice_id",
        FieldType::Reference(RecordKind::Invoice),
    ))),
    required(listed(field("amount", FieldType::Money))),
    required(listed(field("paid_on", FieldType::Date))),
    required(listed(field("method", FieldType::Choice(PAYMENT_METHODS)))),
    searchable(listed(field("reference", FieldType::Text))),
    field("description", FieldType::LongText),
    system(OWNER),
    system(BRANCH),
    CREATED_AT,
    UPDATED_AT,
];

/// The values of one document line as a form or a JSON body gives them (document lines are not
/// a record kind; these definitions only parse and describe their input). Without a unit
/// price the price list's (or the base) price is proposed; without a tax rate, the product's.
pub const LINE_FIELDS: &[FieldDef] = &[
    field("product_id", FieldType::Reference(RecordKind::Product)),
    field("description", FieldType::Text),
    required(field("quantity", FieldType::Integer)),
    field("unit_price", FieldType::Money),
    field("discount_bp", FieldType::Percent),
    field("tax_bp", FieldType::Percent),
];

/// Products and services with their base price and tax rate.
pub const PRODUCTS: Schema = Schema {
    kind: RecordKind::Product,
    table: "products",
    path: "products",
    fields: PRODUCT_FIELDS,
    title_fields: &["code", "name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// Price lists: a set of per-product prices, valid between two dates, for some customers.
pub const PRICE_LISTS: Schema = Schema {
    kind: RecordKind::PriceList,
    table: "price_lists",
    path: "price-lists",
    fields: PRICE_LIST_FIELDS,
    title_fields: &["name"],
    default_sort: "name",
    placement: PlacementRule::Global,
};

/// One product's price on one price list.
pub const PRICE_LIST_ITEMS: Schema = Schema {
    kind: RecordKind::PriceListItem,
    table: "price_list_items",
    path: "price-list-items",
    fields: PRICE_LIST_ITEM_FIELDS,
    title_fields: &[],
    default_sort: "created_at",
    placement: PlacementRule::Global,
};

/// One component of a bundle: a product and how many of it.
pub const BUNDLE_ITEMS: Schema = Schema {
    kind: RecordKind::BundleItem,
    table: "bundle_items",
    path: "bundle-items",
    fields: BUNDLE_ITEM_FIELDS,
    title_fields: &[],
    default_sort: "created_at",
    placement: PlacementRule::Global,
};

/// Quotes (پیش‌فاکتور).
pub const QUOTES: Schema = Schema {
    kind: RecordKind::Quote,
    table: "quotes",
    path: "quotes",
    fields: QUOTE_FIELDS,
    title_fields: &["number"],
    default_sort: "number",
    placement: PlacementRule::OwnerAndBranch,
};

/// Sales orders.
pub const ORDERS: Schema = Schema {
    kind: RecordKind::Order,
    table: "orders",
    path: "orders",
    fields: ORDER_FIELDS,
    title_fields: &["number"],
    default_sort: "number",
    placement: PlacementRule::OwnerAndBranch,
};

/// Invoices.
pub const INVOICES: Schema = Schema {
    kind: RecordKind::Invoice,
    table: "invoices",
    path: "invoices",
    fields: INVOICE_FIELDS,
    title_fields: &["number"],
    default_sort: "number",
    placement: PlacementRule::OwnerAndBranch,
};

/// Payments received against invoices; owner and branch are the invoice's.
pub const PAYMENTS: Schema = Schema {
    kind: RecordKind::Payment,
    table: "payments",
    path: "payments",
    fields: PAYMENT_FIELDS,
    title_fields: &["reference"],
    default_sort: "created_at",
    placement: PlacementRule::OwnerAndBranch,
};
