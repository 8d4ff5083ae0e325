/* The shared response teams of the action plan's resource-sharing mechanism: a financial holding
 * group's own team (serves its subsidiaries first), support teams of peripheral units and
 * industry associations, and the hub's sector CERT. Teams belong to organisations; their members
 * are users who act for the team. Help requests are matched to teams by tier, skills and
 * availability; a team accepts or declines; every step is recorded and audited. */
#ifndef FS_INCIDENT_TEAM_H
#define FS_INCIDENT_TEAM_H

#include "incident/incident.h"

extern const char *const team_kind_names[];  /* "group", "support", "cert" */
extern const char *const team_skill_names[]; /* "forensics", "malware_analysis", ... */

/* What a request says about a team; absent fields NULL / -1. Strings point into the JSON. */
struct team_input {
  const char *org;  /* owning organisation (id or code; create only) */
  const char *code; /* [a-z0-9][a-z0-9._-]{1,31} */
  const char *name_zh, *name_en;
  int kind;         /* index into team_kind_names */
  json_t *skills;   /* borrowed array of skill names, validated */
  json_t *serves;   /* borrowed array of industries a support team serves ([] = all) */
  int available;    /* 0 / 1, -1 absent */
  int64_t capacity; /* cases at once, 1..100, 0 absent */
  bool has_email;
  const char *contact_email;
  bool has_version;
  int64_t version;
};

/* Parses and validates POST /teams (create) or PATCH /teams/{team} bodies. Pure. */
int team_input_from_json(json_t *body, bool update, struct team_input *out, struct fs_err *err);

/* Registers a team; the kind must fit the organisation (group: a financial holding company;
 * support: a peripheral unit or association; cert: the hub). */
int team_create(struct store_conn *c, const struct actor *who, const struct team_input *in,
                char id_out[37], struct fs_err *err);
int team_update(struct store_conn *c, const struct actor *who, const char *id_or_code,
                const struct team_input *in, struct fs_err *err);
/* Adds or removes a member (a user of the team's organisation or, for group teams, of the
 * group's subsidiaries). A user the actor may not see (policy: users) answers as one that does
 * not exist ("no user", 400 on adding); removing a user who holds no seat answers 404 whether or
 * not the user exists. */
int team_member_set(struct store_conn *c, const struct actor *who, const char *team,
                    const char *user, bool add, struct fs_err *err);
int team_get_json(struct store_conn *c, const struct actor *who, const char *id_or_code,
                  json_t **out, struct fs_err *err);
int team_list_json(struct store_conn *c, const struct actor *who, json_t **out, struct fs_err *err);

/* Ranked candidates for a case and the skills asked for (NULL-terminated, may be empty):
 * holding-group team first (for its own subsidiaries), then support teams, then the sector
 * CERT; within a tier by skills covered; teams unavailable, full, or that declined are left out
 * (listed with the reason). */
int incident_match_json(struct store_conn *c, const struct actor *who, const char *id,
                        const char *const *skills, json_t **out, struct fs_err *err);
/* A help request ({"skills": [...], "note"}) from the member or the hub: matched, and offered to
 * the best candidate (notified). *out: the request with its ranking and the offer. */
int incident_help_request(struct store_conn *c, const struct actor *who,
                          const struct incident_env *env, const char *id, json_t *body,
                          json_t **out, struct fs_err *err);
/* The hub offers the case to a given team ({"team": code}). */
int incident_offer(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                   const char *id, const char *team, char assignment_id[37], struct fs_err *err);
/* A member of the offered team accepts or declines ({"note", "version"}). A decline of a help
 * request's offer moves it to the next candidate. */
int incident_answer(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                    const char *id, const char *assignment_id, bool accept, json_t *body,
                    struct fs_err *err);
int incident_assignments_json(struct store_conn *c, const struct actor *who, const char *id,
                              json_t **out, struct fs_err *err);

#endif
