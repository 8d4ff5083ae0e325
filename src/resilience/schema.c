/* The schema of resilience/ (module "resilience"): one generic table of versioned register
 * records (docs/internals/resilience.md says why one table and not one per register). */
#include "resilience/register.h"

static const struct store_migration resilience_steps[] = {
    {1, "register records",
     "CREATE TABLE resil_record ("
     " id TEXT NOT NULL,"
     " version INTEGER NOT NULL,"
     " reg TEXT NOT NULL,"
     " org_id TEXT NOT NULL REFERENCES org (id),"
     " rkey TEXT NOT NULL,"
     " is_current INTEGER NOT NULL,"
     " valid_from BIGINT NOT NULL,"
     " valid_to BIGINT,"
     " body TEXT NOT NULL,"
     " created_at BIGINT NOT NULL,"
     " created_by TEXT NOT NULL,"
     " updated_by TEXT NOT NULL,"
     " k1 TEXT NOT NULL, k2 TEXT NOT NULL, k3 TEXT NOT NULL, k4 TEXT NOT NULL, k5 TEXT NOT NULL,"
     " k6 TEXT NOT NULL,"
     " x1 BIGINT NOT NULL, x2 BIGINT NOT NULL, x3 BIGINT NOT NULL,"
     " PRIMARY KEY (id, version));"
     "CREATE UNIQUE INDEX resil_record_key ON resil_record (reg, org_id, rkey) WHERE is_current = "
     "1;"
     "CREATE INDEX resil_record_org ON resil_record (reg, is_current, org_id, valid_from, id);"
     "CREATE INDEX resil_record_upd ON resil_record (reg, is_current, valid_from, id);"
     "CREATE INDEX resil_record_k1 ON resil_record (reg, is_current, k1, id);"
     "CREATE INDEX resil_record_k2 ON resil_record (reg, is_current, k2, id);"
     "CREATE INDEX resil_record_k3 ON resil_record (reg, is_current, k3, id);"
     "CREATE INDEX resil_record_x1 ON resil_record (reg, is_current, x1, id);"
     "CREATE INDEX resil_record_asof ON resil_record (reg, org_id, valid_from)"},
};

const struct store_schema resilience_schema = {"resilience", resilience_steps,
                                               FS_ARRAY_SIZE(resilience_steps)};
