import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { useConfig } from './appConfig';
import { AuthProvider, RequireSession } from './auth/AuthContext';
import { CallbackPage } from './auth/CallbackPage';
import { SignInPage } from './auth/SignInPage';
import { AssistantPage } from './assistant/AssistantPage';
import { Layout } from './components/Layout';
import { GaragePage } from './garage/GaragePage';
import { VehicleFormPage } from './garage/VehicleFormPage';
import { VehiclePage } from './garage/VehiclePage';
import { MaintenancePage } from './maintenance/MaintenancePage';
import { NotFoundPage } from './components/NotFoundPage';
import { SettingsPage } from './settings/SettingsPage';
import { StationsPage } from './stations/StationsPage';

// The fuel screen carries the chart library: loaded when first opened, not with the app.
const FuelPage = lazy(() => import('./fuel/FuelPage').then((module) => ({ default: module.FuelPage })));

function Private({ children }: { children: React.ReactNode }) {
  return (
    <RequireSession>
      <Layout>
        <Suspense fallback={<p>Loading…</p>}>{children}</Suspense>
      </Layout>
    </RequireSession>
  );
}

export function App() {
  const config = useConfig();
  return (
    <AuthProvider>
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/auth/callback" element={<CallbackPage />} />
        <Route path="/" element={<Private><GaragePage /></Private>} />
        <Route path="/vehicles/new" element={<Private><VehicleFormPage /></Private>} />
        <Route path="/vehicles/:id" element={<Private><VehiclePage /></Private>} />
        <Route path="/vehicles/:id/edit" element={<Private><VehicleFormPage /></Private>} />
        <Route path="/fuel" element={<Private><FuelPage /></Private>} />
        <Route path="/maintenance" element={<Private><MaintenancePage /></Private>} />
        <Route path="/stations" element={<Private><StationsPage /></Private>} />
        {config.assistant && <Route path="/assistant" element={<Private><AssistantPage /></Private>} />}
        <Route path="/settings" element={<Private><SettingsPage /></Private>} />
        <Route path="*" element={<Private><NotFoundPage /></Private>} />
      </Routes>
    </AuthProvider>
  );
}
