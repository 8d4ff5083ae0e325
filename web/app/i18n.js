// Language, calendar and formats. zh-TW is the default; the user's choice is kept by the hub
// (PATCH /api/v1/me). Times are shown in Asia/Taipei, with the ROC calendar (民國) on request.
export const TZ = 'Asia/Taipei';
let lang = 'zh-TW';
let calendar = 'gregorian';

export function setPrefs(p) {
  if (p && p.lang) lang = p.lang;
  if (p && p.calendar) calendar = p.calendar;
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-Hant-TW';
}
export const getLang = () => lang;
export const getCalendar = () => calendar;
export const isZh = () => lang !== 'en';

// The text in the current language: tr('Sign in', '登入').
export function tr(en, zh) {
  return lang === 'en' ? en : zh;
}

// An error of the hub (api.js ApiError) in the current language, with where it was.
export function errText(e) {
  if (!e) return '';
  const msg = lang === 'en' ? e.detail || e.message : e.detailZh || e.message;
  return e.where ? `${msg} (${e.where})` : msg;
}

const locale = () => (lang === 'en' ? 'en-GB' : 'zh-TW');

function parts(d) {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const out = {};
  for (const p of f.formatToParts(d)) out[p.type] = p.value;
  return out;
}

// A date (RFC 3339 text, Date or ms) as people here read it: Asia/Taipei, 24-hour clock.
export function fmtTime(v, { seconds = false, dateOnly = false } = {}) {
  if (v === null || v === undefined || v === '') return '—';
  const d = v instanceof Date ? v : new Date(v);
  if (isNaN(d)) return String(v);
  const p = parts(d);
  const time = seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  if (calendar === 'roc') {
    const y = Number(p.year) - 1911;
    const date = lang === 'en' ? `ROC ${y}-${p.month}-${p.day}` : `民國${y}年${Number(p.month)}月${Number(p.day)}日`;
    return dateOnly ? date : `${date} ${time}`;
  }
  const date = `${p.year}-${p.month}-${p.day}`;
  return dateOnly ? date : `${date} ${time}`;
}

export function fmtNum(n) {
  if (n === null || n === undefined || n === '') return '—';
  return new Intl.NumberFormat(locale()).format(n);
}

// Seconds as "2 h 05 m" / "2 小時 05 分".
export function fmtDuration(s) {
  s = Math.max(0, Math.round(s));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const two = (x) => String(x).padStart(2, '0');
  if (lang === 'en') return d ? `${d} d ${h} h ${two(m)} m` : h ? `${h} h ${two(m)} m ${two(sec)} s` : `${m} m ${two(sec)} s`;
  return d ? `${d} 天 ${h} 小時 ${two(m)} 分` : h ? `${h} 小時 ${two(m)} 分 ${two(sec)} 秒` : `${m} 分 ${two(sec)} 秒`;
}

// The local date and time an <input type="datetime-local"> holds, as RFC 3339 (Asia/Taipei).
export function localInputToIso(v) {
  if (!v) return undefined;
  return new Date(v + (v.length === 16 ? ':00' : '') + '+08:00').toISOString();
}
// The other way: now (or a date) as the value of a datetime-local input in Asia/Taipei.
export function isoToLocalInput(v) {
  const p = parts(v ? new Date(v) : new Date());
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// Labels of the hub's enumerations.
const LABELS = {
  role: {
    'hub-admin': ['Hub administrator', '中樞管理者'], 'hub-analyst': ['Hub analyst', '中樞分析師'],
    'member-admin': ['Member administrator', '會員機構管理者'], 'member-analyst': ['Member analyst', '會員機構分析師'],
    supervisor: ['Supervisor (read-only)', '主管機關（唯讀）'],
  },
  status: {
    draft: ['Draft', '草稿'], reported: ['Reported', '已通報'], triaged: ['Triaged', '已研判'],
    contained: ['Contained', '已控制'], eradicated: ['Eradicated', '已根除'], recovered: ['Recovered', '已復原'],
    closed: ['Closed', '已結案'], merged: ['Merged', '已合併'],
  },
  category: {
    ddos: ['DDoS', '分散式阻斷服務'], ransomware: ['Ransomware', '勒索軟體'], intrusion: ['Intrusion', '入侵'],
    data_leak: ['Data leak', '資料外洩'], malware: ['Malware', '惡意程式'], phishing: ['Phishing and social engineering', '釣魚與社交工程'],
    fraud: ['Fraud, ATM or payment manipulation', '詐欺、ATM 或支付操縱'], supply_chain: ['Supply chain', '供應鏈'], other: ['Other', '其他'],
  },
  clock: {
    report: ['Report to the hub', '通報時限'], review: ['Hub review', '中樞審核時限'],
    recovery: ['Recovery', '復原時限'], investigation: ['Investigation report', '調查報告時限'],
  },
  clockState: {
    pending: ['Not started', '尚未開始'], running: ['Running', '計時中'], overdue: ['Overdue', '已逾期'],
    met: ['Met', '已達成'], late: ['Met late', '逾期後達成'],
  },
  alertStatus: { new: ['New', '新告警'], acknowledged: ['Acknowledged', '已確認'], false_positive: ['False positive', '誤報'] },
  kind: { ioc: ['Indicator', '情資指標'], sigma: ['Sigma rule', 'Sigma 規則'], correlation: ['Correlation', '關聯'] },
  system_class: { non_core: ['Non-core system', '非核心系統'], core: ['Core system', '核心系統'], core_ci: ['Core business of critical infrastructure', '關鍵基礎設施核心業務'] },
  data_class: {
    non_core: ['Non-core information', '非核心資訊'], core: ['Core information', '核心資訊'], core_ci: ['Critical infrastructure core information', '關鍵基礎設施核心資訊'],
    sensitive: ['Sensitive information', '敏感資訊'], state_secret: ['State secret', '國家機密'],
  },
  cia: { none: ['None', '無'], minor: ['Minor', '輕微'], serious: ['Serious', '嚴重'] },
  availability: { none: ['No outage', '未中斷'], within_mtpd: ['Outage, restored within MTPD', '中斷，於最大可容忍中斷時間內恢復'], beyond_mtpd: ['Outage beyond MTPD', '中斷超過最大可容忍中斷時間'] },
  industry: {
    bank: ['Bank', '銀行'], securities: ['Securities', '證券'], futures: ['Futures', '期貨'], insurance: ['Insurance', '保險'],
    financial_holding: ['Financial holding', '金融控股'], peripheral: ['Peripheral unit', '周邊單位'],
    association: ['Association', '公會'], regulator: ['Regulator', '主管機關'], hub: ['Hub', '中樞'],
    bills_finance: ['Bills finance', '票券'], credit_card: ['Credit card', '信用卡'], electronic_payment: ['Electronic payment', '電子支付'],
    partner: ['Partner ISAC', '合作 ISAC'],
  },
  part: {
    times: ['Times of the incident', '事件發生時間'], scope: ['Scope', '影響範圍'], damage_control: ['Damage control', '損害控制'],
    investigation: ['Investigation', '調查經過'], root_cause: ['Root cause', '事件原因'],
    preventive_measures: ['Preventive measures', '防範措施'], follow_up: ['Follow-up schedule', '後續追蹤規劃'],
  },
  drill: { pass: ['Pass', '通過'], fail: ['Fail', '未通過'], overdue: ['Overdue', '逾期未演練'], 'not-verified': ['Not verified', '未驗證'] },
  backup: { current: ['Current', '已於週期內驗證'], overdue: ['Verification overdue', '驗證逾期'], failed: ['Verification failed', '驗證失敗'] },
  environment: { local: ['Local', '本地'], offsite: ['Off-site', '異地'], 'safe-haven': ['Safe haven', '資料保全避風港'], cloud: ['Cloud', '雲端'] },
  assignment: { offered: ['Offered', '待回覆'], accepted: ['Accepted', '已接受'], declined: ['Declined', '已婉拒'], released: ['Released', '已釋出'] },
};

export function label(kind, value) {
  const m = LABELS[kind] && LABELS[kind][value];
  return m ? tr(m[0], m[1]) : value === null || value === undefined ? '—' : String(value);
}
export const labelValues = (kind) => Object.keys(LABELS[kind] || {});
