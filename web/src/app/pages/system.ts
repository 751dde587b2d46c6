import { Component, OnDestroy, OnInit, computed, inject, signal } from '@angular/core';

import { ApiService } from '../shared/api.service';
import { LiveService } from '../shared/live.service';
import { percent, usd } from '../shared/format';

interface Latency { count: number; median_ms: number; p95_ms: number; max_ms: number; }
interface Recognition {
  mode?: string;
  cache?: { hits: number; misses: number; hit_rate: number; entries: number };
  recognitions?: number; tracks_identified?: number;
  aws?: { calls_today: number; cost_today_usd: number; calls_month: number; cost_month_usd: number; budget_month_usd: number; budget_exhausted: boolean; without_cache_estimate_usd: number; price_per_image_usd: number; circuit: string };
}
interface Diagnostic {
  version: string; uptime_s: number;
  database: { backend: string; writer: { queued_rows: number; committed_rows: number; failed_commits: number } };
  counters: Record<string, number>;
  stage_ms: Record<string, Latency>;
  cameras: { camera_id: string; frames: number; queued: number }[];
  recognition?: Recognition;
}
interface MetricsPage { total: number; summary: { count: number; mean_processing_ms: number; median_processing_ms: number } }
interface CameraRate { camera_id: string; fps: number; median_ms: number | null; frames: number; queued: number; }

const WINDOW_S = 60;     // frames/s and processing ms over the last minute
const REFRESH_MS = 10000; // the rates are per minute: refreshing more often shows nothing new

@Component({
  selector: 'app-system',
  template: `
    <h1>System</h1>
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    @if (diag(); as d) {
      <section class="tiles" aria-label="Server">
        <div class="tile"><span class="label">Version</span><span class="value small">{{ d.version }}</span></div>
        <div class="tile"><span class="label">Uptime</span><span class="value" data-testid="uptime">{{ (d.uptime_s / 3600).toFixed(1) }}</span><span class="unit">hours</span></div>
        <div class="tile"><span class="label">Frames processed</span><span class="value" data-testid="frames-processed">{{ d.counters['frames_processed'] }}</span><span class="unit">since start</span></div>
        <div class="tile"><span class="label">Database</span><span class="value small">{{ d.database.backend }}</span><span class="unit">{{ d.database.writer.queued_rows }} rows queued</span></div>
      </section>

      <section class="card" aria-labelledby="cams">
        <h2 id="cams">Per camera <small>(last {{ window }} s)</small></h2>
        @if (rates().length === 0) { <p class="empty">No camera yet.</p> }
        @else {
          <table data-testid="camera-rates">
            <thead><tr><th scope="col">Camera</th><th scope="col">Frames/s</th><th scope="col">Processing, median (ms)</th><th scope="col">Last frame (ms)</th><th scope="col">Queued frames</th><th scope="col">Frames since start</th></tr></thead>
            <tbody>
              @for (r of rates(); track r.camera_id) {
                <tr [attr.data-camera]="r.camera_id">
                  <th scope="row">{{ r.camera_id }}</th><td data-field="fps">{{ r.fps.toFixed(2) }}</td>
                  <td data-field="median-ms">{{ r.median_ms == null ? '—' : r.median_ms.toFixed(1) }}</td>
                  <td>{{ lastMs(r.camera_id) }}</td><td>{{ r.queued }}</td><td data-field="frames">{{ r.frames }}</td>
                </tr>
              }
            </tbody>
          </table>
        }
      </section>

      <div class="grid2">
        <section class="card" aria-labelledby="recog">
          <h2 id="recog">Recognition and cloud cost</h2>
          @if (d.recognition; as r) {
            <dl class="facts" data-testid="recognition">
              <dt>Mode</dt><dd>{{ r.mode ?? '—' }}</dd>
              <dt>Cache hit rate</dt><dd data-testid="hit-rate">{{ pct(r.cache?.hit_rate) }} <small>({{ r.cache?.hits ?? 0 }} hits, {{ r.cache?.misses ?? 0 }} misses)</small></dd>
              <dt>AWS calls today</dt><dd data-testid="aws-calls">{{ r.aws?.calls_today ?? 0 }}</dd>
              <dt>AWS cost today</dt><dd>{{ money(r.aws?.cost_today_usd) }}</dd>
              <dt>AWS cost this month</dt><dd data-testid="aws-cost-month">{{ money(r.aws?.cost_month_usd) }} of {{ money(r.aws?.budget_month_usd) }} budget @if (r.aws?.budget_exhausted) { <span class="badge danger">budget exhausted</span> }</dd>
              <dt>Without the cache</dt><dd data-testid="aws-without-cache">{{ money(r.aws?.without_cache_estimate_usd) }}</dd>
              <dt>Saved by the cache</dt><dd>{{ money(saved()) }}</dd>
              <dt>Circuit</dt><dd>{{ r.aws?.circuit ?? '—' }}</dd>
            </dl>
            @if (r.aws) {
              <div class="bars" role="img" [attr.aria-label]="'AWS cost this month ' + money(r.aws.cost_month_usd) + ' against ' + money(r.aws.without_cache_estimate_usd) + ' without the cache'">
                <div class="bar-row"><span>with cache</span><span class="bar"><span [style.width.%]="barWidth(r.aws.cost_month_usd)"></span></span><span>{{ money(r.aws.cost_month_usd) }}</span></div>
                <div class="bar-row"><span>without cache</span><span class="bar grey"><span [style.width.%]="barWidth(r.aws.without_cache_estimate_usd)"></span></span><span>{{ money(r.aws.without_cache_estimate_usd) }}</span></div>
              </div>
            }
          } @else { <p class="empty" data-testid="recognition-unavailable">Recognition metering is not available on this server.</p> }
        </section>

        <section class="card" aria-labelledby="stages">
          <h2 id="stages">Pipeline stages <small>(ms, last 1000 frames)</small></h2>
          <table data-testid="stage-table">
            <thead><tr><th scope="col">Stage</th><th scope="col">Median (ms)</th><th scope="col">p95 (ms)</th><th scope="col">Max (ms)</th></tr></thead>
            <tbody>@for (s of stages(); track s.name) { <tr><th scope="row">{{ s.name }}</th><td>{{ s.median_ms.toFixed(1) }}</td><td>{{ s.p95_ms.toFixed(1) }}</td><td>{{ s.max_ms.toFixed(1) }}</td></tr> }</tbody>
          </table>
        </section>
      </div>
    } @else if (!error()) { <p>Loading…</p> }
  `,
})
export class SystemPage implements OnInit, OnDestroy {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly window = WINDOW_S;
  protected readonly pct = percent;
  protected readonly money = usd;
  protected readonly error = signal('');
  protected readonly diag = signal<Diagnostic | null>(null);
  protected readonly rates = signal<CameraRate[]>([]);
  private timer: ReturnType<typeof setInterval> | null = null;

  protected readonly stages = computed(() => Object.entries(this.diag()?.stage_ms ?? {}).map(([name, l]) => ({ name, ...l })));
  protected readonly saved = computed(() => {
    const aws = this.diag()?.recognition?.aws;
    return aws ? Math.max(0, aws.without_cache_estimate_usd - aws.cost_month_usd) : null;
  });

  protected lastMs(camera: string): string {
    const f = this.live.frames()[camera];
    return f ? f.processing_ms.toFixed(1) : '—';
  }

  protected barWidth(v: number): number {
    const aws = this.diag()?.recognition?.aws;
    const max = Math.max(aws?.cost_month_usd ?? 0, aws?.without_cache_estimate_usd ?? 0);
    return max > 0 ? (100 * v) / max : 0;
  }

  ngOnInit(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }
  ngOnDestroy(): void { if (this.timer) clearInterval(this.timer); }

  private async refresh(): Promise<void> {
    try {
      const d = await this.api.get<Diagnostic>('/api/diagnostic');
      const from = new Date(Date.now() - WINDOW_S * 1000).toISOString();
      const rates = await Promise.all(d.cameras.map(async (c) => {
        const m = await this.api.get<MetricsPage>('/api/metrics', { camera_id: c.camera_id, from, limit: 1 });
        return { camera_id: c.camera_id, fps: m.total / WINDOW_S, median_ms: m.summary.count ? m.summary.median_processing_ms : null, frames: c.frames, queued: c.queued };
      }));
      this.diag.set(d);
      this.rates.set(rates);
      this.error.set('');
    } catch (e) {
      this.error.set(`Could not load the diagnostics: ${(e as Error).message}`);
    }
  }
}
