import { Component, OnInit, computed, effect, inject, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';

import { ApiService, Camera, Line, Page } from '../shared/api.service';
import { LiveService } from '../shared/live.service';

type Pick = { line: number; point: 1 | 2 } | null;  // which end the next click sets

// The "in" arrow of a line: from its middle towards its in side. On screen (y down) the right
// of the direction start -> end is (-dy, dx), as the server counts.
function arrowOf(l: Line, size: number) {
  const dx = l.x2 - l.x1, dy = l.y2 - l.y1;
  const len = Math.max(1, Math.hypot(dx, dy));
  let nx = -dy / len, ny = dx / len;
  if (l.in_side === 'left') { nx = -nx; ny = -ny; }
  const mx = (l.x1 + l.x2) / 2, my = (l.y1 + l.y2) / 2;
  return { x1: mx - nx * size, y1: my - ny * size, x2: mx + nx * size, y2: my + ny * size, lx: mx + nx * size * 1.6, ly: my + ny * size * 1.6 };
}

// An infinite line is drawn across the whole frame, as it counts.
function drawnEnds(l: Line, w: number, h: number) {
  if (!l.infinite) return l;
  const dx = l.x2 - l.x1, dy = l.y2 - l.y1;
  const k = (w + h) / Math.max(1e-6, Math.hypot(dx, dy));
  return { ...l, x1: l.x1 - dx * k, y1: l.y1 - dy * k, x2: l.x2 + dx * k, y2: l.y2 + dy * k };
}

@Component({
  selector: 'app-cameras',
  imports: [FormsModule],
  template: `
    <h1>Cameras</h1>
    @if (error()) { <p class="error" role="alert" data-testid="camera-error">{{ error() }}</p> }
    @if (cameras().length === 0) { <p class="empty" data-testid="no-cameras">No cameras yet: they appear with their first frame or when listed in the config.</p> }
    @else {
      <div class="toolbar" role="group" aria-label="Camera">
        @for (c of cameras(); track c.camera_id) {
          <button type="button" class="tab" [class.active]="c.camera_id === selectedId()" [attr.aria-pressed]="c.camera_id === selectedId()" (click)="select(c.camera_id)">{{ c.camera_id }}</button>
        }
      </div>
      @if (selected(); as cam) {
        <div class="grid-cam">
          <section class="card" aria-labelledby="snap">
            <h2 id="snap">{{ cam.camera_id }} <small>{{ width() }}×{{ height() }} px</small></h2>
            <p class="hint">{{ pickHint() }}</p>
            <div class="snapshot" [style.aspect-ratio]="width() + ' / ' + height()">
              @if (cam.has_snapshot || snapshotUrl()) { <img [src]="snapshotUrl()" alt="Latest frame of {{ cam.camera_id }} with tracked boxes" data-testid="snapshot"> }
              @else { <div class="placeholder">No frame yet</div> }
              <svg [attr.viewBox]="'0 0 ' + width() + ' ' + height()" preserveAspectRatio="none" (click)="click($event)" data-testid="line-canvas" [class.picking]="pick() !== null" aria-hidden="true">
                @for (l of draft(); track $index) {
                  @let e = ends(l);
                  <line [attr.x1]="e.x1" [attr.y1]="e.y1" [attr.x2]="e.x2" [attr.y2]="e.y2" class="count-line" [class.editing]="pick()?.line === $index" />
                  @let a = arrow(l);
                  <line [attr.x1]="a.x1" [attr.y1]="a.y1" [attr.x2]="a.x2" [attr.y2]="a.y2" class="in-arrow" marker-end="url(#head)" />
                  <text [attr.x]="a.lx" [attr.y]="a.ly" class="line-label">{{ l.id }} in</text>
                  <circle [attr.cx]="l.x1" [attr.cy]="l.y1" r="6" class="end" /><circle [attr.cx]="l.x2" [attr.cy]="l.y2" r="6" class="end" />
                }
                <defs><marker id="head" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="in-head" /></marker></defs>
              </svg>
            </div>
            <p class="counts" data-testid="camera-counts">Occupancy <strong>{{ counts().occupancy }}</strong> · entries <strong data-testid="camera-entries">{{ counts().entries }}</strong> · exits <strong data-testid="camera-exits">{{ counts().exits }}</strong></p>
          </section>

          <section class="card" aria-labelledby="lines">
            <h2 id="lines">Counting lines</h2>
            @for (l of draft(); track $index; let i = $index) {
              <fieldset class="line-edit" [attr.data-line]="l.id">
                <legend>Line {{ i + 1 }}</legend>
                <label>Id <input [name]="'id' + i" [ngModel]="l.id" (ngModelChange)="patch(i, { id: $event })" maxlength="64" required></label>
                <div class="coords">
                  <label>x1 <input type="number" [name]="'x1' + i" [ngModel]="l.x1" (ngModelChange)="patch(i, { x1: +$event })" min="0"></label>
                  <label>y1 <input type="number" [name]="'y1' + i" [ngModel]="l.y1" (ngModelChange)="patch(i, { y1: +$event })" min="0"></label>
                  <label>x2 <input type="number" [name]="'x2' + i" [ngModel]="l.x2" (ngModelChange)="patch(i, { x2: +$event })" min="0"></label>
                  <label>y2 <input type="number" [name]="'y2' + i" [ngModel]="l.y2" (ngModelChange)="patch(i, { y2: +$event })" min="0"></label>
                </div>
                <div role="radiogroup" [attr.aria-label]="'In side of ' + l.id" class="sides">
                  <span>In side (walking from point 1 to point 2):</span>
                  <label><input type="radio" [name]="'side' + i" value="left" [ngModel]="l.in_side" (ngModelChange)="patch(i, { in_side: $event })"> left</label>
                  <label><input type="radio" [name]="'side' + i" value="right" [ngModel]="l.in_side" (ngModelChange)="patch(i, { in_side: $event })"> right</label>
                </div>
                <label class="check"><input type="checkbox" [name]="'inf' + i" [ngModel]="l.infinite" (ngModelChange)="patch(i, { infinite: $event })"> Across the whole frame (not only between the points)</label>
                <div class="actions">
                  <button type="button" (click)="startPick(i)">Move by clicking two points</button>
                  <button type="button" (click)="flip(i)">Swap in side</button>
                  <button type="button" class="danger" (click)="removeLine(i)" [disabled]="draft().length <= 1">Delete</button>
                </div>
              </fieldset>
            }
            <div class="actions">
              <button type="button" (click)="addLine()" data-testid="add-line">Add a line</button>
              <button type="button" class="primary" (click)="save()" [disabled]="saving()" data-testid="save-lines">{{ saving() ? 'Saving…' : 'Save lines' }}</button>
              <button type="button" (click)="reset()">Undo changes</button>
            </div>
            @if (saved()) { <p class="ok" role="status" data-testid="lines-saved">{{ saved() }}</p> }
          </section>
        </div>
      }
    }
  `,
})
export class CamerasPage implements OnInit {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly cameras = signal<Camera[]>([]);
  protected readonly selectedId = signal('');
  protected readonly draft = signal<Line[]>([]);
  protected readonly pick = signal<Pick>(null);
  protected readonly error = signal('');
  protected readonly saved = signal('');
  protected readonly saving = signal(false);
  protected readonly snapshotUrl = signal('');
  private lastSnapshot = 0;

  protected readonly selected = computed(() => this.cameras().find((c) => c.camera_id === this.selectedId()) ?? null);
  protected readonly width = computed(() => this.selected()?.width || 640);
  protected readonly height = computed(() => this.selected()?.height || 480);
  protected readonly counts = computed(() => {
    const f = this.live.frames()[this.selectedId()];
    const c = this.selected();
    return f ? { occupancy: f.occupancy, entries: f.entries, exits: f.exits } : { occupancy: c?.occupancy ?? 0, entries: c?.entries ?? 0, exits: c?.exits ?? 0 };
  });
  protected readonly pickHint = computed(() => {
    const p = this.pick();
    if (!p) return 'Choose "Add a line" or "Move", then click two points on the image. Point 1 to point 2 sets the direction; the arrow shows the "in" side.';
    return `Click point ${p.point} of line ${p.line + 1} on the image (Escape cancels).`;
  });

  constructor() {
    // A new frame of the shown camera refreshes the snapshot, at most once a second.
    effect(() => {
      const f = this.live.frames()[this.selectedId()];
      if (!f) return;
      untracked(() => {
        const now = Date.now();
        if (now - this.lastSnapshot < 1000) return;
        this.lastSnapshot = now;
        this.refreshSnapshot(f.frame_id);
        const cam = this.selected();
        if (cam && (!cam.has_snapshot || !cam.width)) void this.load();
      });
    });
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.pick.set(null); });
  }

  async ngOnInit(): Promise<void> { await this.load(); }

  private async load(): Promise<void> {
    try {
      const page = await this.api.get<Page<Camera>>('/api/cameras');
      this.cameras.set(page.items);
      if (!this.selectedId() && page.items.length) this.select(page.items[0].camera_id);
      this.error.set('');
    } catch (e) {
      this.error.set(`Could not load the cameras: ${(e as Error).message}`);
    }
  }

  protected select(id: string): void {
    this.selectedId.set(id);
    this.pick.set(null);
    this.saved.set('');
    this.draft.set(structuredClone(this.selected()?.lines ?? []));
    if (this.selected()?.has_snapshot) this.refreshSnapshot(Date.now());
  }

  private refreshSnapshot(tag: number): void {
    this.snapshotUrl.set(`/api/cameras/${encodeURIComponent(this.selectedId())}/snapshot?lines=0&t=${tag}`);
  }

  protected ends(l: Line) { return drawnEnds(l, this.width(), this.height()); }
  protected arrow(l: Line) { return arrowOf(l, Math.max(20, Math.min(this.width(), this.height()) / 16)); }

  protected patch(i: number, change: Partial<Line>): void {
    this.draft.update((lines) => lines.map((l, k) => (k === i ? { ...l, ...change } : l)));
    this.saved.set('');
  }

  protected flip(i: number): void { this.patch(i, { in_side: this.draft()[i].in_side === 'left' ? 'right' : 'left' }); }

  protected addLine(): void {
    const ids = new Set(this.draft().map((l) => l.id));
    let n = this.draft().length + 1;
    while (ids.has(`line${n}`)) n++;
    const w = this.width(), h = this.height();
    this.draft.update((lines) => [...lines, { id: `line${n}`, x1: Math.round(w * 0.25), y1: Math.round(h / 2), x2: Math.round(w * 0.75), y2: Math.round(h / 2), in_side: 'right', infinite: false }]);
    this.startPick(this.draft().length - 1);
  }

  protected removeLine(i: number): void { this.draft.update((lines) => lines.filter((_, k) => k !== i)); this.pick.set(null); }

  protected startPick(i: number): void { this.pick.set({ line: i, point: 1 }); this.saved.set(''); }

  // A click on the image sets the picked end point, in source pixels.
  protected click(event: MouseEvent): void {
    const p = this.pick();
    if (!p) return;
    const box = (event.currentTarget as SVGSVGElement).getBoundingClientRect();
    const x = Math.round(((event.clientX - box.left) / box.width) * this.width());
    const y = Math.round(((event.clientY - box.top) / box.height) * this.height());
    this.patch(p.line, p.point === 1 ? { x1: x, y1: y } : { x2: x, y2: y });
    this.pick.set(p.point === 1 ? { line: p.line, point: 2 } : null);
  }

  protected reset(): void { this.select(this.selectedId()); }

  protected async save(): Promise<void> {
    this.saving.set(true); this.error.set(''); this.saved.set('');
    try {
      const id = this.selectedId();
      const r = await this.api.send<{ lines: Line[] }>('PUT', `/api/cameras/${encodeURIComponent(id)}/lines`, { lines: this.draft() });
      this.cameras.update((cams) => cams.map((c) => (c.camera_id === id ? { ...c, lines: r.lines } : c)));
      this.draft.set(structuredClone(r.lines));
      this.saved.set('Saved: counting uses these lines from the next frame.');
    } catch (e) {
      this.error.set(`The lines were not saved: ${(e as Error).message}`);
    } finally {
      this.saving.set(false);
    }
  }
}
