import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

// Shapes of the API (README "HTTP API" and the dashboard contract).
export interface Page<T> { success: boolean; total: number; limit: number; offset: number; items: T[]; }
export interface CameraCounts { camera_id: string; occupancy: number; entries: number; exits: number; frames: number; last_frame_time: string | null; }
export interface OccupancyNow { site: { occupancy: number; entries: number; exits: number }; cameras: CameraCounts[]; timestamp: string; }
export interface HistoryRow { camera_id: string; current_occupancy: number; entries_count: number; exits_count: number; timestamp: string; }
export interface CrossingRow { camera_id: string; line_id: string; track_id: number; class: string; direction: 'in' | 'out'; time: string; }
export interface Line { id: string; x1: number; y1: number; x2: number; y2: number; in_side: 'left' | 'right'; infinite: boolean; }
export interface Camera extends CameraCounts { width: number; height: number; lines: Line[]; has_snapshot: boolean; }
export interface Employee { employee_id: string; name: string; department?: string; shift_start?: string; shift_end?: string; consent?: boolean; templates?: number; created_at?: string; }
export interface AttendanceRow { employee_id: string; name: string; department?: string; shift_date: string; shift_start?: string; shift_end?: string; check_in_time: string | null; check_out_time: string | null; status: 'on_time' | 'late' | string; early_leave: boolean; confidence?: number; camera_id?: string; }
export interface Vehicle { plate_number: string; list: 'whitelist' | 'blacklist'; vehicle_type?: string; owner?: string; note?: string; valid_from: string | null; valid_until: string | null; active: boolean; }
export interface VehicleLog { id: number; camera_id: string; track_id: number; plate_number: string | null; vehicle_type: string; entry_time: string | null; exit_time: string | null; ocr_confidence: number | null; status: string; matched_plate: string | null; last_seen?: string | null; closed_reason?: string | null; }

// An API failure as the pages show it: the API's own message when it sent one.
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
  get missing(): boolean { return this.status === 404 || this.status === 503 || this.status === 0; }
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof HttpErrorResponse) {
    const err = e.error?.error;
    if (err && typeof err.message === 'string') return new ApiError(e.status, err.code ?? 'error', err.message);
    return new ApiError(e.status, 'http', e.status === 0 ? 'the server cannot be reached' : `HTTP ${e.status}`);
  }
  return new ApiError(0, 'unknown', String(e));
}

type Query = Record<string, string | number | boolean | null | undefined>;

function params(q: Query = {}): HttpParams {
  let p = new HttpParams();
  for (const [k, v] of Object.entries(q)) if (v !== null && v !== undefined && v !== '') p = p.set(k, String(v));
  return p;
}

@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  async get<T>(path: string, query?: Query): Promise<T> {
    try { return await firstValueFrom(this.http.get<T>(path, { params: params(query) })); }
    catch (e) { throw toApiError(e); }
  }
  async send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    try { return await firstValueFrom(this.http.request<T>(method, path, { body })); }
    catch (e) { throw toApiError(e); }
  }

  // The newest `n` rows of a paged, time-ordered list (the API pages oldest first).
  async newest<T>(path: string, n: number, query: Query = {}): Promise<Page<T>> {
    const head = await this.get<Page<T>>(path, { ...query, limit: 1, offset: 0 });
    const offset = Math.max(0, head.total - n);
    const page = await this.get<Page<T>>(path, { ...query, limit: n, offset });
    page.items = [...page.items].reverse();
    return page;
  }

  // The last row before `time` of a paged, time-ordered list, or null.
  async lastBefore<T>(path: string, time: Date, query: Query = {}): Promise<T | null> {
    const to = time.toISOString();
    const head = await this.get<Page<T>>(path, { ...query, to, limit: 1, offset: 0 });
    if (head.total === 0) return null;
    const page = await this.get<Page<T>>(path, { ...query, to, limit: 1, offset: head.total - 1 });
    return page.items[0] ?? null;
  }
}
