import { Component, ElementRef, OnDestroy, afterRenderEffect, input, viewChild } from '@angular/core';
import {
  CategoryScale, Chart, Filler, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

export interface Series { label: string; points: { x: number; y: number }[]; }

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

// Text follows the page's type scale (larger on a wall screen), read again on every resize.
const font = () => ({ size: Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.85) });

// A step line chart over time (x: epoch ms, shown as local HH:MM) with labelled axes and units.
@Component({
  selector: 'app-line-chart',
  template: `<div class="chart-box"><canvas #canvas role="img" [attr.aria-label]="label()"></canvas></div>`,
})
export class LineChart implements OnDestroy {
  readonly series = input.required<Series[]>();
  readonly yTitle = input('');
  readonly xTitle = input('time (local)');
  readonly label = input('chart');
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private chart: Chart | null = null;

  constructor() {
    afterRenderEffect(() => {
      const datasets = this.series().map((s, i) => ({
        label: s.label, data: s.points, stepped: true as const, borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length], pointRadius: 0, borderWidth: 2,
      }));
      if (this.chart) {
        this.chart.data.datasets = datasets;
        this.chart.update('none');
        return;
      }
      this.chart = new Chart(this.canvas().nativeElement, {
        type: 'line',
        data: { datasets },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
          interaction: { mode: 'nearest', intersect: false },
          scales: {
            x: {
              type: 'linear', title: { display: true, text: this.xTitle(), font },
              // Seconds on the ticks when the chart spans under ten minutes.
              ticks: {
                font,
                callback(v) {
                  const short = this.max - this.min < 600000;
                  return new Date(Number(v)).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', ...(short ? { second: '2-digit' } : {}) });
                },
              },
            },
            y: { beginAtZero: true, title: { display: true, text: this.yTitle(), font }, ticks: { precision: 0, font } },
          },
          plugins: {
            legend: { position: 'bottom', labels: { font } },
            tooltip: { callbacks: { title: (items) => new Date(Number(items[0]?.parsed.x)).toLocaleTimeString() } },
          },
        },
      });
    });
  }

  ngOnDestroy(): void { this.chart?.destroy(); }
}
