/* Every command of the finshield binary: X(name, summary in English, summary in zh-TW). One file
 * per command, src/cli/cmd_<name>.c, defines int cmd_<name>(struct cli_ctx *, int, char **). */
#ifndef FS_CLI_COMMANDS_H
#define FS_CLI_COMMANDS_H

#include "cli/cli.h"

#define CLI_COMMAND_MAP(X)                                                                         \
  X(init, "create a hub and print its first admin token", "建立中樞並顯示第一個管理者權杖")        \
  X(serve, "run the hub (REST API, TAXII, event listeners)",                                       \
    "執行中樞服務（REST API、TAXII、事件接收）")                                                   \
  X(demo, "create a hub with a sample sector and serve it", "建立含範例金融機構的中樞並執行")      \
  X(org, "member institutions: list, show, add, update, import",                                   \
    "會員機構：列出、顯示、登錄、修改、匯入")                                                      \
  X(user, "users, roles, passwords and second factors", "使用者、角色、密碼與雙因素驗證")          \
  X(token, "API tokens: create, list, revoke", "API 權杖：建立、列出、撤銷")                       \
  X(audit, "audit trail: verify the chain, export, show its head",                                 \
    "稽核軌跡：驗證、匯出、顯示鏈頭")                                                              \
  X(intel, "threat intelligence: import, get, search, export, collections",                        \
    "威脅情資：匯入、查詢、搜尋、匯出、集合")                                                      \
  X(taxii, "TAXII 2.1 sync with another hub: pull, push", "與其他中樞以 TAXII 2.1 同步")           \
  X(feed, "intelligence sources: TAXII, MISP feeds, CSV lists, submissions; scores",               \
    "情資來源：TAXII、MISP feed、CSV 清單、會員提交；評分")                                        \
  X(warninglist, "warninglists: known-benign values that flag or block indicators",                \
    "警示清單：標示或阻擋指標的已知良性值")                                                        \
  X(incident, "incidents: report, levels, clocks, response teams",                                 \
    "資安事件：通報、分級、期限、應變小組")                                                        \
  X(scan, "match log files against indicators and Sigma rules",                                    \
    "以情資指標與 Sigma 規則比對日誌檔")                                                           \
  X(sigma, "Sigma rules: check that a rule set loads", "Sigma 規則：檢查規則集能否載入")           \
  X(soc, "sector monitoring: syslog sources, alerts", "聯防監控：syslog 來源、告警")               \
  X(vault, "data safe haven: deposit, restore, verify, drill, serve",                              \
    "資料保險庫：存入、還原、驗證、演練、查詢")                                                    \
  X(register, "resilience and governance registers: BCM, exercises, talent, ...",                  \
    "韌性與治理登錄簿：營運持續、演練、人才…")                                                     \
  X(report, "reports: supervision, incentive scores, product statistics, sector reports",          \
    "報告：資安監理、激勵評分、產品統計、週報與月報")                                              \
  X(publication, "advisories, threat intelligence, periodic and analysis reports",                 \
    "資安漏洞、威脅情資、定期報告與分析報告之發布")                                                \
  X(attack, "MITRE ATT&CK: catalogue, tags, counts per technique and tactic",                      \
    "MITRE ATT&CK：技術目錄、標記、依技術與戰術統計")                                              \
  X(migrate, "copy a hub's SQLite database into PostgreSQL, checked",                              \
    "將中樞的 SQLite 資料庫複製到 PostgreSQL 並檢查")

#define CLI_X_DECL(name, en, zh) int cmd_##name(struct cli_ctx *ctx, int argc, char **argv);
CLI_COMMAND_MAP(CLI_X_DECL)
#undef CLI_X_DECL

#endif
