import { Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';

import { ApiError, ApiService, Page, Vehicle, VehicleLog } from '../shared/api.service';
import { LiveService } from '../shared/live.service';
import { dateTimeOf, timeOf } from '../shared/format';

interface Draft { plate_number: string; list: 'whitelist' | 'blacklist'; vehicle_type: string; owner: string; note: string; valid_from: string; valid_until: string; }
const emptyDraft = (): Draft => ({ plate_number: '', list: 'whitelist', vehicle_type: 'car', owner: '', note: '', valid_from: '', valid_until: '' });

// datetime-local (local time, no zone) <-> ISO-8601 UTC.
const toIso = (local: string) => (local ? new Date(local).toISOString() : null);

@Component({
  selector: 'app-vehicles',
  imports: [FormsModule],
  template: `
    <h1>Vehicles</h1>
    @if (unavailable()) { <p class="empty" data-testid="vehicles-unavailable">The vehicle service is not available on this server yet ({{ unavailable() }}).</p> }

    <section class="card" aria-labelledby="visits">
      <h2 id="visits">Visits <small>(live)</small></h2>
      @if (visits().length === 0) { <p class="empty">No vehicle visits yet.</p> }
      @else {
        <table data-testid="visit-table">
          <thead><tr><th scope="col">Plate</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Camera</th><th scope="col">Entry</th><th scope="col">Exit</th><th scope="col">OCR confidence</th></tr></thead>
          <tbody>
            @for (v of visits(); track $index) {
              <tr [class.alert-row]="v.status === 'blacklisted'" [class.warn-row]="v.status === 'unknown'">
                <td class="plate">{{ v.plate || '—' }}</td><td>{{ v.type }}</td>
                <td><span class="badge" [class.ok]="v.status === 'whitelisted'" [class.danger]="v.status === 'blacklisted'" [class.warn]="v.status === 'unknown'">{{ v.status }}</span></td>
                <td>{{ v.camera_id }}</td><td>{{ time(v.entry) }}</td><td>{{ v.exit ? time(v.exit) : (v.live ? 'inside' : '—') }}</td>
                <td>{{ v.confidence == null ? '—' : (v.confidence * 100).toFixed(0) + ' %' }}</td>
              </tr>
            }
          </tbody>
        </table>
      }
    </section>

    <div class="grid2">
      <section class="card" aria-labelledby="add">
        <h2 id="add">Add to a list</h2>
        <form (ngSubmit)="add()" #f="ngForm" data-testid="vehicle-form">
          <div class="form-grid">
            <label>Plate <input name="plate_number" [(ngModel)]="draft.plate_number" required maxlength="16" autocomplete="off"></label>
            <label>List
              <select name="list" [(ngModel)]="draft.list"><option value="whitelist">Whitelist (allowed)</option><option value="blacklist">Blacklist (alert)</option></select></label>
            <label>Type
              <select name="vehicle_type" [(ngModel)]="draft.vehicle_type"><option>car</option><option>truck</option><option>bus</option><option>motorcycle</option></select></label>
            <label>Owner <input name="owner" [(ngModel)]="draft.owner" maxlength="200"></label>
            <label>Valid from <input name="valid_from" type="datetime-local" [(ngModel)]="draft.valid_from"></label>
            <label>Valid until <input name="valid_until" type="datetime-local" [(ngModel)]="draft.valid_until"></label>
            <label class="wide">Note <input name="note" [(ngModel)]="draft.note" maxlength="500"></label>
          </div>
          <button type="submit" [disabled]="busy() || !f.valid">Add</button>
        </form>
        @if (formError()) { <p class="error" role="alert" data-testid="vehicle-error">{{ formError() }}</p> }
      </section>

      <section class="card" aria-labelledby="lists">
        <h2 id="lists">White and black lists</h2>
        <div class="toolbar">
          <label>Show <select name="filter" [ngModel]="filter()" (ngModelChange)="setFilter($event)"><option value="">both</option><option value="whitelist">whitelist</option><option value="blacklist">blacklist</option></select></label>
        </div>
        @if (entries().length === 0) { <p class="empty">No plates listed.</p> }
        @else {
          <table data-testid="vehicle-table">
            <thead><tr><th scope="col">Plate</th><th scope="col">List</th><th scope="col">Owner</th><th scope="col">Valid</th><th scope="col">Active</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              @for (v of entries(); track v.plate_number) {
                <tr [attr.data-plate]="v.plate_number" [class.alert-row]="v.list === 'blacklist'">
                  <td class="plate">{{ v.plate_number }}</td>
                  <td>{{ v.list }}</td><td>{{ v.owner || '—' }}</td>
                  <td>{{ v.valid_from ? dateTime(v.valid_from) : 'always' }} → {{ v.valid_until ? dateTime(v.valid_until) : 'no end' }}</td>
                  <td>{{ v.active ? 'yes' : 'no' }}</td>
                  <td class="actions">
                    <button type="button" class="link" (click)="move(v)" [attr.aria-label]="'Move ' + v.plate_number + ' to the other list'">{{ v.list === 'whitelist' ? 'Blacklist' : 'Whitelist' }}</button>
                    <button type="button" class="link danger" (click)="remove(v)" [attr.aria-label]="'Remove ' + v.plate_number">Remove</button>
                  </td>
                </tr>
              }
            </tbody>
          </table>
        }
      </section>
    </div>
  `,
})
export class VehiclesPage implements OnInit {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly time = timeOf;
  protected readonly dateTime = dateTimeOf;
  protected draft = emptyDraft();
  protected readonly busy = signal(false);
  protected readonly formError = signal('');
  protected readonly unavailable = signal('');
  protected readonly filter = signal('');
  protected readonly entries = signal<Vehicle[]>([]);
  private readonly logs = signal<VehicleLog[]>([]);

  // Live readings first (newest on top), then the stored visits.
  protected readonly visits = computed(() => {
    const live = this.live.vehicles().map((v) => ({ plate: v.plate, type: v.type, status: v.status, camera_id: v.camera_id, entry: v.timestamp ?? null, exit: null as string | null, confidence: v.confidence, live: true }));
    const stored = this.logs().map((l) => ({ plate: l.plate_number ?? '', type: l.vehicle_type, status: l.status, camera_id: l.camera_id, entry: l.entry_time, exit: l.exit_time, confidence: l.ocr_confidence, live: !l.exit_time && !l.closed_reason }));
    return [...live, ...stored].slice(0, 50);
  });

  ngOnInit(): void { void this.loadLists(); void this.loadLogs(); }

  protected setFilter(f: string): void { this.filter.set(f); void this.loadLists(); }

  private async loadLists(): Promise<void> {
    try {
      this.entries.set((await this.api.get<Page<Vehicle>>('/api/vehicles', { list: this.filter(), limit: 1000 })).items);
      this.unavailable.set('');
    } catch (e) {
      const err = e as ApiError;
      if (err.missing) this.unavailable.set(err.message); else this.formError.set(err.message);
    }
  }

  private async loadLogs(): Promise<void> {
    try { this.logs.set((await this.api.newest<VehicleLog>('/api/vehicle-logs', 30)).items); } catch { this.logs.set([]); }
  }

  protected async add(): Promise<void> {
    this.formError.set(''); this.busy.set(true);
    const d = this.draft;
    try {
      await this.api.send('POST', '/api/vehicles', {
        plate_number: d.plate_number, list: d.list, vehicle_type: d.vehicle_type, owner: d.owner || undefined,
        note: d.note || undefined, valid_from: toIso(d.valid_from), valid_until: toIso(d.valid_until),
      });
      this.draft = emptyDraft();
      await this.loadLists();
    } catch (e) {
      this.formError.set((e as Error).message);
    } finally {
      this.busy.set(false);
    }
  }

  protected async move(v: Vehicle): Promise<void> {
    try {
      await this.api.send('PUT', `/api/vehicles/${encodeURIComponent(v.plate_number)}`, { list: v.list === 'whitelist' ? 'blacklist' : 'whitelist' });
      await this.loadLists();
    } catch (e) { this.formError.set((e as Error).message); }
  }

  protected async remove(v: Vehicle): Promise<void> {
    if (!confirm(`Remove ${v.plate_number} from the ${v.list}?`)) return;
    try {
      await this.api.send('DELETE', `/api/vehicles/${encodeURIComponent(v.plate_number)}`);
      await this.loadLists();
    } catch (e) { this.formError.set((e as Error).message); }
  }
}
