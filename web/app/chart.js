// A bar-like line chart of counts per month (uPlot, loaded only when a chart is drawn), with the
// same numbers in a table for those who do not see the chart.
import { html, useEffect, useRef } from './ui.js';
import { tr, fmtNum } from './i18n.js';

export function MonthChart({ byMonth, title }) {
  const ref = useRef(null);
  const months = Object.keys(byMonth || {}).sort();
  useEffect(() => {
    if (!ref.current || !months.length) return undefined;
    const xs = months.map((m) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 15) / 1000);
    const ys = months.map((m) => byMonth[m]);
    const width = Math.max(280, Math.min(900, ref.current.clientWidth || 600));
    let u = null;
    let live = true;
    import('./vendor/uplot.js').then(({ default: uPlot }) => {
      if (!live || !ref.current) return;
      u = new uPlot({
        width, height: 220, legend: { show: false },
        // The months of the data and no more (uPlot stretches one point alone over 1,000 days),
        // counts from zero.
        scales: { x: { time: true, range: () => [xs[0] - 20 * 86400, xs[xs.length - 1] + 20 * 86400] },
          y: { range: (self, min, max) => [0, Math.max(1, max) * 1.15] } },
        series: [{}, { label: title, stroke: '#0b4f8a', fill: 'rgba(11,79,138,0.15)', width: 2, points: { show: true } }],
        axes: [{}, { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000], values: (self, ticks) => ticks.map((v) => fmtNum(v)) }],
      }, [xs, ys], ref.current);
    });
    return () => {
      live = false;
      if (u) u.destroy();
    };
  }, [months.join(), title]);
  if (!months.length) return html`<p class="muted">${tr('No data for this period.', '此期間沒有資料。')}</p>`;
  return html`<figure>
    <figcaption>${title}</figcaption>
    <div class="chart" ref=${ref} aria-hidden="true"></div>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">${tr('Month', '月份')}</th><th scope="col">${tr('Count', '件數')}</th></tr></thead>
      <tbody>${months.map((m) => html`<tr><td>${m}</td><td>${fmtNum(byMonth[m])}</td></tr>`)}</tbody>
    </table></div>
  </figure>`;
}
