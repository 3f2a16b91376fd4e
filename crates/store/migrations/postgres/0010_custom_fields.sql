-- Definitions of custom fields (PRODUCT.md §12). The values live in columns `cf_<name>` that the
-- application adds to the kind's table when a field is defined (see store/src/custom_fields.rs).
CREATE TABLE custom_fields (
    id UUID PRIMARY KEY,
    record_kind TEXT NOT NULL,
    name TEXT NOT NULL,
    field_type TEXT NOT NULL,
    choices TEXT NOT NULL,
    reference_kind TEXT,
    required BOOLEAN NOT NULL,
    in_list BOOLEAN NOT NULL,
    label_fa TEXT NOT NULL,
    label_en TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (record_kind, name)
);
