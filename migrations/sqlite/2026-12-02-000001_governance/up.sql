-- Governance health (guidelines 4.2 items 3 and 10, 4.8, 1): what the findings report needs
-- that the foundation did not keep.
-- A service Sunet produces itself needs no supplier contract.
ALTER TABLE services ADD COLUMN self_produced BOOLEAN NOT NULL DEFAULT 0;
-- When the published catalogue texts and the service documentation were last reviewed (set
-- when they are written, or stated by those who may edit them).
ALTER TABLE services ADD COLUMN catalog_reviewed_at TIMESTAMP;
ALTER TABLE services ADD COLUMN documentation_reviewed_at TIMESTAMP;
-- Information classification (konfidentialitet, riktighet, tillgänglighet), each 1–4, and
-- the last information-security review.
ALTER TABLE services ADD COLUMN security_confidentiality INTEGER CHECK (security_confidentiality BETWEEN 1 AND 4);
ALTER TABLE services ADD COLUMN security_integrity INTEGER CHECK (security_integrity BETWEEN 1 AND 4);
ALTER TABLE services ADD COLUMN security_availability INTEGER CHECK (security_availability BETWEEN 1 AND 4);
ALTER TABLE services ADD COLUMN security_reviewed_at TIMESTAMP;

-- The rates the controller records for the economics report: SEK per one unit of a currency
-- in a year, exactly, in millionths (EUR 11.4250 is 11425000).
CREATE TABLE exchange_rates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency <> 'SEK'),
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    sek_per_unit_micro BIGINT NOT NULL CHECK (sek_per_unit_micro > 0),
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (currency, year)
);
