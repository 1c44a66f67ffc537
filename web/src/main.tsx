import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { ConfigContext, loadConfig } from './appConfig';
import './styles.css';

async function start() {
  const config = await loadConfig();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <ConfigContext.Provider value={config}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </ConfigContext.Provider>
    </StrictMode>,
  );
  // Installable and usable offline: the service worker keeps the app shell (build/sw-template.js).
  if ('serviceWorker' in navigator && import.meta.env.PROD) {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // Without it the app works as a plain web page.
    });
  }
}

void start();
