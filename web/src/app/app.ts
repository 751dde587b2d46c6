import { Component, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

import { LiveService } from './shared/live.service';
import { timeOf } from './shared/format';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">Factory AI</span>
      <nav aria-label="Main">
        <a routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }">Overview</a>
        <a routerLink="/employees" routerLinkActive="active">Employees &amp; attendance</a>
        <a routerLink="/vehicles" routerLinkActive="active">Vehicles</a>
        <a routerLink="/system" routerLinkActive="active">System</a>
        <a routerLink="/cameras" routerLinkActive="active">Cameras</a>
      </nav>
      <span class="live" [class.on]="live.connected()" role="status" data-testid="live-status">
        {{ live.connected() ? 'Live' : 'Connecting…' }}
      </span>
    </header>
    @if (live.latestAlert(); as alert) {
      <div class="alert-banner" role="alert" data-testid="alert-banner">
        <strong>{{ alert.kind }}</strong> {{ alert.message }} ({{ alert.camera_id }}, {{ time(alert.timestamp) }})
        <button type="button" (click)="live.dismissAlert()">Dismiss</button>
      </div>
    }
    <main id="main" tabindex="-1"><router-outlet /></main>
  `,
})
export class App {
  protected readonly live = inject(LiveService);
  protected readonly time = timeOf;
}
