import { Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';

import { ApiError, ApiService, AttendanceRow, Employee, Page } from '../shared/api.service';
import { LiveService } from '../shared/live.service';
import { isoDate, timeOf } from '../shared/format';

interface Draft { employee_id: string; name: string; department: string; shift_start: string; shift_end: string; consent: boolean; }

const emptyDraft = (): Draft => ({ employee_id: '', name: '', department: '', shift_start: '08:00', shift_end: '17:00', consent: true });

@Component({
  selector: 'app-employees',
  imports: [FormsModule],
  template: `
    <h1>Employees &amp; attendance</h1>
    @if (unavailable()) {
      <p class="empty" data-testid="employees-unavailable">The employee service is not available on this server yet ({{ unavailable() }}).</p>
    }
    <div class="grid2">
      <section class="card" aria-labelledby="enrol">
        <h2 id="enrol">Enrol an employee</h2>
        <form (ngSubmit)="enrol()" #f="ngForm" data-testid="enrol-form">
          <div class="form-grid">
            <label>Employee id <input name="employee_id" [(ngModel)]="draft.employee_id" required maxlength="64" autocomplete="off"></label>
            <label>Name <input name="name" [(ngModel)]="draft.name" required maxlength="200" autocomplete="off"></label>
            <label>Department <input name="department" [(ngModel)]="draft.department" maxlength="100"></label>
            <label>Shift start <input name="shift_start" type="time" [(ngModel)]="draft.shift_start"></label>
            <label>Shift end <input name="shift_end" type="time" [(ngModel)]="draft.shift_end"></label>
            <label class="check"><input name="consent" type="checkbox" [(ngModel)]="draft.consent"> Consent to face recognition given</label>
            <label class="wide">Face photos (JPEG/PNG, one face each)
              <input name="photos" type="file" accept="image/jpeg,image/png" multiple (change)="pick($event)" data-testid="photo-input"></label>
          </div>
          <button type="submit" [disabled]="busy() || !f.valid">{{ busy() ? 'Saving…' : 'Enrol' }}</button>
        </form>
        @if (formError()) { <p class="error" role="alert" data-testid="enrol-error">{{ formError() }}</p> }
        @if (formOk()) { <p class="ok" role="status" data-testid="enrol-ok">{{ formOk() }}</p> }
      </section>

      <section class="card" aria-labelledby="list">
        <h2 id="list">Employees <small>({{ employees().total }})</small></h2>
        <label>Search <input type="search" [ngModel]="query()" (ngModelChange)="search($event)" name="q"></label>
        @if (employees().items.length === 0) { <p class="empty">No employees.</p> }
        @else {
          <table data-testid="employee-table">
            <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Department</th><th scope="col">Shift</th><th scope="col">Photos</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              @for (e of employees().items; track e.employee_id) {
                <tr [attr.data-employee]="e.employee_id">
                  <td>{{ e.employee_id }}</td><td>{{ e.name }}</td><td>{{ e.department || '—' }}</td>
                  <td>{{ e.shift_start || '—' }}–{{ e.shift_end || '—' }}</td><td>{{ e.templates ?? 0 }}</td>
                  <td><button type="button" class="link danger" (click)="remove(e)" [attr.aria-label]="'Delete ' + e.name">Delete</button></td>
                </tr>
              }
            </tbody>
          </table>
        }
      </section>
    </div>

    <section class="card" aria-labelledby="attendance">
      <h2 id="attendance">Attendance</h2>
      <div class="toolbar">
        <label>Date <input type="date" name="date" [ngModel]="date()" (ngModelChange)="setDate($event)" data-testid="attendance-date"></label>
        <a class="button" [href]="csvLink()" download data-testid="attendance-csv">Export CSV</a>
        <span class="summary">{{ summary().onTime }} on time · {{ summary().late }} late · {{ summary().early }} left early</span>
      </div>
      @if (attendance().length === 0) { <p class="empty">No attendance recorded for {{ date() }}.</p> }
      @else {
        <table data-testid="attendance-table">
          <thead><tr><th scope="col">Employee</th><th scope="col">Department</th><th scope="col">Shift</th><th scope="col">Check-in</th><th scope="col">Check-out</th><th scope="col">Status</th><th scope="col">Camera</th></tr></thead>
          <tbody>
            @for (a of attendance(); track a.employee_id + a.shift_date) {
              <tr>
                <td>{{ a.name }} <small>({{ a.employee_id }})</small></td><td>{{ a.department || '—' }}</td>
                <td>{{ a.shift_start || '—' }}–{{ a.shift_end || '—' }}</td>
                <td>{{ time(a.check_in_time) }}</td><td>{{ time(a.check_out_time) }}</td>
                <td><span class="badge" [class.ok]="a.status === 'on_time'" [class.warn]="a.status === 'late'">{{ a.status === 'on_time' ? 'On time' : a.status === 'late' ? 'Late' : a.status }}</span>
                  @if (a.early_leave) { <span class="badge warn">Left early</span> }</td>
                <td>{{ a.camera_id || '—' }}</td>
              </tr>
            }
          </tbody>
        </table>
      }
      @if (recognitions().length) {
        <h3>Recognised just now</h3>
        <ul class="feed">@for (f of recognitions(); track $index) { <li>{{ f.name }} ({{ f.employee_id }}) · {{ f.camera_id }} · {{ (f.confidence * 100).toFixed(0) }} % · {{ f.source }}</li> }</ul>
      }
    </section>
  `,
})
export class EmployeesPage implements OnInit {
  private readonly api = inject(ApiService);
  private readonly live = inject(LiveService);
  protected readonly time = timeOf;
  protected draft = emptyDraft();
  private photos: File[] = [];
  protected readonly busy = signal(false);
  protected readonly formError = signal('');
  protected readonly formOk = signal('');
  protected readonly unavailable = signal('');
  protected readonly query = signal('');
  protected readonly employees = signal<Page<Employee>>({ success: true, total: 0, limit: 0, offset: 0, items: [] });
  protected readonly date = signal(isoDate(new Date()));
  protected readonly attendance = signal<AttendanceRow[]>([]);
  protected readonly recognitions = computed(() => this.live.faces().slice(0, 10));
  protected readonly csvLink = computed(() => `/api/attendance?date=${this.date()}&format=csv`);
  protected readonly summary = computed(() => {
    const rows = this.attendance();
    return { onTime: rows.filter((r) => r.status === 'on_time').length, late: rows.filter((r) => r.status === 'late').length, early: rows.filter((r) => r.early_leave).length };
  });
  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  ngOnInit(): void { void this.load(); void this.loadAttendance(); }

  protected pick(event: Event): void {
    this.photos = Array.from((event.target as HTMLInputElement).files ?? []);
  }

  protected search(q: string): void {
    this.query.set(q);
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.load(), 250);
  }

  protected setDate(d: string): void { this.date.set(d); void this.loadAttendance(); }

  private async load(): Promise<void> {
    try {
      this.employees.set(await this.api.get<Page<Employee>>('/api/employees', { limit: 200, q: this.query() }));
      this.unavailable.set('');
    } catch (e) {
      const err = e as ApiError;
      if (err.missing) this.unavailable.set(err.message); else this.formError.set(err.message);
    }
  }

  private async loadAttendance(): Promise<void> {
    try {
      const page = await this.api.get<Page<AttendanceRow>>('/api/attendance', { date: this.date(), limit: 1000 });
      this.attendance.set(page.items);
    } catch {
      this.attendance.set([]);
    }
  }

  // Creates the employee, then uploads the photos; an API refusal is shown as the API said it.
  protected async enrol(): Promise<void> {
    this.formError.set(''); this.formOk.set(''); this.busy.set(true);
    const d = this.draft;
    try {
      await this.api.send('POST', '/api/employees', {
        employee_id: d.employee_id.trim(), name: d.name.trim(), department: d.department.trim() || undefined,
        shift_start: d.shift_start || undefined, shift_end: d.shift_end || undefined, consent: d.consent,
      });
      let added = 0;
      if (this.photos.length) {
        const form = new FormData();
        for (const p of this.photos) form.append('photo', p, p.name);
        try {
          const r = await this.api.send<{ added: unknown[] }>('POST', `/api/employees/${encodeURIComponent(d.employee_id.trim())}/faces`, form);
          added = r.added?.length ?? 0;
        } catch (e) {
          this.formError.set(`${d.name} was created, but the photos were refused: ${(e as Error).message}`);
        }
      }
      if (!this.formError()) this.formOk.set(`${d.name} enrolled${added ? ` with ${added} photo(s)` : ''}.`);
      this.draft = emptyDraft();
      this.photos = [];
      await this.load();
    } catch (e) {
      this.formError.set((e as Error).message);
    } finally {
      this.busy.set(false);
    }
  }

  protected async remove(e: Employee): Promise<void> {
    if (!confirm(`Delete ${e.name} (${e.employee_id}) and their face templates?`)) return;
    try {
      await this.api.send('DELETE', `/api/employees/${encodeURIComponent(e.employee_id)}`);
      await this.load();
    } catch (err) {
      this.formError.set((err as Error).message);
    }
  }
}
