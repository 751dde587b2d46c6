import { Injectable, OnDestroy, computed, signal } from '@angular/core';

// Events of GET /api/stream (Server-Sent Events).
export interface FrameEvent { camera_id: string; frame_id: number; timestamp: string; occupancy: number; entries: number; exits: number; people_count: number; vehicle_count: number; processing_ms: number; }
export interface CrossingEvent { camera_id: string; line_id: string; track_id: number; direction: 'in' | 'out'; class: string; timestamp: string; }
export interface FaceEvent { camera_id: string; track_id: number; employee_id: string; name: string; confidence: number; source: string; timestamp?: string; }
export interface VehicleEvent { camera_id: string; track_id: number; type: string; plate: string; confidence: number; status: string; timestamp?: string; }
export interface AlertEvent { camera_id: string; kind: string; track_id: number; subject: string; message: string; timestamp: string; }

const KEEP = 50;  // recent items kept per kind

// One EventSource for the whole app. The browser reconnects by itself after a dropped
// connection; after a refused one (503: too many streams) we retry with a growing delay.
@Injectable({ providedIn: 'root' })
export class LiveService implements OnDestroy {
  private source: EventSource | null = null;
  private retryMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  readonly connected = signal(false);
  readonly frames = signal<Record<string, FrameEvent>>({});
  readonly crossings = signal<CrossingEvent[]>([]);
  readonly faces = signal<FaceEvent[]>([]);
  readonly vehicles = signal<VehicleEvent[]>([]);
  readonly alerts = signal<AlertEvent[]>([]);
  private readonly dismissed = signal(0);
  readonly latestAlert = computed(() => {
    const a = this.alerts();
    return a.length > this.dismissed() ? a[0] : null;
  });

  constructor() { this.connect(); }

  dismissAlert(): void { this.dismissed.set(this.alerts().length); }

  private connect(): void {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/stream');
    this.source = es;
    es.onopen = () => { this.connected.set(true); this.retryMs = 1000; };
    es.onerror = () => {
      this.connected.set(false);
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 30000);
      }
    };
    const on = <T>(type: string, handle: (e: T) => void) =>
      es.addEventListener(type, (m) => {
        try { handle(JSON.parse((m as MessageEvent).data) as T); } catch { /* a malformed event is skipped */ }
      });
    on<FrameEvent>('frame', (f) => this.frames.update((all) => ({ ...all, [f.camera_id]: f })));
    on<CrossingEvent>('crossing', (c) => this.crossings.update((l) => [c, ...l].slice(0, KEEP)));
    on<FaceEvent>('face', (f) => this.faces.update((l) => [f, ...l].slice(0, KEEP)));
    on<VehicleEvent>('vehicle', (v) => this.vehicles.update((l) => [v, ...l].slice(0, KEEP)));
    on<AlertEvent>('alert', (a) => this.alerts.update((l) => [a, ...l].slice(0, KEEP)));
  }

  ngOnDestroy(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.source?.close();
  }
}
