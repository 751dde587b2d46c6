import { Routes } from '@angular/router';

// Each page is its own lazily loaded chunk: the first load only fetches the shell and Overview.
export const routes: Routes = [
  { path: '', pathMatch: 'full', loadComponent: () => import('./pages/overview').then((m) => m.OverviewPage), title: 'Overview · Factory AI' },
  { path: 'employees', loadComponent: () => import('./pages/employees').then((m) => m.EmployeesPage), title: 'Employees · Factory AI' },
  { path: 'vehicles', loadComponent: () => import('./pages/vehicles').then((m) => m.VehiclesPage), title: 'Vehicles · Factory AI' },
  { path: 'system', loadComponent: () => import('./pages/system').then((m) => m.SystemPage), title: 'System · Factory AI' },
  { path: 'cameras', loadComponent: () => import('./pages/cameras').then((m) => m.CamerasPage), title: 'Cameras · Factory AI' },
  { path: '**', redirectTo: '' },
];
