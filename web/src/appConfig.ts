// What this edge offers the app (/app-config.json, written by the edge from its settings).

import { createContext, useContext } from 'react';

export interface AppConfig {
  signIn: 'dev' | 'auth0';
  assistant: boolean;
}

export const DEFAULT_CONFIG: AppConfig = { signIn: 'dev', assistant: false };

export async function loadConfig(): Promise<AppConfig> {
  try {
    const response = await fetch('/app-config.json', { headers: { Accept: 'application/json' } });
    if (!response.ok) return DEFAULT_CONFIG;
    return { ...DEFAULT_CONFIG, ...(await response.json()) };
  } catch {
    return DEFAULT_CONFIG;
  }
}

export const ConfigContext = createContext<AppConfig>(DEFAULT_CONFIG);

export function useConfig(): AppConfig {
  return useContext(ConfigContext);
}
