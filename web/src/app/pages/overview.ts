import { Component, OnInit, computed, effect, inject, signal, untracked } from '@angular/core';

import { ApiService, CameraCounts, CrossingRow, HistoryRow, OccupancyNow } from '../shared/api.service';
import { LineChart, Series } from '../shared/line-chart';
import { LiveService } from '../shared/live.service';
import { startOfToday, timeOf } from '../shared/format';

interface CameraRow extends CameraCounts { entriesToday: number; exitsToday: number; people: number | null; vehicles: number | null; }

@Component({
  selector: 'app-overview',
  imports: [LineChart],
  template: `
    <h1>Overview</h1>
    @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
    <section class="tiles" aria-label="Site now">
      <div class="tile"><span class="label">Occupancy now (site)</span><span class="value" data-testid="site-occupancy">{{ site().occupancy }}</span><span class="unit">people</span></div>
      <div class="tile"><span class="label">Entries today</span><span class="value" data-testid="site-entries-today">{{ site().entriesToday }}</span><span class="unit">people</span></div>
      <div class="tile"><span class="label">Exits today</span><span class="value" data-testid="site-exits-today">{{ site().exitsToday }}</span><span class="unit">people</span></div>
      <div class="tile"><span class="label">People in view</span><span class="value" data-testid="site-people">{{ site().people ?? '—' }}</span><span class="unit">tracked now</span></div>
      <div class="tile"><span class="label">Vehicles in view</span><span class="value" data-testid="site-vehicles">{{ site().vehicles ?? '—' }}</span><span class="unit">tracked now</span></div>
    </section>

    <div class="grid2">
      <section class="card" aria-labelledby="per-camera">
        <h2 id="per-camera">Per camera</h2>
        @if (cameras().length === 0) { <p class="empty">No camera has sent a frame yet.</p> }
        @else {
          <table data-testid="camera-table">
            <thead><tr><th scope="col">Camera</th><th scope="col">Occupancy</th><th scope="col">Entries today</th><th scope="col">Exits today</th><th scope="col">Entries (all time)</th><th scope="col">People</th><th scope="col">Vehicles</th><th scope="col">Last frame</th></tr></thead>
            <tbody>
              @for (c of cameras(); track c.camera_id) {
                <tr [attr.data-camera]="c.camera_id">
                  <th scope="row">{{ c.camera_id }}</th>
                  <td data-field="occupancy">{{ c.occupancy }}</td>
                  <td data-field="entries-today">{{ c.entriesToday }}</td>
                  <td data-field="exits-today">{{ c.exitsToday }}</td>
                  <td data-field="entries">{{ c.entries }}</td>
                  <td>{{ c.people ?? '—' }}</td>
                  <td>{{ c.vehicles ?? '—' }}</td>
                  <td>{{ time(c.last_frame_time) }}</td>
                </tr>
              }
            </tbody>
          </table>
        }
      </section>

      <section class="card" aria-labelledby="recent">
        <h2 id="recent">Recent crossings</h2>
        @if (recent().length === 0) { <p class="empty">No crossings yet.</p> }
        @else {
          <ol class="feed" data-testid="recent-crossings">
            @for (c of recent(); track $index) {
              <li><span class="badge" [class.in]="c.direction === 'in'" [class.out]="c.direction === 'out'">{{ c.direction === 'in' ? 'IN' : 'OUT' }}</span>
                {{ c.class }} #{{ c.track_id }} · {{ c.camera_id }} / {{ c.line_id }} · <time>{{ time(c.time) }}</time></li>
            }
          </ol>
        }
      </section>
    </div>

    <section class="card" aria-labelledby="history">
      <h2 id="history">Occupancy today</h2>
      @if (series().length === 0) { <p class="empty">No occupancy recorded today.</p> }
      @else { <app-line-chart [series]="series()" yTitle="occupancy (people)" label="Occupancy over time today, per camera" /> }
    </section>
  `,
})
export class OverviewPage implements OnInit {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly time = timeOf;
  protected readonly error = signal('');
  private readonly base = signal<CameraCounts[]>([]);
  private readonly baseline = signal<Record<string, { entries: number; exits: number }>>({});
  private readonly history = signal<HistoryRow[]>([]);
  private readonly stored = signal<CrossingRow[]>([]);

  protected readonly cameras = computed<CameraRow[]>(() => {
    const frames = this.live.frames();
    const baseline = this.baseline();
    const rows = new Map<string, CameraRow>();
    for (const c of this.base()) rows.set(c.camera_id, { ...c, entriesToday: 0, exitsToday: 0, people: null, vehicles: null });
    for (const f of Object.values(frames)) {
      const row = rows.get(f.camera_id) ?? { camera_id: f.camera_id, frames: 0, last_frame_time: null, occupancy: 0, entries: 0, exits: 0, entriesToday: 0, exitsToday: 0, people: null, vehicles: null };
      rows.set(f.camera_id, { ...row, occupancy: f.occupancy, entries: f.entries, exits: f.exits, people: f.people_count, vehicles: f.vehicle_count, last_frame_time: f.timestamp });
    }
    return [...rows.values()].sort((a, b) => a.camera_id.localeCompare(b.camera_id)).map((r) => {
      const b = baseline[r.camera_id] ?? { entries: 0, exits: 0 };
      return { ...r, entriesToday: Math.max(0, r.entries - b.entries), exitsToday: Math.max(0, r.exits - b.exits) };
    });
  });

  protected readonly site = computed(() => {
    const cams = this.cameras();
    const sum = (f: (c: CameraRow) => number) => cams.reduce((t, c) => t + f(c), 0);
    const seen = cams.filter((c) => c.people !== null);
    return {
      occupancy: sum((c) => c.occupancy), entriesToday: sum((c) => c.entriesToday), exitsToday: sum((c) => c.exitsToday),
      people: seen.length ? seen.reduce((t, c) => t + (c.people ?? 0), 0) : null,
      vehicles: seen.length ? seen.reduce((t, c) => t + (c.vehicles ?? 0), 0) : null,
    };
  });

  protected readonly recent = computed(() => {
    const live = this.live.crossings().map((c) => ({ camera_id: c.camera_id, line_id: c.line_id, track_id: c.track_id, class: c.class, direction: c.direction, time: c.timestamp }));
    const seen = new Set<string>();
    return [...live, ...this.stored()].filter((c) => {
      const key = `${c.camera_id}/${c.line_id}/${c.track_id}/${c.time}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }).slice(0, 15);
  });

  protected readonly series = computed<Series[]>(() => {
    const byCamera = new Map<string, { x: number; y: number }[]>();
    for (const r of this.history()) {
      const points = byCamera.get(r.camera_id) ?? [];
      points.push({ x: Date.parse(r.timestamp), y: r.current_occupancy });
      byCamera.set(r.camera_id, points);
    }
    return [...byCamera.entries()].sort().map(([label, points]) => ({ label, points }));
  });

  constructor() {
    // Live frames extend the chart when a camera's occupancy changes.
    effect(() => {
      const frames = this.live.frames();
      untracked(() => {
        const rows = this.history();
        const added: HistoryRow[] = [];
        for (const f of Object.values(frames)) {
          const last = [...rows].reverse().find((r) => r.camera_id === f.camera_id);
          if (last && last.current_occupancy === f.occupancy) continue;
          if (last && Date.parse(last.timestamp) > Date.parse(f.timestamp)) continue;
          added.push({ camera_id: f.camera_id, current_occupancy: f.occupancy, entries_count: f.entries, exits_count: f.exits, timestamp: f.timestamp });
        }
        if (added.length) this.history.set([...rows, ...added]);
      });
    });
  }

  async ngOnInit(): Promise<void> {
    try {
      const now = await this.api.get<OccupancyNow>('/api/occupancy');
      const midnight = startOfToday();
      const baseline: Record<string, { entries: number; exits: number }> = {};
      await Promise.all(now.cameras.map(async (c) => {
        const before = await this.api.lastBefore<HistoryRow>('/api/occupancy/history', midnight, { camera_id: c.camera_id });
        baseline[c.camera_id] = { entries: before?.entries_count ?? 0, exits: before?.exits_count ?? 0 };
      }));
      this.baseline.set(baseline);
      this.base.set(now.cameras);
      const history = await this.api.newest<HistoryRow>('/api/occupancy/history', 1000, { from: midnight.toISOString() });
      this.history.set(history.items.reverse());
      this.stored.set((await this.api.newest<CrossingRow>('/api/crossings', 15)).items);
    } catch (e) {
      this.error.set(`Could not load the occupancy: ${(e as Error).message}`);
    }
  }
}
