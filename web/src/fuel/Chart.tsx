// One small chart (Chart.js, only the pieces used are registered) with a text alternative: the
// canvas is described in words and the numbers are in a table for screen readers and keyboards.

import {
  BarController, BarElement, CategoryScale, Chart, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import { useEffect, useId, useRef } from 'react';
import { formatNumber } from '../units/units';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip);

export interface ChartProps {
  kind: 'line' | 'bar';
  title: string;
  /** What the values are, with their unit: "MPG", "Cost". */
  valueLabel: string;
  labels: string[];
  values: number[];
  decimals?: number;
}

const COLOUR = '#1d4ed8';

export function SimpleChart({ kind, title, valueLabel, labels, values, decimals = 2 }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const headingId = useId();

  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: kind,
      data: {
        labels,
        datasets: [{
          label: valueLabel, data: values, borderColor: COLOUR, backgroundColor: kind === 'bar' ? COLOUR : '#fff',
          pointRadius: 4, borderWidth: 2, tension: 0.2,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: kind === 'bar', ticks: { color: '#334155' } }, x: { ticks: { color: '#334155' } } },
        plugins: { tooltip: { enabled: true } },
      },
    });
    return () => chart.destroy();
  }, [kind, labels, values, valueLabel]);

  const summary = values.length
    ? `${title}: ${values.length} value${values.length === 1 ? '' : 's'} from ${labels[0]} to ${labels[labels.length - 1]}, `
      + `lowest ${formatNumber(Math.min(...values), decimals)}, highest ${formatNumber(Math.max(...values), decimals)} ${valueLabel}.`
    : `${title}: no data yet.`;
  return (
    <figure className="chart" aria-labelledby={headingId}>
      <figcaption id={headingId}>{title}</figcaption>
      {values.length === 0 ? <p className="muted">{summary}</p> : (
        <>
          <div className="chart__canvas">
            <canvas ref={canvas} role="img" aria-label={summary} />
          </div>
          <details>
            <summary>Show the numbers</summary>
            <table>
              <thead><tr><th scope="col">When</th><th scope="col">{valueLabel}</th></tr></thead>
              <tbody>
                {labels.map((label, index) => (
                  <tr key={`${label}-${index}`}><td>{label}</td><td>{formatNumber(values[index], decimals)}</td></tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
