/* The SOC's schema (module "soc"): alerts, sector alerts, event sources and their generation,
 * sightings. */
#include "soc/soc_int.h"

static const struct store_migration soc_steps[] = {
    {1, "alerts, sector alerts, sources",
     "CREATE TABLE soc_alert ("
     " id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, org_id TEXT NOT NULL REFERENCES org (id),"
     " kind TEXT NOT NULL, ref TEXT NOT NULL, ref_name TEXT NOT NULL, severity TEXT NOT NULL,"
     " dedup TEXT NOT NULL, field TEXT, value TEXT, event TEXT NOT NULL, source TEXT NOT NULL,"
     " event_at BIGINT, first_at BIGINT NOT NULL, last_at BIGINT NOT NULL, count BIGINT NOT NULL,"
     " sector_id TEXT);"
     "CREATE INDEX soc_alert_dedup ON soc_alert (dedup, last_at);"
     "CREATE INDEX soc_alert_org ON soc_alert (org_id, seq);"
     "CREATE INDEX soc_alert_ref ON soc_alert (kind, ref, last_at);"
     "CREATE TABLE soc_sector_alert ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, ref_name TEXT NOT NULL,"
     " orgs INTEGER NOT NULL, first_at BIGINT NOT NULL, last_at BIGINT NOT NULL, incident_id TEXT);"
     "CREATE INDEX soc_sector_ref ON soc_sector_alert (kind, ref, last_at);"
     "CREATE TABLE soc_source ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, match TEXT NOT NULL UNIQUE,"
     " org_id TEXT NOT NULL REFERENCES org (id), created_at BIGINT NOT NULL)"},
    {2, "generation of the event sources",
     /* Raised by every change of soc_source, in its transaction: serve polls it to apply changes
      * made by another process (the CLI) to its open syslog connections. */
     "CREATE TABLE soc_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);"
     "INSERT INTO soc_meta (key, value) VALUES ('sources', 0)"},
    /* The sightings the hub writes back into intelligence, one per indicator and organisation
     * ('' for all organisations together), under ids keyed with the hub's secret. */
    {3, "sightings",
     "CREATE TABLE soc_sighting ("
     " ref TEXT NOT NULL, org_id TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (ref, org_id))"},
    /* Sightings count hits in versions written at most once per soc.sighting_interval: when the
     * last version was written, and whether hits came since (pending). */
    {4, "sighting versions",
     "ALTER TABLE soc_sighting ADD COLUMN written_at BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE soc_sighting ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;"
     "CREATE INDEX soc_sighting_due ON soc_sighting (pending, written_at)"},
    /* An alert's review (review.c): new, acknowledged or a false positive, by whom and when. */
    {5, "alert review",
     "ALTER TABLE soc_alert ADD COLUMN status TEXT NOT NULL DEFAULT 'new';"
     "ALTER TABLE soc_alert ADD COLUMN reviewed_by TEXT;"
     "ALTER TABLE soc_alert ADD COLUMN reviewed_at BIGINT;"
     "ALTER TABLE soc_alert ADD COLUMN review_note TEXT"},
    /* Whether an organisation already has an alert of an indicator or rule in the sector window
     * (alerts.c, sector), and the count of organisations, read from the index alone; pages of
     * alerts filtered by value or source, in seq order (review.c). */
    {6, "alerts by indicator and organisation, by value, by source",
     "CREATE INDEX soc_alert_ref_org ON soc_alert (kind, ref, org_id, last_at);"
     "CREATE INDEX soc_alert_value ON soc_alert (value, seq);"
     "CREATE INDEX soc_alert_source ON soc_alert (source, seq)"},
    /* Raised by soc_rules_reload: every node's engine loads its rule folder again. */
    {7, "generation of the rules", "INSERT INTO soc_meta (key, value) VALUES ('rules', 0)"},
    /* A Sigma alert keeps its rule's tags (attack.tNNNN techniques, attack.<tactic>), which
     * were dropped before: ATT&CK counts read them (soc_alert_tags_each). */
    {8, "alert tags", "ALTER TABLE soc_alert ADD COLUMN tags TEXT NOT NULL DEFAULT ''"},
};

const struct store_schema soc_schema = {"soc", soc_steps, FS_ARRAY_SIZE(soc_steps)};
