-- Village clinics, township health centres, county and city hospitals, training bases
-- and technique-promotion centres, each hung on the region tree.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('village_clinic', 'township_center', 'county_hospital',
                                              'city_hospital', 'training_base', 'promotion_center')),
    region_code TEXT NOT NULL REFERENCES regions (code),
    address     TEXT,
    is_demo     BOOLEAN NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (region_code, name)
);
CREATE INDEX organizations_kind ON organizations (kind);
