-- The vehicle image: the object key of the latest upload started (NULL: no image).
ALTER TABLE vehicles ADD COLUMN image_key TEXT, ADD COLUMN image_content_type TEXT;

CREATE TABLE vehicle_documents (
    id            UUID PRIMARY KEY,
    user_id       TEXT NOT NULL,
    vehicle_id    UUID NOT NULL REFERENCES vehicles (id),
    document_type VARCHAR(20) NOT NULL
                  CHECK (document_type IN ('insurance', 'registration', 'manual', 'receipt', 'other')),
    title         VARCHAR(200) NOT NULL,
    expiry_date   DATE,
    storage_key   TEXT NOT NULL UNIQUE,
    content_type  VARCHAR(100) NOT NULL,
    file_name     VARCHAR(255),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX vehicle_documents_by_vehicle ON vehicle_documents (user_id, vehicle_id, created_at);
