/* The schema of the intelligence products (module "products"). */
#include "products/internal.h"

static const struct store_migration products_steps[] = {
    {1, "publications, subscriptions, periodic reports, ATT&CK",
     "CREATE TABLE products_publication ("
     " id TEXT PRIMARY KEY, ref TEXT NOT NULL UNIQUE, type TEXT NOT NULL, status TEXT NOT NULL,"
     " version BIGINT NOT NULL, tlp TEXT NOT NULL, fields TEXT NOT NULL, stix_id TEXT,"
     " collection TEXT, author TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL, published_at BIGINT, first_published_at BIGINT,"
     " imported INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX products_publication_first ON products_publication (first_published_at);"
     "CREATE TABLE products_subscription ("
     " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES org (id), channel TEXT NOT NULL,"
     " target TEXT NOT NULL, types TEXT NOT NULL, created_at BIGINT NOT NULL);"
     "CREATE TABLE products_periodic ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, period TEXT NOT NULL, data TEXT NOT NULL,"
     " html_zh TEXT NOT NULL, html_en TEXT NOT NULL, pdf_zh BLOB NOT NULL, pdf_en BLOB NOT NULL,"
     " made_at BIGINT NOT NULL, made_by TEXT NOT NULL);"
     "CREATE INDEX products_periodic_made ON products_periodic (made_at);"
     "CREATE TABLE products_attack ("
     " technique TEXT PRIMARY KEY, stix_id TEXT NOT NULL, name TEXT NOT NULL,"
     " tactics TEXT NOT NULL, domain TEXT NOT NULL, revoked INTEGER NOT NULL);"
     "CREATE TABLE products_attack_tactic ("
     " shortname TEXT NOT NULL, domain TEXT NOT NULL, tactic TEXT NOT NULL, name TEXT NOT NULL,"
     " PRIMARY KEY (shortname, domain));"
     "CREATE TABLE products_attack_tag ("
     " kind TEXT NOT NULL, ref TEXT NOT NULL, technique TEXT NOT NULL, at BIGINT NOT NULL,"
     " by_user TEXT NOT NULL, PRIMARY KEY (kind, ref, technique))"},
};

const struct store_schema products_schema = {"products", products_steps,
                                             FS_ARRAY_SIZE(products_steps)};
