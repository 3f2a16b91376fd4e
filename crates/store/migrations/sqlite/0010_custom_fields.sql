-- Definitions of custom fields (PRODUCT.md §12). The values live in columns `cf_<name>` that the
-- application adds to the kind's table when a field is defined (see store/src/custom_fields.rs).
CREATE TABLE custom_fields (
    id BLOB PRIMARY KEY,
    record_kind TEXT NOT NULL,
    name TEXT NOT NULL,
    field_type TEXT NOT NULL,
    choices TEXT NOT NULL,
    reference_kind TEXT,
    required INTEGER NOT NULL,
    in_list INTEGER NOT NULL,
    label_fa TEXT NOT NULL,
    label_en TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (record_kind, name)
);
