// The frame of every signed-in screen: a skip link, the header with the offline notice, the
// navigation (a bottom bar on phones, a side bar on wider screens) and the screen itself.

import { useEffect, useRef, type ReactNode } from 'react';
import { NavLink, useLocation } from 'react-router';
import { useOffline } from '../api/connectivity';
import { useConfig } from '../appConfig';

const LINKS = [
  { to: '/', label: 'Garage', end: true },
  { to: '/fuel', label: 'Fuel' },
  { to: '/maintenance', label: 'Service' },
  { to: '/stations', label: 'Stations' },
];

export function Layout({ children }: { children: ReactNode }) {
  const offline = useOffline();
  const config = useConfig();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);

  useEffect(() => {
    // After a client-side navigation, start keyboard and screen-reader users at the new screen.
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);

  const links = [
    ...LINKS,
    ...(config.assistant ? [{ to: '/assistant', label: 'Assistant' }] : []),
    { to: '/settings', label: 'Settings' },
  ];
  return (
    <div className="layout">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <NavLink to="/" className="brand" end>
          <img src="/icon.svg" alt="" width="28" height="28" />
          <span>MotoVault</span>
        </NavLink>
      </header>
      {offline && (
        <p className="offline-banner" role="status">
          You are offline: showing the last data this device had. Changes are off until you are back online.
        </p>
      )}
      <nav className="nav" aria-label="Main">
        <ul>
          {links.map((link) => (
            <li key={link.to}>
              <NavLink to={link.to} end={link.end}>{link.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1} className="main">
        {children}
      </main>
    </div>
  );
}
